"""SQL reads of the 总览 cockpit (uncached; services.status caches them)."""
from __future__ import annotations

import pandas as pd

from core.reporting import COUNTED_STATES
from core.timeutil import CHINA_TZ
from db.queries import _frame


def reports_by_department() -> pd.DataFrame:
    """Per (department, period): how many counted submissions, the first and the last one (Beijing time)."""
    df = _frame("""
        SELECT d.name AS department, s.period_code, COUNT(*) AS submissions,
               MIN(s.created_at) AS first_at, MAX(s.created_at) AS last_at
        FROM submission s JOIN department d ON d.id = s.department_id
        WHERE s.state IN :counted AND s.period_code IS NOT NULL
        GROUP BY d.name, s.period_code
        ORDER BY d.name, s.period_code""", counted=list(COUNTED_STATES))
    for col in ("first_at", "last_at"):
        df[col] = pd.to_datetime(df[col], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    return df


def period_deadline(period: str):
    """The period's 报送截止 date, or None when the period is not in the calendar."""
    df = _frame("SELECT deadline FROM period WHERE code = :code", code=period)
    return None if df.empty else pd.to_datetime(df["deadline"].iloc[0]).date()
