"""SQL reads behind the 部门记分卡 (services.scoring caches them and runs the scoring engine)."""
from __future__ import annotations

import pandas as pd

from core.reporting import COUNTED_STATES
from core.scoring import Scoreboard, ScoringInputs, build_scoreboard
from core.timeutil import CHINA_TZ
from db import catalogue_versions, queries
from db.queries import _frame

# A report waiting for review was sent on time even if the office has not looked at it yet;
# a returned one was not accepted, so it does not stop the clock.
TIMELY_STATES = (*COUNTED_STATES, "pending")

_REPORT_SUMMARY = """
    SELECT d.name AS department, s.period_code,
           MIN(CASE WHEN s.state IN :timely THEN s.created_at END) AS first_at,
           SUM(CASE WHEN s.state <> 'undone' THEN 1 ELSE 0 END) AS submissions,
           SUM(CASE WHEN s.state = 'returned' THEN 1 ELSE 0 END) AS returned,
           SUM(CASE WHEN s.state <> 'undone' AND s.rejected > 0 THEN 1 ELSE 0 END) AS rejected_uploads,
           SUM(CASE WHEN s.state <> 'undone' THEN s.rejected ELSE 0 END) AS rejected_rows,
           MAX(CASE WHEN s.is_demo THEN 1 ELSE 0 END) AS is_demo
    FROM submission s JOIN department d ON d.id = s.department_id
    WHERE s.period_code IS NOT NULL
    GROUP BY d.name, s.period_code
    ORDER BY s.period_code, d.name
"""


def report_summary() -> pd.DataFrame:
    """Per department and period: first timely report (Beijing time), returned and refused uploads."""
    df = _frame(_REPORT_SUMMARY, timely=list(TIMELY_STATES))
    df["first_at"] = pd.to_datetime(df["first_at"], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    for col in ("submissions", "returned", "rejected_uploads", "rejected_rows"):
        df[col] = df[col].fillna(0).astype(int)
    df["is_demo"] = df["is_demo"].fillna(0).astype(bool)
    return df


def department_submissions(department: str) -> pd.DataFrame:
    """One department's reports with the deadline of their period, newest first."""
    return _frame("""
        SELECT s.id, s.period_code, s.created_at, s.source, s.filename, s.state, s.rows_read, s.rejected,
               s.is_demo, s.review_reason, p.deadline
        FROM submission s JOIN department d ON d.id = s.department_id
        LEFT JOIN period p ON p.code = s.period_code
        WHERE d.name = :dept
        ORDER BY s.period_code DESC, s.id DESC""", dept=department)


def scoring_inputs(values: pd.DataFrame | None = None) -> ScoringInputs:
    """Everything a scoreboard reads; `values`: the values in force when the caller already holds them
    (the engines' columns, queries.values_in_force)."""
    return ScoringInputs(
        targets=queries.targets(), values=queries.values_in_force() if values is None else values,
        tasks=queries.tasks(),
        roles=queries.task_departments(), progress=queries.current_progress(), reports=report_summary(),
        periods=queries.periods(), departments=queries.departments(), districts=queries.districts(),
        versions=catalogue_versions.versions(),
    )


def scoreboard(period: str) -> Scoreboard:
    """The whole 记分卡 of one period. Kept for db.meetings (the documents branch moves the meeting
    read-model to services); everything else uses services.scoring.scoreboard, which is cached."""
    return build_scoreboard(scoring_inputs(), period)
