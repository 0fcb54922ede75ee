"""AppTest of the 年度考核 view of 部门记分卡 (?view=annual&year=...) as anonymous, office and 填报员."""
from __future__ import annotations

import pytest

from core.assessment import PENALTY
from services import assessment as svc
from tests.auth_fixtures import AGRI, accounts, make_user, run_as, token_for  # noqa: F401

PAGE = "pages/departments.py"


def annual_table(at):
    return next(df.value for df in at.dataframe if "算式（汇总 − 扣分 + 加分 = 最终）" in df.value.columns)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def texts(at) -> str:
    return "\n".join(t.value for t in at.text)


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def tokens(accounts):  # noqa: F811
    return {k: token_for(v) for k, v in accounts.items()}


def test_anonymous_sees_every_line_adding_up_with_veto_ties_and_small_samples(app_test):
    at = app_test(PAGE, view="annual", year="2020")
    assert not at.exception
    assert at.radio(key="view").value == "annual" and at.selectbox(key="year").value == 2020
    assert "2020 年度考核结果" in [s.value for s in at.subheader]
    table = annual_table(at)
    assert len(table) == 38
    for r in table.to_dict("records"):
        assert r["最终得分"] == pytest.approx(min(100, max(0, r["汇总分"] - r["扣分"] + r["加分"])), abs=0.05)
        assert r["算式（汇总 − 扣分 + 加分 = 最终）"] == f"{r['汇总分']:.1f} − {r['扣分']:.1f} + {r['加分']:.1f} = " \
                                                  f"{r['最终得分']:.1f}"
    assert (table["等级"] == "D（一票否决）").sum() == 1
    assert table["名次"].str.startswith("并列第").sum() >= 2 and (table["名次"] == "样本不足（不排名）").sum() == 17
    assert "第四季度 2 份" in markdown(at) and "badge[演示数据]" in markdown(at)
    # Only the annual downloads: the quarterly view (and its 通报 button) is not drawn.
    assert [b.proto.label for b in at.get("download_button")] == ["下载年度考核（Excel）", "下载年度考核（Word 公文）"]
    assert not at.text_area and not at.number_input  # no forms without a login
    assert any("登录后可" in c.value for c in at.caption)


def test_quarterly_view_is_unchanged_by_default(app_test):
    at = app_test(PAGE)
    assert not at.exception and at.radio(key="view").value == "quarterly"
    assert "部门排名（2020Q4）" in [s.value for s in at.subheader]


def test_decided_year_and_veto_shown_in_detail_with_user_text_as_text(tokens):
    vetoed = next(r for r in svc.annual_view(2020).results if r.veto)
    at = run_as(None, PAGE, view="annual", year="2020", as_dept=vetoed.department)
    assert at.selectbox(key="as_dept").value == vetoed.department
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["等级（一票否决）"] == "D"
    assert vetoed.veto_reason in texts(at) and vetoed.veto_reason not in markdown(at)
    svc.set_veto(tokens["admin"], AGRI, 2020, "**不应加粗** <b>也不应成为标签</b>")
    at = run_as(None, PAGE, view="annual", year="2020", as_dept=AGRI)
    assert "**不应加粗** <b>也不应成为标签</b>" in texts(at)
    assert "不应加粗" not in markdown(at)
    locked = run_as(None, PAGE, view="annual", year="2019")
    assert set(annual_table(locked)["状态"]) == {"核定（已锁定）"}
    # Selectors cleared with their ⊗ give None: the latest year, and no department detail.
    locked.selectbox(key="year").select(None).run()
    locked.selectbox(key="as_dept").select(None).run()
    assert not locked.exception and "2020 年度考核结果" in [s.value for s in locked.subheader]
    assert any("请选择一个部门" in i.value for i in locked.info)


def test_office_records_a_penalty_and_a_locked_year_needs_a_reason(tokens):
    at = run_as(tokens["admin"], PAGE, view="annual", year="2020", as_dept=AGRI)
    assert not at.exception
    before = annual_table(at).set_index("部门").loc[AGRI, "扣分"]
    at.selectbox(key="as_f_item").select(f"{PENALTY}:P1")
    at.text_area(key="as_f_reason").input("督查交办的农产品抽检整改逾期")
    button(at, "记录").click().run()
    assert not at.exception
    assert any("已记录扣分 P1" in s.value for s in at.success)
    assert annual_table(at).set_index("部门").loc[AGRI, "扣分"] == before + 2
    assert "督查交办的农产品抽检整改逾期" in next(df.value for df in at.dataframe if "申诉" in df.value.columns)[
        "理由"].tolist()

    at = run_as(tokens["admin"], PAGE, view="annual", year="2019", as_dept=AGRI)
    at.selectbox(key="as_f_item").select(f"{PENALTY}:P1")
    at.text_area(key="as_f_reason").input("补记")
    button(at, "记录").click().run()
    assert any("修改须填写修改理由" in e.value for e in at.error)
    at.selectbox(key="as_f_item").select(f"{PENALTY}:P1")
    at.text_area(key="as_f_reason").input("补记")
    at.text_input(key="as_f_adjust_admin").input("市政府督查室复核通报")
    button(at, "记录").click().run()
    assert any("已记录扣分 P1" in s.value for s in at.success)


def test_reporter_enters_self_assessment_and_appeals_a_deduction(tokens):
    dept = next(r.department for r in svc.annual_view(2020).results if r.state == "未自评")
    reporter = token_for(make_user("zp_page", department=dept))
    penalty = svc.add_adjustment(tokens["admin"], dept, 2020, PENALTY, "P1", "交办事项逾期")
    at = run_as(reporter, PAGE, view="annual", year="2020")
    assert at.selectbox(key="as_dept").value == dept  # a reporter starts on the own department
    assert not any(t.key == "as_f_reason" for t in at.text_area)  # no office forms
    at.number_input(key="as_f_self_score").set_value(88.5)
    at.text_area(key="as_f_self_text").input("全年任务按期推进")
    button(at, "提交自评").click().run()
    assert any("已提交" in s.value and "88.5 分" in s.value for s in at.success)
    at.selectbox(key="as_f_appeal_adj").select(penalty)
    at.text_area(key="as_f_appeal_reason").input("已于期限内办结，附办结报告")
    button(at, "提出申诉").click().run()
    assert any("已提出申诉" in s.value for s in at.success)
    row = svc.annual_view(2020).adjustments.query("id == @penalty").iloc[0]
    assert row["appeal_reason"] == "已于期限内办结，附办结报告" and row["appeal_outcome"] == ""

    # Another department's reporter sees the view but no forms for it.
    other = run_as(tokens["agri"], PAGE, view="annual", year="2020", as_dept=dept)
    assert not other.number_input and not any(t.key == "as_f_appeal_reason" for t in other.text_area)
