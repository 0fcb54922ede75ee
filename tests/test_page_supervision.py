"""AppTest of 督办事项 (/supervision) as the office, a 填报员, a viewer and anonymous; 我的待办 on 总览."""
from __future__ import annotations

from datetime import date, timedelta

from core import supervision as sv
from db import users
from services import supervision as sup
from tests import auth_fixtures
from tests.auth_fixtures import AGRI, run_as, token_for
from tests.test_page_upload import texts

accounts = auth_fixtures.accounts  # the fixture: office, nong_tb (市农业农村局), shij_tb, kan
PAGE = "pages/supervision.py"


def _frames(at) -> list:
    return [d.value for d in at.dataframe]


def _table(at):
    return next(d.value for d in at.dataframe if "编号" in d.value.columns)


def test_anonymous_gets_the_login_form_and_no_notice(accounts):
    at = run_as(None, PAGE)
    assert not at.exception and "督办事项需要登录" in texts(at.info)
    assert not at.dataframe and not at.tabs


def test_viewer_is_refused(accounts):
    at = run_as(token_for(accounts["viewer"]), PAGE)
    assert not at.exception and "无权使用督办事项" in texts(at.error) and not at.dataframe


def test_office_sees_every_notice_with_counts_filters_and_actions(accounts):
    at = run_as(token_for(accounts["admin"]), PAGE)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["督办单", "批量交办", "报送催办", "会议决定交办", "部门联系人"]
    table = _table(at)
    everything = sup.list_notices()
    assert len(table) == len(everything) and set(table["状态"].str[:3]) == set(sv.STATES)
    assert "红色督办 " + str(int((everything["colour"] == sv.RED).sum())) in " ".join(m.value for m in at.markdown)
    # filter: red only
    at.selectbox(key="sv_f_colour").select(sv.RED).run()
    assert set(_table(at)["颜色"]) == {"红色督办"}
    at.selectbox(key="sv_f_colour").select(None).run()
    at.selectbox(key="sv_f_state").select(sv.PENDING_VERIFY).run()
    assert set(_table(at)["状态"]) == {sv.PENDING_VERIFY}
    # the opened notice awaiting 核验 offers 销号 and 退回 to the office
    buttons = {b.label for b in at.get("form_submit_button")}
    assert {"核验通过并销号", "退回重办"} <= buttons
    assert any(b.label.startswith("下载 ") for b in at.get("download_button"))  # its evidence
    # the bulk preview says what would be issued
    assert any("将新交办" in c.value for c in at.caption)
    assert any("事项" in f.columns and "处理" in f.columns for f in _frames(at))
    # 催办: the owed table with its contact columns, and the notice download
    owed = next(f for f in _frames(at) if "未报事项" in f.columns)
    assert {"联系人", "电话", "已催办"} <= set(owed.columns)
    assert "下载催办通知（.xlsx）" in {b.label for b in at.get("download_button")}


def test_office_closes_a_notice_from_the_page(accounts):
    nid = sup.list_notices(state=sv.PENDING_VERIFY)["id"].iloc[0]
    at = run_as(token_for(accounts["admin"]), PAGE, notice=str(nid))
    assert not at.exception and at.selectbox(key="sv_pick").value == nid
    at.text_area(key=f"sv_d_verify_text_{nid}").input("核验通过")
    next(b for b in at.get("form_submit_button") if b.label == "核验通过并销号").click().run()
    assert not at.exception
    assert sup.notice(nid)["state"] == sv.CLOSED
    assert any("已销号" in s.value for s in at.success)


def test_reporter_sees_its_department_only_and_signs(accounts):
    office = sup.Actor(users.user_identity(accounts["admin"]), token_for(accounts["admin"]))
    created = sup.issue_for_item(office, sv.TASK, 14, "2020Q4", due=date.today() + timedelta(days=9))
    at = run_as(token_for(accounts["agri"]), PAGE, notice=str(created["id"]))
    assert not at.exception and not at.tabs
    table = _table(at)
    assert created["number"] in set(table["编号"])
    mine = sup.list_notices(department=AGRI)
    assert len(table) == len(mine)  # no other department's notice
    assert "我的待办" in " ".join(m.value for m in at.markdown)
    assert not {"核验通过并销号", "退回重办"} & {b.label for b in at.get("form_submit_button")}
    at.button(key=f"sv_d_ack_{created['id']}").click().run()
    assert not at.exception and sup.notice(created["id"])["state"] == sv.IN_PROGRESS
    assert {"提交反馈"} <= {b.label for b in at.get("form_submit_button")}
    # an empty reply is refused with a Chinese message and writes nothing
    next(b for b in at.get("form_submit_button") if b.label == "提交反馈").click().run()
    assert "请填写反馈内容" in texts(at.error) and sup.notice(created["id"])["state"] == sv.IN_PROGRESS


def test_other_department_cannot_open_a_notice_by_url(accounts):
    nid = int(sup.list_notices(department=AGRI)["id"].iloc[0])  # the demo's 临期提醒 to 市农业农村局
    at = run_as(token_for(accounts["market"]), PAGE, notice=str(nid))
    assert not at.exception
    assert AGRI not in set(_table(at)["部门"]) and len(_table(at)) > 0
    assert at.selectbox(key="sv_pick").value != nid


def test_overview_shows_my_todo_for_a_logged_in_account_only(accounts):
    office = sup.Actor(users.user_identity(accounts["admin"]), token_for(accounts["admin"]))
    sup.issue_for_item(office, sv.TARGET, "T30", "2020Q4", due=date.today() + timedelta(days=9))
    anon = run_as(None)
    assert not anon.exception and "我的待办" not in " ".join(m.value for m in anon.markdown)
    at = run_as(token_for(accounts["agri"]))
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "我的待办（" in text and "T30" in text
    assert any("我的待办（" in (p.label or "") for p in at.get("page_link"))  # the sidebar count


def _issue_button(at, form: str):
    return next((b for b in at.get("form_submit_button") if b.label == "交办" and b.form_id == form), None)


def test_task_and_target_details_issue_for_the_office_only(accounts):
    at = run_as(token_for(accounts["admin"]), "pages/tasks.py", task="14")
    assert not at.exception
    _issue_button(at, "sv_iss_task_14_").click().run()
    assert not at.exception and any("已交办" in s.value for s in at.success)
    issued = sup.list_notices(department=AGRI)
    assert "任务14" in " ".join(issued[issued["state"] == sv.PENDING_ACK]["item_label"])
    _issue_button(at, "sv_iss_task_14_").click().run()  # a second one for the same item is refused
    assert "已有未销号的督办单" in texts(at.error)
    at = run_as(token_for(accounts["admin"]), "pages/targets.py", target="T30")
    assert not at.exception and _issue_button(at, "sv_iss_target_T30_") is not None
    for who in (None, token_for(accounts["agri"])):
        at = run_as(who, "pages/tasks.py", task="14")
        assert not at.exception and _issue_button(at, "sv_iss_task_14_") is None


def test_office_issues_a_recorded_decision_from_the_page(accounts):
    from db import meetings

    did = meetings.add_decision(14, "月底前完成整治![x](http://example.invalid/x.png)", "批示", "市长")
    at = run_as(token_for(accounts["admin"]), PAGE)
    table = next(f for f in _frames(at) if "督办单" in f.columns and "决定人" in f.columns)
    assert "未交办" in set(table["督办单"])
    at.selectbox(key="sv_dec_page_id").select(did)
    at.selectbox(key="sv_dec_page_dept").select(AGRI)
    next(b for b in at.get("form_submit_button") if b.form_id == "sv_dec_page").click().run()
    assert not at.exception and any("已交办" in s.value for s in at.success)
    number = sup.decisions_for_issue().set_index("id").loc[did, "notice_number"]
    notice = sup.list_notices(department=AGRI).set_index("number").loc[number]
    assert notice["item_kind"] == sv.DECISION and notice["state"] == sv.PENDING_ACK
    # The typed text shows as text: no image or link the browser would fetch from outside.
    at = run_as(token_for(accounts["admin"]), PAGE, notice=str(int(notice["id"])))
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.tabs[0] if type(e).__name__ == "Markdown")
    assert "example\\.invalid" in shown and "![x](http" not in shown
