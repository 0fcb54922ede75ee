"""Writes of progress reports: commit a validated import, undo a submission, fetch its original file.

Every write is one transaction (db.engine.session_scope): a failure anywhere leaves the
database exactly as it was. Value rows are append-only; an undone submission keeps its rows
for history and simply stops counting (db.queries reads only COUNTED_STATES).
"""
from __future__ import annotations

import json

from sqlalchemy import insert, select
from sqlmodel import Session

from core.importer.model import ChangePlan, ImportResult
from core.reporting import COUNTED_STATES
from db import models as m
from db.engine import bump_data_version, session_scope

SOURCES = ("upload", "online", "cli")


class CommitRefused(ValueError):
    """The import cannot be committed as asked; the message is Chinese and nothing was written."""


def commit_import(result: ImportResult, plan: ChangePlan, *, user: str, source: str, file_bytes: bytes,
                  mime: str, department: str | None, period: str | None) -> dict:
    """Write the plan's new and changed rows as one submission, all or nothing.

    Returns submission_id, inserted, updated, unchanged, rejected, duplicate. When a counted
    (not undone) submission already has this file's SHA-256, nothing is written and
    duplicate is True with that submission's id.
    """
    if source not in SOURCES:
        raise CommitRefused(f"未知的报送方式“{source}”")
    if result.blocking:
        # Sheet-level problems (missing sheet, unreadable header) leave no row trustworthy.
        raise CommitRefused("文件存在整表性问题，不能入库；请按问题清单修改后重新上传")
    counts = {"inserted": len(plan.new), "updated": len(plan.changed), "unchanged": len(plan.unchanged),
              "rejected": len(result.rejected_rows)}
    with session_scope() as session:
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
            sha256=result.sha256, state="committed", rows_read=result.rows_read, **counts)
        session.add(submission)
        session.flush()
        session.add(m.SubmissionFile(submission_id=submission.id, content=file_bytes, mime=mime))
        _insert_rows(session, plan, submission, dept_ids)
        session.add(m.AuditLog(user_name=user, action="upload", detail=json.dumps(
            {"submission_id": submission.id, "filename": result.filename, "sha256": result.sha256,
             "source": source, **counts}, ensure_ascii=False)))
        bump_data_version(session)
        return {"submission_id": submission.id, **counts, "duplicate": False}


def _live_submission_with_sha(session: Session, sha256: str) -> int | None:
    if not sha256:
        return None
    return session.execute(
        select(m.Submission.id).where(m.Submission.sha256 == sha256, m.Submission.state != "undone")
        .order_by(m.Submission.id).limit(1)).scalar()


def _insert_rows(session: Session, plan: ChangePlan, submission: m.Submission, dept_ids: dict[str, int]) -> None:
    now = submission.created_at
    values = [{"target_id": r.target_id, "district_adcode": r.district_adcode, "period_code": r.period_code,
               "value": r.value, "data_source": r.data_source, "note": r.note,
               "submission_id": submission.id, "created_at": now} for r in plan.indicators_to_write]
    unknown = sorted({r.department for r in plan.tasks_to_write if r.department not in dept_ids})
    if unknown:
        raise CommitRefused(f"部门“{'、'.join(unknown)}”不在计划目录中")
    progress = [{"task_id": r.task_id, "department_id": dept_ids[r.department], "period_code": r.period_code,
                 "status": r.status, "percent": r.percent, "narrative": r.narrative, "problems": r.problems,
                 "next_steps": r.next_steps, "submission_id": submission.id, "created_at": now}
                for r in plan.tasks_to_write]
    if values:
        session.execute(insert(m.IndicatorValue), values)
    if progress:
        session.execute(insert(m.TaskProgress), progress)


def undo_submission(submission_id: int, user: str) -> dict:
    """Withdraw a submission: its rows stop counting and the earlier values are current again.

    The rows stay for history; the undo is written to the audit log.
    """
    with session_scope() as session:
        sub = session.get(m.Submission, submission_id)
        if sub is None:
            raise CommitRefused(f"提交编号 {submission_id} 不存在")
        if sub.state not in COUNTED_STATES:
            raise CommitRefused(f"提交编号 {submission_id} 当前状态为“{sub.state}”，不能撤销")
        sub.state = "undone"
        sub.undone_by = user
        sub.undone_at = m.utcnow()
        session.add(m.AuditLog(user_name=user, action="undo", detail=json.dumps(
            {"submission_id": submission_id, "filename": sub.filename, "sha256": sub.sha256},
            ensure_ascii=False)))
        bump_data_version(session)
        return {"submission_id": submission_id, "state": "undone"}


def submission_file(submission_id: int) -> tuple[str, bytes, str] | None:
    """The original file of a submission as (filename, bytes, mime); None when none was kept."""
    with session_scope() as session:
        row = session.execute(
            select(m.Submission.filename, m.SubmissionFile.content, m.SubmissionFile.mime)
            .join(m.SubmissionFile, m.SubmissionFile.submission_id == m.Submission.id)
            .where(m.Submission.id == submission_id)).first()
    return (row[0], bytes(row[1]), row[2]) if row else None
