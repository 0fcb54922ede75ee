"""佐证材料 of task reports and indicator values (issue 16): the core rule (complete needs 100% and files),
files checked before and stored inside the commit's transaction, downloads for the office and the owning
department, the office's check recording the file ids, and 退回 → 补充材料 → 待核验 again."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlmodel import func, select

from core import auth
from core.catalogue import load_catalogue
from core.importer.model import ImportResult, Problem, TaskRow
from core.importer.templates import build_template
from core.report_evidence import (
    NO_EVIDENCE,
    NO_PERCENT,
    TASK,
    RowKey,
    accepted_rows,
    completion_flags,
    key_of,
    unknown_keys,
)
from db import models as m
from db import queries, users
from db.engine import session_scope
from db.trust import CLI, Actor, TrustRefused, set_period_state, verify_task
from services import evidence, report_evidence, submissions
from services.identity import Caller
from tests.auth_fixtures import MARKET, make_user, token_for

PERIOD = "2020Q4"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tiny_pdf() -> bytes:
    return PDF


def task_sheet(rows: dict[int, tuple[str, float | None]], department: str = MARKET) -> bytes:
    """The department's template with (status, percent) typed into the given task rows."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(load_catalogue(), period=PERIOD,
                                                          deadline=date(2021, 1, 10), department=department)))
    for row in wb["任务进展"].iter_rows(min_row=3):
        if row[0].value in rows:
            row[5].value, row[6].value = rows[row[0].value]
            row[7].value = "已按方案完成"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(task_id=2, status="已完成", percent=100.0, row=3) -> TaskRow:
    return TaskRow(task_id, MARKET, PERIOD, status, percent, "", "", "", "任务进展", row)


# --- the core rule ------------------------------------------------------------------------------------


def test_complete_rows_without_percent_or_files_are_flagged_at_their_cell():
    rows = [_row(2, row=3), _row(3, percent=None, row=4), _row(4, "推进中", 60.0, row=5)]
    flags = completion_flags(rows, set())
    assert [(f.where, f.message) for f in flags] == [
        ("任务进展!A3", NO_EVIDENCE), ("任务进展!A4", NO_PERCENT), ("任务进展!A4", NO_EVIDENCE)]
    assert [f.message for f in completion_flags(rows, {key_of(rows[0]), key_of(rows[1])})] == [NO_PERCENT]
    assert completion_flags([_row(5, "推进中", 100.0)], set())[0].message == NO_EVIDENCE  # 100% is complete


def test_only_kept_rows_may_carry_files():
    result = ImportResult("f.xlsx", "x", tasks=[_row(2, row=3), _row(3, row=4)])
    result.problems.append(Problem("任务进展", "F3", "已完成", "矛盾", "改", row=3))  # the importer rejects row 3
    assert [key_of(r) for r in accepted_rows(result)] == [key_of(result.tasks[1])]
    stray = RowKey(TASK, "9", MARKET, PERIOD)
    assert unknown_keys(result, [key_of(result.tasks[0]), stray, key_of(result.tasks[1])]) == [
        key_of(result.tasks[0]), stray]


# --- with a report ----------------------------------------------------------------------------------


@pytest.fixture
def people(fresh_db):
    make_user("office", auth.ADMIN)
    make_user("shij_tb", auth.REPORTER, MARKET)
    make_user("nong_tb", auth.REPORTER, "市农业农村局")
    # 2020Q4 is long past its deadline: opened by the office, as a real late report would need.
    set_period_state(Actor("office", token_for("office"), via=CLI), PERIOD, "open")
    return {n: Caller(users.user_identity(n), token_for(n)) for n in ("office", "shij_tb", "nong_tb")}


def evidence_count() -> int:
    with session_scope() as s:
        return s.exec(select(func.count()).select_from(m.EvidenceFile)).one()


def _task2_key() -> RowKey:
    return RowKey(TASK, "2", MARKET, PERIOD)


def test_a_complete_task_report_goes_in_with_its_pdf_and_waits_for_the_check(people):
    reporter, office = people["shij_tb"], people["office"]
    draft = submissions.prepare_file(reporter, "进度.xlsx", task_sheet({2: ("已完成", 100)}))
    rows = report_evidence.rows_for(draft)
    assert rows[0].key == _task2_key() and rows[0].complete and rows[0].where.startswith("任务进展!A")
    assert [f.message for f in report_evidence.flags(draft, set())] == [NO_EVIDENCE]
    assert report_evidence.flags(draft, {_task2_key()}) == []

    outcome, stored = report_evidence.commit(reporter, draft, {_task2_key(): [("验收 报告.PDF", tiny_pdf())]})
    assert outcome.written and outcome.state == "pending" and stored == 1
    files = report_evidence.task_files(task_id=2)
    assert files[["filename", "department", "period_code", "submission_id", "live"]].values.tolist() == [
        ["验收_报告.pdf", MARKET, PERIOD, outcome.submission_id, True]]
    # Downloadable by the office and the department, by nobody else; always bytes, never a page.
    fid = int(files["id"].iloc[0])
    assert evidence.download(office.identity, fid) == ("验收_报告.pdf", PDF, "application/pdf")
    assert evidence.download(reporter.identity, fid)[1] == PDF
    with pytest.raises(evidence.EvidenceRefused, match="仅督查办和报送部门"):
        evidence.download(people["nong_tb"].identity, fid)

    submissions.review(office, outcome.submission_id, "approve")
    assert _status(2) == "待核验"
    admin = Actor("office", office.token)
    verify_task(admin, 2, MARKET, PERIOD, approve=True)
    assert _status(2) == "已完成"
    with session_scope() as s:
        check = s.exec(select(m.TaskVerification)).one()
        assert check.evidence_ids == str(fid)


def test_a_file_that_fails_its_check_refuses_the_whole_commit(people):
    reporter = people["shij_tb"]
    draft = submissions.prepare_file(reporter, "进度.xlsx", task_sheet({2: ("已完成", 100)}))
    outcome, stored = report_evidence.commit(reporter, draft, {_task2_key(): [("报告.pdf", b"<html>x</html>")]})
    assert "任务2（市市场监管局，2020Q4）" in outcome.refused and "不是 PDF" in outcome.refused and stored == 0
    assert evidence_count() == 0
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(m.Submission)).one() == 0
    stray = RowKey(TASK, "9", MARKET, PERIOD)
    outcome, _ = report_evidence.commit(reporter, draft, {stray: [("a.pdf", PDF)]})
    assert "不在本次可入库的报送中" in outcome.refused and evidence_count() == 0


def test_an_expired_login_writes_neither_the_report_nor_its_files(people):
    reporter = people["shij_tb"]
    draft = submissions.prepare_file(reporter, "进度.xlsx", task_sheet({2: ("已完成", 100)}))
    stale = Caller(reporter.identity, "forged")
    outcome, stored = report_evidence.commit(stale, draft, {_task2_key(): [("a.pdf", PDF)]})
    assert "登录已失效" in outcome.refused and stored == 0 and evidence_count() == 0


def test_verification_needs_files_and_a_return_is_answered_by_new_files(people):
    office = people["office"]
    admin = Actor("office", office.token)
    draft = submissions.prepare_file(office, "进度.xlsx", task_sheet({2: ("已完成", 100)}))
    assert submissions.commit(office, draft).written
    assert _status(2) == "待核验"
    with pytest.raises(TrustRefused, match="没有佐证材料"):
        verify_task(admin, 2, MARKET, PERIOD, approve=True)
    verify_task(admin, 2, MARKET, PERIOD, approve=False, reason="请补充验收报告")
    assert _status(2) == "预警" and "请补充验收报告" in _explanation(2)
    # Another department may not add files to this report; the department may.
    with pytest.raises(submissions.Refused, match="只能为本部门"):
        report_evidence.attach(people["nong_tb"], 2, MARKET, PERIOD, [("a.pdf", PDF)])
    with pytest.raises(evidence.EvidenceRefused, match="不是 PDF"):
        report_evidence.attach(people["shij_tb"], 2, MARKET, PERIOD, [("a.pdf", b"MZ")])
    ids = report_evidence.attach(people["shij_tb"], 2, MARKET, PERIOD, [("验收报告.pdf", PDF)])
    assert _status(2) == "待核验"
    verify_task(admin, 2, MARKET, PERIOD, approve=True)
    assert _status(2) == "已完成"
    with pytest.raises(submissions.Refused, match="没有已计入的报送"):
        report_evidence.attach(office, 5, MARKET, PERIOD, [("a.pdf", PDF)])
    assert len(ids) == 1


def _status_row(task_id: int):
    from core.status import evaluate_tasks

    progress = queries.current_progress(up_to_period=PERIOD)
    df = evaluate_tasks(queries.tasks(), progress, PERIOD, per_department=True)
    return df[(df["task_id"] == task_id) & (df["department"] == MARKET)].iloc[0]


def _status(task_id: int) -> str:
    return _status_row(task_id)["status"]


def _explanation(task_id: int) -> str:
    return _status_row(task_id)["explanation"]


# --- manage.py evidence -----------------------------------------------------------------------------


def test_cli_attaches_lists_and_refuses_with_the_page_messages(people, tmp_path, capsys):
    import json

    import manage

    office = people["office"]
    assert submissions.commit(office, submissions.prepare_file(office, "进度.xlsx",
                                                               task_sheet({2: ("已完成", 100)}))).written
    good, bad = tmp_path / "验收报告.pdf", tmp_path / "伪装.pdf"
    good.write_bytes(PDF)
    bad.write_bytes(b"#!/bin/sh\nrm -rf /\n")

    def run(*argv: str) -> tuple[int, str, str]:
        code = manage.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    base = ("evidence", "attach", "--task", "2", "--period", PERIOD)
    code, _, err = run(*base, str(bad), "--user", "shij_tb")
    assert code == 2 and "未保存：文件“伪装.pdf”的内容不是 PDF" in err and evidence_count() == 0
    code, _, err = run(*base, str(good), "--user", "nong_tb", "--department", MARKET)
    assert code == 1 and "只能为本部门" in err and evidence_count() == 0
    code, _, err = run("evidence", "attach", "--task", "5", "--period", PERIOD, str(good), "--user", "shij_tb")
    assert code == 1 and "没有已计入的报送" in err
    code, _, err = run(*base, str(tmp_path / "没有.pdf"), "--user", "shij_tb")
    assert code == 2 and "找不到佐证材料文件" in err
    code, _, err = run("evidence", "attach", "--task", "2", "--period", "2030Q1", str(good), "--user", "shij_tb")
    assert code == 2 and "不是报告期" in err
    code, out, _ = run(*base, str(good), "--user", "shij_tb")  # the department from the account
    assert code == 0 and json.loads(out)["department"] == MARKET and len(json.loads(out)["evidence_ids"]) == 1
    code, out, _ = run("evidence", "list", "--task", "2")
    listed = json.loads(out)
    assert code == 0 and [(r["filename"], r["department"], r["period"], r["live"]) for r in listed] == [
        ("验收报告.pdf", MARKET, PERIOD, True)]
    assert _status(2) == "待核验"


def test_an_indicator_value_takes_files_too(people):
    from core.report_evidence import VALUE
    from tests.test_services_submissions import template_with

    reporter = people["shij_tb"]
    draft = submissions.prepare_file(reporter, "指标.xlsx", template_with({"T23": 260.0}))
    key = RowKey(VALUE, "T23", "", PERIOD)
    row = next(r for r in report_evidence.rows_for(draft) if r.key == key)
    assert not row.complete and row.writes and "T23" in row.label and "全市" in row.label
    assert report_evidence.flags(draft, set()) == []  # a value is never flagged, files are optional
    outcome, stored = report_evidence.commit(reporter, draft, {key: [("计量标准台账.pdf", PDF)]})
    assert outcome.written and stored == 1
    files = report_evidence.task_files(submission_id=outcome.submission_id)
    assert files[["owner_kind", "target_id", "district", "department", "period_code"]].values.tolist() == [
        ["indicator_value", "T23", "", MARKET, PERIOD]]
    assert evidence.download(people["office"].identity, int(files["id"].iloc[0]))[1] == PDF
    with pytest.raises(evidence.EvidenceRefused):
        evidence.download(people["nong_tb"].identity, int(files["id"].iloc[0]))
