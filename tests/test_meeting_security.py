"""会议模式's records are the office's: only a logged-in 管理员 records decisions and saves, compares or withdraws
snapshots, re-checked at the write; the recorder is the account; everything is audited; withdrawn records stay in
history but leave decks and task details; names and texts are bounded and shown as text."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import delete, select

from core import auth
from core.user_text import DECISION_MAX, SNAPSHOT_NAME_MAX
from db import meetings, users
from db import models as m
from db.engine import session_scope
from tests.auth_fixtures import accounts, make_user, run_as, token_for  # noqa: F401  (accounts: fixture)

PAGE = "pages/meeting.py"
EVIL_NAME = "[请点此重新登录](http://evil.example/login) ![x](http://evil.example/a.png) <img src=x>"


def _counts() -> tuple[int, int]:
    with session_scope() as s:
        return (len(s.execute(select(m.Decision.id)).all()), len(s.execute(select(m.MeetingSnapshot.id)).all()))


def _actions() -> list[tuple[str, str, dict]]:
    with session_scope() as s:
        return [(a.user_name, a.action, json.loads(a.detail or "{}")) for a in s.execute(select(m.AuditLog)).scalars()]


def _widget_keys(at) -> set[str]:
    keys = {w.key for kind in ("text_input", "text_area", "button", "selectbox") for w in at.get(kind) if w.key}
    return keys | {b.proto.form_id for b in at.get("form_submit_button") if hasattr(b, "proto")}


@pytest.mark.parametrize("who", [None, "viewer", "agri"])
def test_visitors_viewers_and_reporters_get_no_meeting_record_forms(accounts, who):  # noqa: F811
    at = run_as(token_for(accounts[who]) if who else None, PAGE)
    assert not at.exception
    keys = _widget_keys(at)
    assert not {"mt_dec_text", "mt_name", "mt_dec_by", "mt_by", "mt_cmp_before", "mt_wd_decision_go"} & keys
    assert "须由督查办管理员登录后操作" in " ".join(i.value for i in at.info)
    assert [t.label for t in at.tabs] == ["决定与批示", "导出"]


def test_writes_refuse_anyone_but_a_current_admin(accounts):  # noqa: F811
    viewer = users.session_identity(token_for(accounts["viewer"]))
    reporter = users.session_identity(token_for(accounts["agri"]))
    payload = meetings.live_payload("2020Q4")
    before = _counts()
    for who in (None, viewer, reporter):
        with pytest.raises(users.NotAllowed):
            meetings.add_decision(5, "伪造的批示", "批示", who or auth.Identity("市长（伪造）", auth.VIEWER))
        with pytest.raises(users.NotAllowed):
            meetings.save_snapshot("伪造快照", date(2020, 7, 1), payload, who or auth.Identity("x", auth.ADMIN))
    assert _counts() == before


def test_a_revoked_admin_session_writes_no_decision_snapshot_or_withdrawal(accounts):  # noqa: F811
    make_user("second_admin", auth.ADMIN)
    admin = users.session_identity(token_for(accounts["admin"]))
    did = meetings.add_decision(5, "九月底前完成", "决定", admin)
    sid = meetings.save_snapshot("七月督查会", date(2020, 7, 15), meetings.live_payload("2020Q3"), admin)
    users.set_active(accounts["admin"], False, by="命令行")  # disabled from the CLI: sessions deleted
    before = _counts()
    with pytest.raises(users.NotAllowed, match="登录已失效"):
        meetings.add_decision(6, "迟到的批示", "批示", admin)
    with pytest.raises(users.NotAllowed):
        meetings.save_snapshot("迟到的快照", date(2020, 7, 16), meetings.live_payload("2020Q3"), admin)
    with pytest.raises(users.NotAllowed):
        meetings.withdraw_decision(did, "误记", admin)
    with pytest.raises(users.NotAllowed):
        meetings.withdraw_snapshot(sid, "误存", admin)
    assert _counts() == before
    assert meetings.decisions_for_task(5)["id"].tolist() == [did] and meetings.latest_snapshot_id() == sid


def test_open_decision_form_after_the_session_is_deleted_writes_nothing(accounts):  # noqa: F811
    at = run_as(token_for(accounts["admin"]), PAGE)
    at.selectbox(key="mt_dec_task").set_value(7)
    at.text_area(key="mt_dec_text").input("会后补记")
    with session_scope() as s:
        s.execute(delete(m.UserSession))
    at.button(key="FormSubmitter:mt_decision_form-记录").click().run()
    assert not at.exception and meetings.all_decisions().empty
    assert "登录已失效" in " ".join(e.value for e in at.error)


def test_admin_records_are_audited_and_withdrawn_with_a_reason(accounts):  # noqa: F811
    admin = users.session_identity(token_for(accounts["admin"]))
    did = meetings.add_decision(5, "九月底前完成标准体系建设", "批示", admin)
    keep = meetings.add_decision(5, "按期推进", "决定", admin)
    sid = meetings.save_snapshot("七月督查会", date(2020, 7, 15), meetings.live_payload("2020Q3"), admin)
    wrong = meetings.save_snapshot("录错的会", date(2020, 7, 20), meetings.live_payload("2020Q3"), admin)
    with pytest.raises(meetings.MeetingError, match="撤回原因"):
        meetings.withdraw_decision(did, "  ", admin)
    meetings.withdraw_decision(did, "任务编号记错", admin)
    meetings.withdraw_snapshot(wrong, "会议名称和日期有误", admin)
    with pytest.raises(meetings.MeetingError, match="已于此前撤回"):
        meetings.withdraw_decision(did, "再撤一次", admin)
    # Out of the task detail and the next deck; still in the history, marked.
    assert meetings.decisions_for_task(5)["id"].tolist() == [keep]
    assert [d["text"] for d in meetings.live_payload("2020Q4")["decisions"]] == ["按期推进"]
    history = meetings.all_decisions().set_index("id")
    assert history.loc[did, "withdraw_reason"] == "任务编号记错" and history.loc[did, "withdrawn_by"] == admin.username
    assert meetings.latest_snapshot_id() == sid and meetings.list_snapshots()["id"].tolist() == [sid]
    assert set(meetings.list_snapshots(include_withdrawn=True)["id"]) == {sid, wrong}
    actions = [(u, a) for u, a, _ in _actions() if a.startswith("meeting")]
    assert actions == [(admin.username, a) for a in ("meeting_decision", "meeting_decision", "meeting_snapshot",
                                                     "meeting_snapshot", "meeting_decision_withdraw",
                                                     "meeting_snapshot_withdraw")]


def test_withdrawn_decision_is_struck_through_on_the_page(accounts):  # noqa: F811
    admin = users.session_identity(token_for(accounts["admin"]))
    did = meetings.add_decision(5, "误记的决定", "决定", admin)
    at = run_as(token_for(accounts["admin"]), PAGE)
    at.selectbox(key="mt_wd_decision").set_value(did)
    at.text_input(key="mt_wd_decision_reason").input("误记")
    at.button(key="mt_wd_decision_go").click().run()
    assert not at.exception and "已撤回" in " ".join(s.value for s in at.success)
    table = next(d for d in at.dataframe if d.key == "mt_dec_history" or "状态" in d.value.columns)
    frame = table.value
    row = frame[frame["内容"] == "误记的决定"].iloc[0]
    assert row["状态"].startswith("已撤回") and "误记" in row["状态"]
    assert "line-through" in table.proto.arrow_data.styler.styles  # drawn struck through


def test_texts_are_bounded(accounts):  # noqa: F811
    admin = users.session_identity(token_for(accounts["admin"]))
    payload = meetings.live_payload("2020Q3")
    with pytest.raises(meetings.MeetingError, match="过长"):
        meetings.add_decision(5, "字" * (DECISION_MAX + 1), "决定", admin)
    with pytest.raises(meetings.MeetingError, match="过长"):
        meetings.save_snapshot("名" * (SNAPSHOT_NAME_MAX + 1), date(2020, 7, 1), payload, admin)
    with pytest.raises(meetings.MeetingError, match="撤回原因过长"):
        meetings.withdraw_snapshot(1, "因" * 501, admin)
    assert _counts() == (0, 0)


def _rendered_markdown(at) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "success", "info", "error", "warning"):
        out += [e.value for e in at.get(kind)]
    return out


def test_markdown_in_snapshot_names_renders_as_text(accounts):  # noqa: F811
    admin = users.session_identity(token_for(accounts["admin"]))
    meetings.save_snapshot("上次会议", date(2020, 4, 1), meetings.live_payload("2020Q1"), admin)
    at = run_as(token_for(accounts["admin"]), PAGE)
    at.text_input(key="mt_name").input(EVIL_NAME)
    at.button(key="FormSubmitter:mt_freeze_form-保存为会议快照").click().run()
    assert not at.exception and EVIL_NAME in set(meetings.list_snapshots()["name"])
    for who in (token_for(accounts["admin"]), None):
        page = run_as(who, PAGE, mt_snapshot=str(meetings.latest_snapshot_id()))
        assert not page.exception
        texts = _rendered_markdown(page) + _rendered_markdown(at)
        assert texts and not [t for t in texts if re.search(r"(?<!\\)\]\(|(?<!\\)<img", t)]  # nothing unescaped
        assert any(r"\[请点此重新登录\]" in t for t in _rendered_markdown(at))  # shown, escaped
