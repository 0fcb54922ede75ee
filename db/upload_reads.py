"""Reads behind 进度填报's online entry: one department's rows in force for one period.

The form shows one department's rows for one period, so it reads only those, by key: at province
scale the whole set of current values is ~300,000 rows, which the form never needs.
"""
from __future__ import annotations

import pandas as pd

from db.queries import current_progress_where, current_values_where

_DEPARTMENT_TARGETS = """
    AND period_code = :period
    AND target_id IN (SELECT t.id FROM target t JOIN department d ON d.id = t.lead_department_id
                      WHERE d.name = :dept)"""
_DEPARTMENT_PROGRESS = "AND p.period_code = :period AND d.name = :dept"


def department_values(department: str, period: str) -> pd.DataFrame:
    """Values in force for `period` of the targets `department` leads (whole city and districts);
    the columns of db.queries.current_values."""
    return current_values_where(_DEPARTMENT_TARGETS, period=period, dept=department)


def department_progress(department: str, period: str) -> pd.DataFrame:
    """`department`'s own task reports in force for `period`; the columns of db.queries.current_progress."""
    return current_progress_where(_DEPARTMENT_PROGRESS, period=period, dept=department)
