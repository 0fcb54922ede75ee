"""Reads for the submission history (报送记录): SQL returning DataFrames; services.history caches them."""
from __future__ import annotations

import pandas as pd

from db.queries import _frame

_HISTORY = """
    SELECT s.id, s.created_at, s.user_name, d.name AS department, s.period_code, s.source, s.filename,
           s.state, s.rows_read, s.inserted, s.updated, s.unchanged, s.rejected, s.is_demo,
           s.undone_by, s.undone_at, s.reviewed_by, s.reviewed_at, s.review_reason, s.note,
           (f.submission_id IS NOT NULL) AS has_file
    FROM submission s
    LEFT JOIN department d ON d.id = s.department_id
    LEFT JOIN submissionfile f ON f.submission_id = s.id
    WHERE (CAST(:dept AS TEXT) IS NULL OR d.name = :dept) AND (CAST(:period AS TEXT) IS NULL OR s.period_code = :period)
      AND (CAST(:state AS TEXT) IS NULL OR s.state = :state)
    ORDER BY s.id DESC
    LIMIT :limit
"""


def submission_history(department: str | None = None, period: str | None = None, limit: int = 500,
                       state: str | None = None) -> pd.DataFrame:
    """Submissions, newest first, optionally for one department, one period and/or one state."""
    df = _frame(_HISTORY, dept=department, period=period, limit=limit, state=state)
    for col in ("is_demo", "has_file"):
        df[col] = df[col].astype(bool)
    return df


def live_submission_for_sha(sha256: str) -> int | None:
    """The id of a counted or pending (not undone or returned) submission of this exact file, if any."""
    df = _frame("SELECT id FROM submission WHERE sha256 = :sha AND sha256 != '' "
                "AND state IN ('committed', 'approved', 'pending') "
                "ORDER BY id LIMIT 1", sha=sha256)
    return None if df.empty else int(df["id"].iloc[0])


def submission_values(submission_id: int) -> pd.DataFrame:
    """The indicator values a submission carries, for the office's review."""
    return _frame("""
        SELECT v.target_id, t.name AS target, COALESCE(di.name, '全市') AS district, v.period_code, v.value, t.unit,
               v.data_source, v.note
        FROM indicatorvalue v JOIN target t ON t.id = v.target_id LEFT JOIN district di ON di.adcode = v.district_adcode
        WHERE v.submission_id = :sid ORDER BY v.id""", sid=submission_id)


def submission_progress(submission_id: int) -> pd.DataFrame:
    """The task progress rows a submission carries, for the office's review."""
    return _frame("""
        SELECT p.task_id, k.title AS task, d.name AS department, p.period_code, p.status, p.percent, p.narrative
        FROM taskprogress p JOIN task k ON k.id = p.task_id JOIN department d ON d.id = p.department_id
        WHERE p.submission_id = :sid ORDER BY p.id""", sid=submission_id)


def submission_note(submission_id: int) -> str:
    """The submission's 说明 (why values the second look warned about are right), "" when none."""
    df = _frame("SELECT note FROM submission WHERE id = :sid", sid=submission_id)
    return "" if df.empty or df["note"].iloc[0] is None else str(df["note"].iloc[0])
