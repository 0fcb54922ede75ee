"""AppTest of the trustworthy-data screens: 管理 → 基期与责任备案 / 报告期管理 / 完成核验, the target and task
details' metadata and 修订历史, and the reviewer's second look."""
from __future__ import annotations

from datetime import date, timedelta

from db import queries
from db import trust as store
from tests.auth_fixtures import AGRI, accounts, run_as, token_for  # noqa: F401
from tests.test_page_upload import filled_template, texts
from tests.test_review_workflow import log_in_through_form, upload

ADMIN_PAGE = "pages/admin.py"


def frame(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_office_registers_a_baseline_from_the_page(accounts):
    at = run_as(token_for(accounts["admin"]), ADMIN_PAGE)
    assert not at.exception
    table = frame(at, "备案状态")
    assert len(table) == len(queries.targets()) and set(table["备案状态"]) == {"演示已确认"}
    assert table.set_index("编号").loc["T52", "责任部门"] == "市公安局"
    at.selectbox(key="tr_bl_target").select("T48").run()
    at.number_input(key="tr_bl_value").set_value(4.0)
    at.text_input(key="tr_bl_source").input("市卫生健康局2017年报")
    at.selectbox(key="tr_bl_resp").select("市卫生健康局")
    at.checkbox(key="tr_bl_confirm").check()
    next(b for b in at.get("form_submit_button") if b.label == "保存备案").click().run()
    assert not at.exception and "T48（全市）的基期与责任备案已保存" in texts(at.success)
    row = store.baselines().set_index(["target_id", "district_adcode"]).loc[("T48", "")]
    assert (row["value"], row["source"], bool(row["confirmed"]), bool(row["is_demo"])) == \
        (4.0, "市卫生健康局2017年报", True, False)
    assert "已确认" in frame(at, "备案状态").set_index("编号").loc["T48", "备案状态"]
    # A confirmed registration changed without a reason is refused with the rule's words.
    at.number_input(key="tr_bl_value").set_value(5.0)
    next(b for b in at.get("form_submit_button") if b.label == "保存备案").click().run()
    assert "须填写变更原因" in texts(at.error)


def test_office_closes_a_period_and_grants_an_exception(accounts):
    at = run_as(token_for(accounts["admin"]), ADMIN_PAGE)
    states = frame(at, "报送截止").set_index("报告期")
    assert states.loc["2018Q1", "状态"] == "已关闭"  # long past deadline + close_days
    # The demo reopened its last period for newcomers to try 进度填报, and says so.
    assert states.loc["2020Q4", "状态"] == "开放" and states.loc["2020Q4", "说明"].startswith("演示数据：")
    at.selectbox(key="tr_pd_period").select("2018Q2")
    at.button(key="tr_pd_open").click().run()
    assert not at.exception and "2018Q2 已重新开放" in texts(at.success)
    assert frame(at, "报送截止").set_index("报告期").loc["2018Q2", "状态"] == "开放"
    at.selectbox(key="tr_ex_dept").select(AGRI)
    at.selectbox(key="tr_ex_period").select("2019Q4")
    at.date_input(key="tr_ex_until").set_value(date.today() + timedelta(days=3))
    at.text_input(key="tr_ex_reason").input("补报年报")
    next(b for b in at.get("form_submit_button") if b.label == "授予锁定例外").click().run()
    assert not at.exception and f"已授予 {AGRI} 2019Q4 的锁定例外" in texts(at.success)
    grants = frame(at, "授予人")
    assert grants[["部门", "报告期", "状态", "原因"]].values.tolist() == [[AGRI, "2019Q4", "有效", "补报年报"]]
    from services.trust import closed_reason_for

    assert closed_reason_for("2019Q4", AGRI) is None and closed_reason_for("2019Q4", "市市场监管局")


def test_office_verifies_a_complete_task_report(accounts):
    at = run_as(token_for(accounts["admin"]), ADMIN_PAGE)
    table = frame(at, "核验")
    assert {"待核验", "已核验"} <= set(table["核验"])
    pick = at.selectbox(key="tr_vf_pick")
    task_id, dept, period = pick.value.split("|")
    at.button(key="tr_vf_back").click().run()
    assert "退回须填写原因" in texts(at.error)
    assert "该报告没有佐证材料" in texts(at.warning)  # demo reports come without files
    at.button(key="tr_vf_ok").click().run()
    assert "没有佐证材料，不能核验通过" in texts(at.error)
    from db.users import user_identity
    from services.identity import CLI, Caller
    from services.report_evidence import attach

    attach(Caller(user_identity(accounts["admin"]), channel=CLI), int(task_id), dept, period,
           [("验收报告.pdf", b"%PDF-1.4\n")])
    at.run()
    assert [b for b in at.get("download_button") if b.key and b.key.startswith("tr_vf_file_")]
    at.button(key="tr_vf_ok").click().run()
    assert not at.exception and "核验通过" in texts(at.success)
    done = store.completions_to_check().set_index(["task_id", "department", "period_code"])
    assert done.loc[(int(task_id), dept, period), "verification"] == "已核验"


def test_reporter_cannot_reach_the_trust_tabs(accounts):
    at = run_as(token_for(accounts["agri"]), ADMIN_PAGE)
    assert not at.tabs and not [b for b in at.button if b.key and b.key.startswith("tr_")]


def test_target_detail_shows_metadata_baseline_and_history(app_test):
    at = app_test("pages/targets.py", target="T47")
    assert not at.exception
    md = texts(at.markdown)
    assert "**口径**" in md and "**报送频率**：每季度" in md
    assert "演示数据" in md and "经备案由 市卫生健康局 负责" in md
    history = frame(at, "提交编号")
    assert set(history["状态"]) == {"生效"} and (history["区县"] == "全市").all()
    at = app_test("pages/targets.py", target="T01")
    assert "超过95%" in " ".join(str(m.value) for m in at.metric)
    # A district target: each district judged from its own 演示 baseline, none says 基期未备案.
    at = app_test("pages/targets.py", target="T02")
    assert not at.exception
    districts = next(d.value for d in at.dataframe if {"区县", "说明"} <= set(d.value.columns))
    assert len(districts) >= 5 and not districts["说明"].str.contains("基期未备案").any()


def test_task_detail_shows_revision_history(app_test):
    at = app_test("pages/tasks.py", task="1")
    assert not at.exception
    history = frame(at, "提交编号")
    assert {"报告期", "部门", "状态", "报送人", "时间"} <= set(history.columns) and set(history["状态"]) == {"生效"}


def test_reviewer_sees_old_value_target_change_and_warnings(accounts):
    reporter = log_in_through_form(accounts["agri"])
    upload(reporter, "农业农村局.xlsx", filled_template({"T30": 300}, department=AGRI))
    office = run_as(token_for(accounts["admin"]), ADMIN_PAGE)
    assert not office.exception
    look = frame(office, "复核提示").set_index("指标编号")
    assert look.loc["T30", "目标"] == "≥31 个" and look.loc["T30", "本次值"] == "300 个"
    assert "2020Q3" in look.loc["T30", "上期值"] and "变动超过 50%" in look.loc["T30", "复核提示"]
