"""Reads for the submission history (报送记录): SQL returning DataFrames; pages use cached.read()."""
from __future__ import annotations

import pandas as pd

from db.queries import _frame

_HISTORY = """
    SELECT s.id, s.created_at, s.user_name, d.name AS department, s.period_code, s.source, s.filename,
           s.state, s.rows_read, s.inserted, s.updated, s.unchanged, s.rejected, s.is_demo,
           s.undone_by, s.undone_at, (f.submission_id IS NOT NULL) AS has_file
    FROM submission s
    LEFT JOIN department d ON d.id = s.department_id
    LEFT JOIN submissionfile f ON f.submission_id = s.id
    WHERE (:dept IS NULL OR d.name = :dept) AND (:period IS NULL OR s.period_code = :period)
    ORDER BY s.id DESC
    LIMIT :limit
"""


def submission_history(department: str | None = None, period: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Submissions, newest first, optionally for one department and/or one period."""
    df = _frame(_HISTORY, dept=department, period=period, limit=limit)
    for col in ("is_demo", "has_file"):
        df[col] = df[col].astype(bool)
    return df


def live_submission_for_sha(sha256: str) -> int | None:
    """The id of a counted or pending (not undone) submission of this exact file, if any."""
    df = _frame("SELECT id FROM submission WHERE sha256 = :sha AND sha256 != '' AND state != 'undone' "
                "ORDER BY id LIMIT 1", sha=sha256)
    return None if df.empty else int(df["id"].iloc[0])
