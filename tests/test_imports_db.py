"""db.imports: commit is all or nothing, duplicates write nothing, undo restores earlier values."""
from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from core.importer.model import Change, ChangePlan, ImportResult, IndicatorRow, Problem, TaskRow
from db import imports, queries
from db import models as m
from db.engine import data_version, session_scope
from db.submission_reads import submission_history


def _result(value: float, sha: str = "a" * 64, task_id: int = 1, problems=()) -> tuple[ImportResult, ChangePlan]:
    ind = IndicatorRow("T23", None, "2020Q4", value, "市计量所", "", "指标进展", 3)
    dist = IndicatorRow("T02", "440802", "2020Q4", 97.5, "", "", "指标进展", 4)
    task = TaskRow(task_id, "市农业农村局", "2020Q4", "推进中", 60.0, "进展顺利", "", "继续推进", "任务进展", 3)
    result = ImportResult("进度.xlsx", sha, indicators=[ind, dist], tasks=[task], problems=list(problems),
                          rows_read=3 + len(problems), department="市市场监管局", period="2020Q4")
    plan = ChangePlan(new=[Change("new", "T23", "", str(value), "指标进展", 3),
                           Change("new", "T02", "", "97.5", "指标进展", 4),
                           Change("new", "任务1", "", "推进中", "任务进展", 3)],
                      rejected=list(problems), indicators_to_write=[ind, dist], tasks_to_write=[task])
    return result, plan


def _commit(result, plan, **kw):
    args = dict(user="张三", source="upload", file_bytes=b"PK-original", mime="application/zip",
                department=None, period=None)
    return imports.commit_import(result, plan, **{**args, **kw})


def _count(model) -> int:
    with session_scope() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _table_counts() -> dict[str, int]:
    return {mdl.__name__: _count(mdl) for mdl in (m.Submission, m.SubmissionFile, m.IndicatorValue,
                                                  m.TaskProgress, m.AuditLog)}


def test_commit_writes_submission_file_rows_and_audit(fresh_db):
    before = data_version()
    out = _commit(*_result(260.0))
    assert out == {"submission_id": out["submission_id"], "inserted": 3, "updated": 0, "unchanged": 0,
                   "rejected": 0, "duplicate": False, "state": "committed"}
    cur = queries.current_values(target_id="T23")
    assert cur["value"].tolist() == [260.0] and cur["submission_id"].tolist() == [out["submission_id"]]
    assert queries.current_values(target_id="T02")["district_adcode"].tolist() == ["440802"]
    prog = queries.current_progress(task_id=1)
    assert prog[["department", "status", "percent"]].values.tolist() == [["市农业农村局", "推进中", 60.0]]
    with session_scope() as s:
        sub = s.get(m.Submission, out["submission_id"])
        assert (sub.user_name, sub.source, sub.filename, sub.sha256, sub.state, sub.period_code, sub.rows_read) == \
            ("张三", "upload", "进度.xlsx", "a" * 64, "committed", "2020Q4", 3)
        dept = s.get(m.Department, sub.department_id)
        assert dept.name == "市市场监管局"
        audit = s.exec(select(m.AuditLog)).all()
    assert [a.action for a in audit] == ["upload"]
    assert json.loads(audit[0].detail)["submission_id"] == out["submission_id"]
    assert imports.submission_file(out["submission_id"]) == ("进度.xlsx", b"PK-original", "application/zip")
    assert data_version() == before + 1


def test_failure_mid_commit_writes_nothing(fresh_db):
    before, version = _table_counts(), data_version()
    # Task 999 does not exist: the foreign key fails after the submission, its file and
    # the indicator values were already sent to the database in the same transaction.
    with pytest.raises(Exception):
        _commit(*_result(260.0, task_id=999))
    assert _table_counts() == before
    assert data_version() == version


def test_failure_at_the_last_step_writes_nothing(fresh_db, monkeypatch):
    before = _table_counts()

    def boom(session):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "bump_data_version", boom)
    with pytest.raises(RuntimeError):
        _commit(*_result(260.0))
    assert _table_counts() == before


def test_identical_file_again_writes_nothing(fresh_db):
    first = _commit(*_result(260.0))
    counts, version = _table_counts(), data_version()
    again = _commit(*_result(260.0))
    assert again["duplicate"] is True and again["submission_id"] == first["submission_id"]
    assert again["inserted"] == again["updated"] == 0
    assert _table_counts() == counts and data_version() == version


def test_undo_restores_earlier_values_and_keeps_history(fresh_db):
    first = _commit(*_result(240.0, sha="1" * 64))
    second = _commit(*_result(260.0, sha="2" * 64))
    assert queries.current_values(target_id="T23")["value"].tolist() == [260.0]
    imports.undo_submission(second["submission_id"], "李四")
    assert queries.current_values(target_id="T23")["value"].tolist() == [240.0]
    assert queries.current_values(target_id="T23")["submission_id"].tolist() == [first["submission_id"]]
    assert _count(m.IndicatorValue) == 4  # the withdrawn rows stay for history
    hist = submission_history().set_index("id")
    assert hist.loc[second["submission_id"], "state"] == "undone"
    assert hist.loc[second["submission_id"], "undone_by"] == "李四"
    assert hist.loc[first["submission_id"], "state"] == "committed"
    with session_scope() as s:
        actions = [a.action for a in s.exec(select(m.AuditLog).order_by(m.AuditLog.id)).all()]
    assert actions == ["upload", "upload", "undo"]
    with pytest.raises(imports.CommitRefused, match="不能撤销"):
        imports.undo_submission(second["submission_id"], "李四")


def test_undone_file_may_be_imported_again(fresh_db):
    first = _commit(*_result(260.0))
    imports.undo_submission(first["submission_id"], "李四")
    again = _commit(*_result(260.0))
    assert not again["duplicate"] and again["submission_id"] != first["submission_id"]
    assert queries.current_values(target_id="T23")["value"].tolist() == [260.0]


def test_only_valid_rows_counts_rejected_rows(fresh_db):
    bad = Problem("指标进展", "G9", "abc", "实际值不是数字", "请填写数字", row=9)
    out = _commit(*_result(260.0, problems=[bad]))
    assert out["rejected"] == 1 and out["inserted"] == 3


def test_sheet_level_problem_blocks_commit(fresh_db):
    before = _table_counts()
    missing = Problem("任务进展", "", "", "缺少表头", "请使用模板", row=None)
    with pytest.raises(imports.CommitRefused):
        _commit(*_result(260.0, problems=[missing]))
    assert _table_counts() == before


def test_history_filters_by_department_and_period(fresh_db):
    _commit(*_result(260.0, sha="1" * 64))
    _commit(*_result(250.0, sha="2" * 64), department="市农业农村局", period="2020Q3", source="online")
    assert submission_history("市市场监管局")["period_code"].tolist() == ["2020Q4"]
    online = submission_history(period="2020Q3")
    assert online["department"].tolist() == ["市农业农村局"] and online["source"].tolist() == ["online"]
    assert online["has_file"].tolist() == [True]
    assert len(submission_history()) == 2
    assert submission_history("市教育局").empty
