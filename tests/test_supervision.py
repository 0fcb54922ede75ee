"""督办事项 end to end below the page: services, the writes' own authorisation, evidence, 催办, CLI, demo."""
from __future__ import annotations

import io
import json
import subprocess
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

import manage
from core import supervision as sv
from core.auth import ADMIN, REPORTER
from db import meetings, users
from db import models as m
from db.demo import clear_demo
from db.engine import session_scope
from services import evidence as evidence_service
from services import supervision as sup
from tests import auth_fixtures
from tests.auth_fixtures import AGRI, MARKET, make_user, token_for

accounts = auth_fixtures.accounts  # the fixture: office, nong_tb (市农业农村局), shij_tb, kan
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RED = {"滞后", "未完成", "逾期"}


def _actor(username: str) -> sup.Actor:
    return sup.Actor(users.user_identity(username), token_for(username))


def _counts() -> tuple[int, int, int]:
    with session_scope() as s:
        return tuple(s.execute(select(func.count()).select_from(t)).scalar() for t in
                     (m.NoticeEvent, m.AuditLog, m.EvidenceFile))


def _agri_notice(admin: str) -> int:
    """A fresh notice to 市农业农村局 about its red target T30 (2020Q4)."""
    with session_scope() as s:  # the demo may already hold one: close it the direct way
        s.execute(m.SupervisionNotice.__table__.update().where(
            m.SupervisionNotice.open_item_key == "target:T30").values(open_item_key=None, state=sv.CLOSED))
    created = sup.issue_for_item(_actor(admin), sv.TARGET, "T30", "2020Q4", due=date.today() + timedelta(days=10))
    return created["id"]


def _report_red(capsys) -> int:
    assert manage.main(["report", "--period", "2020Q4", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    return sum(i["status"] in RED for i in report["targets"] + report["tasks"])


def test_bulk_issue_is_idempotent_and_its_red_count_matches_the_report(accounts, capsys):
    red = _report_red(capsys)
    assert manage.main(["supervision", "issue", "--period", "2020Q4", "--dry-run", "--user", "office"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["created"] == 0 and dry["colours"]["红"] == red and dry["to_issue"] > 0
    assert sup.list_notices(period="2020Q4", state=sv.PENDING_ACK).shape[0] <= 2  # the dry run wrote nothing

    assert manage.main(["supervision", "issue", "--period", "2020Q4", "--user", "office"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["created"] == dry["to_issue"] and first["colours"]["红"] == red
    assert len(first["numbers"]) == len(set(first["numbers"])) and first["numbers"][0].startswith("湛质督〔")
    open_ = sup.list_notices()
    open_ = open_[open_["state"] != sv.CLOSED]
    items = set(open_["target_id"].dropna()) | {f"任务{int(t)}" for t in open_["task_id"].dropna()}
    assert manage.main(["report", "--period", "2020Q4", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    reds = {i["target_id"] for i in report["targets"] if i["status"] in RED}
    reds |= {f"任务{i['task_id']}" for i in report["tasks"] if i["status"] in RED}
    assert reds <= items  # every red item has an open notice

    before = _counts()
    assert manage.main(["supervision", "issue", "--period", "2020Q4", "--user", "office"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["created"] == 0 and second["already_open"] == second["candidates"]
    assert _counts() == before


def test_the_loop_records_who_and_when_and_refuses_a_second_close(accounts):
    nid = _agri_notice("office")
    n = sup.notice(nid)
    assert n["state"] == sv.PENDING_ACK and n["department"] == AGRI and n["colour"] == sv.RED
    sup.act(_actor("nong_tb"), nid, sv.ACK)
    sup.act(_actor("nong_tb"), nid, sv.REPLY, "已完成示范区申报", [("整改报告.pdf", PDF)])
    sup.act(_actor("office"), nid, sv.CLOSE, "核验通过")
    n = sup.notice(nid)
    assert n["state"] == sv.CLOSED and n["colour"] == sv.NONE
    assert n["created_at"] < n["acknowledged_at"] <= n["replied_at"] <= n["closed_at"]
    assert (n["created_by"], n["acknowledged_by"], n["replied_by"], n["closed_by"]) == (
        "office", "nong_tb", "nong_tb", "office")
    events = sup.notice_events(nid)
    assert events["action"].tolist() == ["issue", "ack", "reply", "close"]
    with session_scope() as s:
        actions = s.execute(select(m.AuditLog.action).where(m.AuditLog.action.like("notice_%"))).scalars().all()
    assert {"notice_issue", "notice_ack", "notice_reply", "notice_close"} <= set(actions)

    office = _actor("office")  # logging in writes to the audit log too
    before = _counts()
    with pytest.raises(sv.SupervisionRefused, match="已销号，不能重复销号"):
        sup.act(office, nid, sv.CLOSE)
    assert _counts() == before


def test_reply_from_another_department_or_a_viewer_is_refused_and_writes_nothing(accounts):
    nid = _agri_notice("office")
    nong, shij, kan = _actor("nong_tb"), _actor("shij_tb"), _actor("kan")
    before = _counts()
    with pytest.raises(sv.SupervisionRefused, match="只有该部门的填报员"):
        sup.act(shij, nid, sv.ACK)
    with pytest.raises(sv.SupervisionRefused, match="只有该部门的填报员"):
        sup.act(kan, nid, sv.ACK)
    with pytest.raises(sv.SupervisionRefused, match="只有督查办管理员可以交办"):
        sup.issue_for_item(nong, sv.TARGET, "T02", "2020Q4")
    assert _counts() == before
    sup.act(nong, nid, sv.ACK)
    after_ack = _counts()
    with pytest.raises(sv.SupervisionRefused, match="只有该部门的填报员可以反馈"):
        sup.act(shij, nid, sv.REPLY, "冒名反馈", [("a.pdf", PDF)])
    with pytest.raises(sv.SupervisionRefused, match="只有督查办管理员可以销号"):
        sup.act(nong, nid, sv.CLOSE)
    assert _counts() == after_ack and after_ack[0] == before[0] + 1
    assert sup.notice(nid)["state"] == sv.IN_PROGRESS


def test_the_write_checks_the_account_and_session_again(accounts):
    nid = _agri_notice("office")
    stale = _actor("nong_tb")
    users.set_active("nong_tb", False, by="测试")
    with pytest.raises(sv.SupervisionRefused, match="已停用"):
        sup.act(stale, nid, sv.ACK)
    users.set_active("nong_tb", True, by="测试")
    with pytest.raises(sv.SupervisionRefused, match="登录已失效"):
        sup.act(stale, nid, sv.ACK)  # disabling ended the session
    other = sup.Actor(users.user_identity("nong_tb"), token_for("shij_tb"))
    with pytest.raises(sv.SupervisionRefused, match="登录已失效"):
        sup.act(other, nid, sv.ACK)  # a token of another account
    with pytest.raises(sv.SupervisionRefused, match="登录已失效"):
        sup.act(sup.Actor(users.user_identity("nong_tb")), nid, sv.ACK)  # web without a token
    # The role comes from the account row, not from what the page holds.
    forged = sup.Actor(users.user_identity("nong_tb").__class__("nong_tb", ADMIN), token_for("nong_tb"))
    with pytest.raises(sv.SupervisionRefused, match="只有督查办管理员"):
        sup.issue_for_item(forged, sv.TARGET, "T02", "2020Q4")
    assert sup.notice(nid)["state"] == sv.PENDING_ACK


def test_mismatched_evidence_is_refused_before_anything_is_written(accounts):
    nid = _agri_notice("office")
    nong = _actor("nong_tb")
    sup.act(nong, nid, sv.ACK)
    before = _counts()
    with pytest.raises(evidence_service.EvidenceRefused, match="内容不是 PDF"):
        sup.act(nong, nid, sv.REPLY, "反馈", [("报告.pdf", b"<html><script>x</script>")])
    with pytest.raises(sv.SupervisionRefused, match="请填写反馈内容"):
        sup.act(nong, nid, sv.REPLY, "  ", [("报告.pdf", PDF)])
    assert _counts() == before and sup.notice(nid)["state"] == sv.IN_PROGRESS


def test_evidence_is_downloadable_by_the_office_and_the_owning_department_only(accounts):
    nid = _agri_notice("office")
    sup.act(_actor("nong_tb"), nid, sv.ACK)
    out = sup.act(_actor("nong_tb"), nid, sv.REPLY, "见附件", [("../整改 报告.PDF", PDF)])
    eid = out["evidence_ids"][0]
    files = sup.notice_evidence(nid)
    assert files["filename"].tolist() == ["整改_报告.pdf"] and len(files["sha256"].iloc[0]) == 64
    for who in ("office", "nong_tb"):
        name, content, mime = evidence_service.download(users.user_identity(who), eid)
        assert (name, content, mime) == ("整改_报告.pdf", PDF, "application/pdf")
    for who in ("shij_tb", "kan"):
        with pytest.raises(evidence_service.EvidenceRefused, match="仅督查办和报送部门"):
            evidence_service.download(users.user_identity(who), eid)
    with pytest.raises(evidence_service.EvidenceRefused):
        evidence_service.download(None, eid)


def test_return_needs_a_reason_and_goes_back_to_in_progress(accounts):
    nid = _agri_notice("office")
    sup.act(_actor("nong_tb"), nid, sv.ACK)
    sup.act(_actor("nong_tb"), nid, sv.REPLY, "初步完成")
    with pytest.raises(sv.SupervisionRefused, match="请填写退回理由"):
        sup.act(_actor("office"), nid, sv.RETURN, "")
    sup.act(_actor("office"), nid, sv.RETURN, "缺少验收文件")
    n = sup.notice(nid)
    assert (n["state"], n["returned_count"], n["return_reason"]) == (sv.IN_PROGRESS, 1, "缺少验收文件")
    assert n["state_shown"] == "办理中（退回 1 次）"
    assert sv.ACK not in sv.allowed_actions(n["state"], REPORTER, AGRI, AGRI)
    sup.act(_actor("nong_tb"), nid, sv.REPLY, "补充验收文件")
    assert sup.notice(nid)["state"] == sv.PENDING_VERIFY


def test_decision_becomes_a_notice_and_the_follow_up_counts_the_table(accounts):
    snap = meetings.save_snapshot("第一次督查会", date(2021, 1, 5), meetings.live_payload("2020Q4"), "office")
    ids = [meetings.add_decision(t, f"一月底前完成任务{t}整改", "决定", "市长", snap) for t in (14, 5, 6)]
    due_past, due_later = date.today() - timedelta(days=1), date.today() + timedelta(days=20)
    a = sup.issue_from_decision(_actor("office"), ids[0], AGRI, due_later)
    sup.issue_from_decision(_actor("office"), ids[1], MARKET, due_past)
    sup.issue_from_decision(_actor("office"), ids[2], AGRI, due_later)
    with pytest.raises(sv.SupervisionRefused, match="已有未销号的督办单"):
        sup.issue_from_decision(_actor("office"), ids[0], AGRI, due_later)
    sup.act(_actor("nong_tb"), a["id"], sv.ACK)
    sup.act(_actor("nong_tb"), a["id"], sv.REPLY, "已完成")
    sup.act(_actor("office"), a["id"], sv.CLOSE)
    f = sup.followup_for_deck(snap)
    assert (f["issued"], f["closed"], f["in_progress"], f["overdue"]) == (3, 1, 1, 1)
    assert f["sentence"] == "上次会议交办 3 项，已销号 1 项，办理中 1 项，逾期 1 项"
    table = sup.list_notices()
    table = table[table["meeting_snapshot_id"] == snap]
    assert len(table) == f["issued"] and int(table["overdue"].sum()) == f["overdue"]
    assert [r["department"] for r in f["overdue_rows"]] == [MARKET]
    assert sup.followup_for_deck(None)["sentence"] == ""
    assert sup.decisions_for_issue().set_index("id").loc[ids[0], "notice_number"].startswith("湛质督")


def test_reminders_owed_cells_and_the_formula_safe_notice(accounts, tmp_path):
    owed = sup.owed("2020Q4")
    assert (owed["expected"] == owed["received"] + owed["missing"]).all()
    debtor = owed[owed["missing"] > 0]["department"].iloc[0]
    before = sup.reminder_counts("2020Q4").get(debtor, 0)
    sup.set_contact(_actor("office"), debtor, "=HYPERLINK(\"http://x\")", "0759-1")
    sup.remind(_actor("office"), debtor, "2020Q4", note="电话催报")
    assert sup.reminder_counts("2020Q4")[debtor] == before + 1
    with pytest.raises(sv.SupervisionRefused, match="只有督查办管理员可以催办"):
        sup.remind(_actor("nong_tb"), debtor, "2020Q4")
    data = sup.reminder_notice_xlsx("2020Q4")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value.startswith("催办通知（2020Q4）") and "演示数据" in ws["A1"].value
    row = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == debtor)
    assert row[5] == "'=HYPERLINK(\"http://x\")" and row[7] == before + 1
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for r in ws.iter_rows() for c in r)
    path = tmp_path / "催办通知.xlsx"
    path.write_bytes(data)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", str(tmp_path / "催办通知.pdf"), "-"], capture_output=True, text=True).stdout
    assert "催办通知" in text and debtor in text


def test_my_todo_for_a_reporter_and_the_office(accounts):
    nid = _agri_notice("office")
    mine = sup.my_todo(users.user_identity("nong_tb"))
    assert nid in [n["id"] for n in mine["open_notices"]]
    assert mine["count"] == len(mine["periods_to_report"]) + len(mine["returned"]) + len(mine["open_notices"])
    sup.act(_actor("nong_tb"), nid, sv.ACK)
    sup.act(_actor("nong_tb"), nid, sv.REPLY, "已完成")
    office = sup.my_todo(users.user_identity("office"))
    assert nid in [n["id"] for n in office["to_verify"]]
    assert nid not in [n["id"] for n in sup.my_todo(users.user_identity("nong_tb"))["open_notices"]]
    assert sup.my_todo(users.user_identity("kan"))["count"] == 0 and sup.todo_count(None) == 0
    assert sup.notices_for(users.user_identity("shij_tb"))["department"].eq(MARKET).all()


def test_cli_walks_the_loop_with_exit_codes(accounts, tmp_path, capsys):
    nid = _agri_notice("office")
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(PDF)
    fake = tmp_path / "假.pdf"
    fake.write_bytes(b"MZ\x90\x00")
    assert manage.main(["supervision", "ack", str(nid), "--user", "shij_tb"]) == 1
    assert manage.main(["supervision", "ack", str(nid), "--user", "nobody"]) == 2
    assert manage.main(["supervision", "ack", "--user", "nong_tb"]) == 2
    assert manage.main(["supervision", "ack", str(nid), "--user", "nong_tb"]) == 0
    assert manage.main(["supervision", "reply", str(nid), "--text", "见附件", "--evidence", str(fake),
                        "--user", "nong_tb"]) == 2
    assert manage.main(["supervision", "reply", str(nid), "--text", "见附件", "--evidence", str(tmp_path / "无.pdf"),
                        "--user", "nong_tb"]) == 2
    assert sup.notice(nid)["state"] == sv.IN_PROGRESS
    assert manage.main(["supervision", "reply", str(nid), "--text", "见附件", "--evidence", str(pdf),
                        "--user", "nong_tb"]) == 0
    assert manage.main(["supervision", "close", str(nid), "--user", "office"]) == 0
    assert manage.main(["supervision", "close", str(nid), "--user", "office"]) == 1
    assert "不能重复销号" in capsys.readouterr().err
    assert manage.main(["supervision", "issue", "--period", "2031Q1", "--user", "office"]) == 2
    users.set_active("nong_tb", False, by="测试")
    assert manage.main(["supervision", "ack", str(nid), "--user", "nong_tb"]) == 2
    capsys.readouterr()
    assert manage.main(["supervision", "list", "--department", AGRI, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["id"] == nid)
    assert row["state"] == sv.CLOSED and row["department"] == AGRI
    assert all(row[k] for k in ("created", "acknowledged", "replied", "closed"))
    assert set(row) >= {"id", "number", "colour", "state", "department", "item", "due", "created", "acknowledged",
                        "closed"}


def test_demo_has_notices_in_every_state_labelled_and_removable(demo_db):
    df = sup.list_notices()
    assert set(df["state"]) == set(sv.STATES) and df["is_demo"].all()
    assert {sv.RED, sv.YELLOW, sv.BLUE, sv.NONE} <= set(df["colour"]) and df["overdue"].any()
    assert df["requirement"].str.startswith(sv.DEMO_TAG).all()
    assert (df["returned_count"] > 0).any() and (df["evidence_count"] > 0).any()
    assert sup.reminder_log()["is_demo"].all() and len(sup.reminder_log()) >= 1
    assert sup.contacts_table()["person"].ne("").sum() == 1  # one labelled demo contact, the rest left empty
    clear_demo()
    assert sup.list_notices().empty and sup.reminder_log().empty
    assert sup.contacts_table()["person"].eq("").all()


def test_contacts_file_lists_departments_without_invented_people():
    import csv

    from core.paths import CONTACTS_FILE, PLAN_DIR

    rows = list(csv.DictReader((CONTACTS_FILE).open(encoding="utf-8")))
    depts = [r["name"] for r in csv.DictReader((PLAN_DIR / "departments.csv").open(encoding="utf-8"))
             if r["kind"] == "department"]
    assert [r["department"] for r in rows] == depts
    assert all(r["联系人"] == "" and r["电话"] == "" for r in rows)


def test_a_reporter_account_is_needed_in_the_department(accounts):
    make_user("shui_tb", REPORTER, "市水务局")
    nid = _agri_notice("office")
    with pytest.raises(sv.SupervisionRefused):
        sup.act(_actor("shui_tb"), nid, sv.ACK)


def test_notice_document_data_for_the_docx_builder(demo_db):
    nid = int(sup.list_notices()["id"].iloc[0])
    doc = sup.notice_document(nid)
    assert doc["number"].startswith("湛质督〔") and doc["requirement"].startswith(sv.DEMO_TAG) and doc["is_demo"]
    assert sup.notice_document(10**6) is None


def test_issue_about_one_districts_value(accounts):
    office = _actor("office")
    targets = sup.queries.targets()
    tid = targets[targets["district_breakdown"]]["id"].iloc[0]
    out = sup.issue_for_item(office, sv.TARGET, tid, "2020Q3", district="440802")
    n = sup.notice(out["id"])
    assert n["district"] == "赤坎区" and n["item_label"].endswith("（赤坎区）") and n["target_id"] == tid
    assert n["item_status"] in {"已达标", "正常", "预警", "滞后", "未完成", "未报送"}
    again = sup.issue_for_item(office, sv.TARGET, tid, "2020Q3", district="440803")  # another district: its own item
    assert again["id"] != out["id"]
    with pytest.raises(sv.SupervisionRefused, match="已有未销号"):
        sup.issue_for_item(office, sv.TARGET, tid, "2020Q3", district="440802")
    plain = targets[~targets["district_breakdown"]]["id"].iloc[0]
    with pytest.raises(sv.SupervisionRefused, match="没有区县"):
        sup.issue_for_item(office, sv.TARGET, plain, "2020Q3", district="440802")
