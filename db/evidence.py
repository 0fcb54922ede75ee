"""佐证材料 in the database: written inside the caller's transaction (files are checked and hashed before,
by core.evidence), listed without their bytes, read back one at a time for a download."""
from __future__ import annotations

import pandas as pd
from sqlmodel import Session

from core.evidence import CheckedFile
from core.timeutil import CHINA_TZ
from db import models as m
from db.engine import get_engine
from db.queries import _frame

NOTICE_REPLY = "notice_reply"


def add_files(session: Session, files: list[CheckedFile], *, owner_kind: str, owner_id: int, by: str,
              notice_id: int | None = None, department_id: int | None = None) -> list[int]:
    rows = [m.EvidenceFile(owner_kind=owner_kind, owner_id=owner_id, notice_id=notice_id, department_id=department_id,
                           filename=f.filename, extension=f.extension, mime=f.mime, size=f.size, sha256=f.sha256,
                           content=f.content, uploaded_by=by) for f in files]
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
