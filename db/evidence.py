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
