"""佐证材料 in the database: written inside the caller's transaction (files are checked and hashed before,
by core.evidence), listed without their bytes, read back one at a time for a download."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from core.evidence import CheckedFile
from core.timeutil import CHINA_TZ
from db import models as m
from db.engine import get_engine
from db.queries import _frame

NOTICE_REPLY = "notice_reply"


TASK_REPORT = "task_report"
INDICATOR_VALUE = "indicator_value"
# Files of a submission the office returned or that was withdrawn back nothing any more.
_LIVE_SUBMISSION = ("committed", "approved", "pending")


def add_files(session: Session, files: list[CheckedFile], *, owner_kind: str, owner_id: int, by: str,
              notice_id: int | None = None, department_id: int | None = None, **cell) -> list[int]:
    """`cell` (task reports and values): submission_id, task_id, target_id, district_adcode, period_code."""
    rows = [m.EvidenceFile(owner_kind=owner_kind, owner_id=owner_id, notice_id=notice_id, department_id=department_id,
                           filename=f.filename, extension=f.extension, mime=f.mime, size=f.size, sha256=f.sha256,
                           content=f.content, uploaded_by=by, **cell) for f in files]
    session.add_all(rows)
    session.flush()
    return [r.id for r in rows]


def evidence_list(notice_id: int | None = None) -> pd.DataFrame:
    """Files of one notice (or all), without their bytes."""
    where = "WHERE e.notice_id = :nid" if notice_id is not None else ""
    df = _frame(f"""
        SELECT e.id, e.owner_kind, e.owner_id, e.notice_id, d.name AS department, e.filename, e.extension, e.size,
               e.sha256, e.uploaded_by, e.uploaded_at
        FROM evidencefile e LEFT JOIN department d ON d.id = e.department_id {where}
        ORDER BY e.id""", **({"nid": int(notice_id)} if notice_id is not None else {}))
    df["uploaded_at"] = pd.to_datetime(df["uploaded_at"], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    return df


def evidence_file(evidence_id: int) -> dict | None:
    """One file with its bytes and the department that owns it (for the download check)."""
    with Session(get_engine()) as session:
        row = session.get(m.EvidenceFile, int(evidence_id))
        if row is None:
            return None
        dept = session.get(m.Department, row.department_id).name if row.department_id else None
        return {"id": row.id, "filename": row.filename, "mime": row.mime, "content": row.content,
                "sha256": row.sha256, "department": dept, "notice_id": row.notice_id}


# --- 佐证材料 of task reports and indicator values (issue 16) ----------------------------------------------


def task_cell_evidence_ids(session: Session, task_id: int, department_id: int, period_code: str) -> list[int]:
    """Ids of the files backing a task cell, from live submissions, read inside the caller's transaction."""
    return list(session.execute(
        select(m.EvidenceFile.id).join(m.Submission, m.Submission.id == m.EvidenceFile.submission_id)
        .where(m.EvidenceFile.owner_kind == TASK_REPORT, m.EvidenceFile.task_id == task_id,
               m.EvidenceFile.department_id == department_id, m.EvidenceFile.period_code == period_code,
               m.Submission.state.in_(_LIVE_SUBMISSION))
        .order_by(m.EvidenceFile.id)).scalars())


def report_evidence(task_id: int | None = None, department: str | None = None, period_code: str | None = None,
                    submission_id: int | None = None) -> pd.DataFrame:
    """Files of task reports and indicator values (without their bytes), with their submission's state;
    filtered by task, department, period or submission."""
    clauses, params = [], {}
    for column, key, value in (("e.task_id", "tid", task_id), ("d.name", "dept", department),
                               ("e.period_code", "period", period_code), ("e.submission_id", "sid", submission_id)):
        if value is not None:
            clauses.append(f"AND {column} = :{key}")
            params[key] = value
    df = _frame(f"""
        SELECT e.id, e.owner_kind, e.task_id, e.target_id, COALESCE(di.name, '') AS district, e.period_code,
               d.name AS department, e.submission_id, s.state AS submission_state, e.filename, e.extension, e.size,
               e.sha256, e.uploaded_by, e.uploaded_at
        FROM evidencefile e JOIN submission s ON s.id = e.submission_id
        LEFT JOIN department d ON d.id = e.department_id
        LEFT JOIN district di ON di.adcode = e.district_adcode
        WHERE e.owner_kind IN ('{TASK_REPORT}', '{INDICATOR_VALUE}') {" ".join(clauses)}
        ORDER BY e.id""", **params)
    df["uploaded_at"] = pd.to_datetime(df["uploaded_at"], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    df["live"] = df["submission_state"].isin(_LIVE_SUBMISSION)
    return df


def add_cell_files(session: Session, files: list[CheckedFile], *, by: str, submission_id: int,
                   department: str | None, period_code: str, token: str, task_id: int | None = None,
                   target_id: str | None = None, district_adcode: str | None = None,
                   reopen_state: str | None = None) -> list[int]:
    """Files of one task cell or value cell, inside the caller's transaction (the caller has authorised),
    audited. New files for a task report whose check is in `reopen_state` (the office returned it, 退回)
    put it back to 待核验 ("")."""
    from db.users import audit

    dept_id = session.execute(select(m.Department.id).where(m.Department.name == department)).scalar() \
        if department else None
    kind = TASK_REPORT if task_id is not None else INDICATOR_VALUE
    ids = add_files(session, files, owner_kind=kind, owner_id=submission_id, by=by, department_id=dept_id,
                    submission_id=submission_id, period_code=period_code, task_id=task_id, target_id=target_id,
                    district_adcode=district_adcode)
    audit(session, by, "evidence_add", submission_id=submission_id, cell=token,
          files=[{"id": i, "name": f.filename, "sha256": f.sha256} for i, f in zip(ids, files)])
    if task_id is not None and dept_id is not None:
        check = session.execute(select(m.TaskVerification).where(
            m.TaskVerification.task_id == task_id, m.TaskVerification.department_id == dept_id,
            m.TaskVerification.period_code == period_code)).scalar()
        if check is not None and reopen_state and check.state == reopen_state:
            check.state = ""
            audit(session, by, "task_verify_reopen", task=task_id, period=period_code, returned_reason=check.reason)
    return ids


def with_report_in_force(task_id: int, department: str, period_code: str, write):
    """write(session, submission_id of the task report in force or None) inside one write transaction."""
    from db.engine import bump_data_version, session_scope

    with session_scope() as session:
        dept_id = session.execute(select(m.Department.id).where(m.Department.name == department)).scalar()
        row = None if dept_id is None else session.get(m.CurrentProgress, (task_id, dept_id, period_code))
        out = write(session, None if row is None else row.submission_id)
        bump_data_version(session)
        return out
