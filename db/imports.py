"""Writes of progress reports: commit a validated import, undo a submission, fetch its original file.

Every write is one transaction (db.engine.session_scope): a failure anywhere leaves the
database exactly as it was. Value rows are append-only; an undone submission keeps its rows
for history and simply stops counting (db.queries reads only COUNTED_STATES).
"""
from __future__ import annotations

import json
from typing import Callable

from sqlalchemy import Table, insert, select
from sqlmodel import Session

from core.auth import WriteScope
from core.importer.model import ChangePlan, ImportResult
from core.reporting import COUNTED_STATES
from db import models as m
from db.current import refresh_submission
from db.engine import bump_data_version, lock_for_write, session_scope

SOURCES = ("upload", "online", "cli")
# A new submission counts at once (the office's own) or waits for review (a department's).
NEW_STATES = ("committed", "pending")
# Submissions whose file may not be sent again: returned and undone ones may be corrected and resent.
_LIVE_STATES = ("committed", "approved", "pending")


class CommitRefused(ValueError):
    """The import cannot be committed as asked; the message is Chinese and nothing was written."""


def commit_import(result: ImportResult, plan: ChangePlan, *, user: str, source: str, file_bytes: bytes,
                  mime: str, department: str | None, period: str | None, state: str = "committed",
                  scope: WriteScope | None = None, guard: Callable[[Session], None] | None = None,
                  after: Callable[[Session, int], None] | None = None) -> dict:
    """Write the plan's new and changed rows as one submission, all or nothing.

    Returns submission_id, inserted, updated, unchanged, rejected, duplicate. When a counted
    (not undone) submission already has this file's SHA-256, nothing is written and
    duplicate is True with that submission's id. With a scope (a department's account), any row
    outside it refuses the whole commit: the pages filter such rows out first, this is the last guard.
    `guard(session)` runs first inside the write transaction and raises CommitRefused to write nothing
    (services.submissions: the account re-checked, the previewed cells unchanged).
    `after(session, submission_id)` runs once the rows are in, in the same transaction (佐证材料).
    """
    if source not in SOURCES:
        raise CommitRefused(f"未知的报送方式“{source}”")
    if state not in NEW_STATES:
        raise CommitRefused(f"未知的提交状态“{state}”")
    if scope is not None:
        outside = scope.refusals(plan)
        if outside:
            raise CommitRefused(f"您的账号无权报送：{'、'.join(outside[:5])}{' 等' if len(outside) > 5 else ''}")
        department = scope.department
    if result.blocking:
        # Sheet-level problems (missing sheet, unreadable header) leave no row trustworthy.
        raise CommitRefused("文件存在整表性问题，不能入库；请按问题清单修改后重新上传")
    counts = {"inserted": len(plan.new), "updated": len(plan.changed), "unchanged": len(plan.unchanged),
              "rejected": len(result.rejected_rows)}
    with session_scope() as session:
        # Two officials sending the same file at once must not both pass the duplicate check.
        lock_for_write(session, f"import:{result.sha256}")
        if guard is not None:
            guard(session)
        earlier = _live_submission_with_sha(session, result.sha256)
        if earlier is not None:
            return {"submission_id": earlier, **{k: 0 for k in counts}, "duplicate": True}
        dept_ids = dict(session.execute(select(m.Department.name, m.Department.id)).all())
        department = department or result.department
        if department and department not in dept_ids:
            raise CommitRefused(f"部门“{department}”不在计划目录中")
        submission = m.Submission(
            user_name=user, department_id=dept_ids.get(department) if department else None,
            period_code=period or result.period, source=source, filename=result.filename,
            sha256=result.sha256, state=state, rows_read=result.rows_read, **counts)
        session.add(submission)
        session.flush()
        session.add(m.SubmissionFile(submission_id=submission.id, content=file_bytes, mime=mime))
        _insert_rows(session, plan, submission, dept_ids)
        if after is not None:
            after(session, submission.id)
        if state in COUNTED_STATES:
            refresh_submission(session, submission.id)
        session.add(m.AuditLog(user_name=user, action="upload", detail=json.dumps(
            {"submission_id": submission.id, "filename": result.filename, "sha256": result.sha256,
             "source": source, "state": state, **counts}, ensure_ascii=False)))
        bump_data_version(session)
        return {"submission_id": submission.id, **counts, "duplicate": False, "state": state}


def _live_submission_with_sha(session: Session, sha256: str) -> int | None:
    if not sha256:
        return None
    return session.execute(
        select(m.Submission.id).where(m.Submission.sha256 == sha256, m.Submission.state.in_(_LIVE_STATES))
        .order_by(m.Submission.id).limit(1)).scalar()


_VALUE_COLUMNS = ("target_id", "district_adcode", "period_code", "value", "data_source", "note")
_PROGRESS_COLUMNS = ("task_id", "department_id", "period_code", "status", "percent", "narrative", "problems",
                     "next_steps")


def _insert_rows(session: Session, plan: ChangePlan, submission: m.Submission, dept_ids: dict[str, int]) -> None:
    unknown = sorted({r.department for r in plan.tasks_to_write if r.department not in dept_ids})
    if unknown:
        raise CommitRefused(f"部门“{'、'.join(unknown)}”不在计划目录中")
    shared = {"submission_id": submission.id, "created_at": submission.created_at}
    _insert_many(session, m.IndicatorValue.__table__, _VALUE_COLUMNS, shared, [
        (r.target_id, r.district_adcode, r.period_code, r.value, r.data_source, r.note)
        for r in plan.indicators_to_write])
    _insert_many(session, m.TaskProgress.__table__, _PROGRESS_COLUMNS, shared, [
        (r.task_id, dept_ids[r.department], r.period_code, r.status, r.percent, r.narrative, r.problems, r.next_steps)
        for r in plan.tasks_to_write])


def _insert_many(session: Session, table: Table, columns: tuple[str, ...], shared: dict[str, object],
                 rows: list[tuple]) -> None:
    """One INSERT for all rows (values in `columns` order, plus `shared` on every row), in the session's transaction.

    Never the ORM's bulk insert: it splits the rows into a statement per run of rows with the same
    NULL columns (a 全市 row among district rows), hundreds of round trips for a large file.
    On SQLite the rows go straight to the driver's executemany: SQLAlchemy's executemany builds a
    parameter dict per row and processes every value of it, which costs twice SQLite's own insert
    (5,000 rows: ~120 ms against ~40 ms). Here the statement is compiled by SQLAlchemy as usual (once
    per table), the columns' own bind processors are applied (only SQLite's float has one, and it is
    skipped when every value already is a float or None), and the shared values (the submission's
    id and time) are processed once.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    names = [*columns, *shared]
    if dialect.name == "sqlite":
        sql = _driver_insert(table, tuple(names), dialect)
        if sql is not None:
            types = {c: table.c[c].type.dialect_impl(dialect) for c in names}
            tail = tuple(_bound(types[c], dialect, v) for c, v in shared.items())
            for i, c in enumerate(columns):
                process = types[c].bind_processor(dialect)
                if process is not None and not _unchanged_by(process, (r[i] for r in rows)):
                    rows = [(*r[:i], process(r[i]), *r[i + 1:]) for r in rows]
            conn.exec_driver_sql(sql, [r + tail for r in rows])
            return
    session.execute(insert(table), [{**dict(zip(columns, r)), **shared} for r in rows])


_DRIVER_INSERTS: dict[tuple, str | None] = {}


def _driver_insert(table: Table, names: tuple[str, ...], dialect) -> str | None:
    """The INSERT as SQLAlchemy compiles it for this dialect, when its parameters are `names` in order."""
    key = (table, names, dialect.name, dialect.paramstyle)
    if key not in _DRIVER_INSERTS:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
        _DRIVER_INSERTS[key] = compiled.string if list(compiled.positiontup or ()) == list(names) else None
    return _DRIVER_INSERTS[key]


def _unchanged_by(process, values) -> bool:
    """SQLite's float processor leaves floats and None as they are; validated values are nothing else."""
    return getattr(process, "__name__", "") == "to_float" and all(v is None or v.__class__ is float for v in values)


def _bound(type_, dialect, value: object) -> object:
    process = type_.bind_processor(dialect)
    return process(value) if process else value


def undo_submission(submission_id: int, user: str, department: str | None = None, *, reason: str = "",
                    guard: Callable[[Session, m.Submission], None] | None = None) -> dict:
    """Withdraw a submission: its rows stop counting and the earlier values are current again.

    A pending one may be withdrawn too. With a department (a department's account) only that
    department's submissions may be withdrawn. `guard(session, submission)` runs inside the write
    transaction and raises CommitRefused to write nothing (services.submissions.undo: who may withdraw
    what). The rows stay for history; the undo is audited with its reason.
    """
    with session_scope() as session:
        sub = _submission(session, submission_id, department)
        if sub.state not in (*COUNTED_STATES, "pending"):
            raise CommitRefused(f"提交编号 {submission_id} 当前状态为“{sub.state}”，不能撤销")
        if guard is not None:
            guard(session, sub)
        counted = sub.state in COUNTED_STATES
        sub.state = "undone"
        sub.undone_by = user
        sub.undone_at = m.utcnow()
        if counted:
            session.flush()
            refresh_submission(session, submission_id)
        session.add(m.AuditLog(user_name=user, action="undo", detail=json.dumps(
            {"submission_id": submission_id, "filename": sub.filename, "sha256": sub.sha256,
             "was": "counted" if counted else "pending", "reason": reason}, ensure_ascii=False)))
        bump_data_version(session)
        return {"submission_id": submission_id, "state": "undone"}


def _submission(session: Session, submission_id: int, department: str | None) -> m.Submission:
    sub = session.get(m.Submission, submission_id)
    if sub is None:
        raise CommitRefused(f"提交编号 {submission_id} 不存在")
    if department is not None:
        own = session.execute(select(m.Department.id).where(m.Department.name == department)).scalar()
        if sub.department_id != own:
            raise CommitRefused(f"提交编号 {submission_id} 不是本部门的报送")
    return sub


def review_submission(submission_id: int, reviewer: str, approve: bool, reason: str = "",
                      guard: Callable[[Session], None] | None = None) -> dict:
    """The office's decision on a pending submission: approved rows count from now on; returned
    rows never count and the department sees the reason and uploads a correction.
    `guard(session)` runs inside the write transaction and raises CommitRefused to write nothing."""
    reason = reason.strip()
    if not approve and not reason:
        raise CommitRefused("退回时必须填写退回原因，部门据此修改")
    with session_scope() as session:
        if guard is not None:
            guard(session)
        sub = _submission(session, submission_id, None)
        if sub.state != "pending":
            raise CommitRefused(f"提交编号 {submission_id} 当前状态为“{sub.state}”，不在待审核中")
        sub.state = "approved" if approve else "returned"
        sub.reviewed_by, sub.reviewed_at, sub.review_reason = reviewer, m.utcnow(), reason
        if approve:  # a returned submission never counted: nothing in force changes
            session.flush()
            refresh_submission(session, submission_id)
        session.add(m.AuditLog(user_name=reviewer, action="approve" if approve else "return", detail=json.dumps(
            {"submission_id": submission_id, "filename": sub.filename, "reason": reason}, ensure_ascii=False)))
        bump_data_version(session)
        return {"submission_id": submission_id, "state": sub.state}


def submission_file(submission_id: int) -> tuple[str, bytes, str] | None:
    """The original file of a submission as (filename, bytes, mime); None when none was kept."""
    with session_scope() as session:
        row = session.execute(
            select(m.Submission.filename, m.SubmissionFile.content, m.SubmissionFile.mime)
            .join(m.SubmissionFile, m.SubmissionFile.submission_id == m.Submission.id)
            .where(m.Submission.id == submission_id)).first()
    return (row[0], bytes(row[1]), row[2]) if row else None
