"""Reads behind 进度填报's online entry, for caching with db.cached.read.

The form shows one department's rows for one period, so it reads only those in force, in SQL:
at province scale the whole set of current values is ~300,000 rows, which the form never needs.
"""
from __future__ import annotations

import pandas as pd

from core.reporting import COUNTED_STATES
from db.queries import _CURRENT_PROGRESS, _CURRENT_VALUES, _frame

_DEPARTMENT_TARGETS = """
    AND iv.period_code = :period
    AND iv.target_id IN (SELECT t.id FROM target t JOIN department d ON d.id = t.lead_department_id
                         WHERE d.name = :dept)"""
_DEPARTMENT_PROGRESS = """
    AND tp.period_code = :period
    AND tp.department_id IN (SELECT d.id FROM department d WHERE d.name = :dept)"""


def department_values(department: str, period: str) -> pd.DataFrame:
    """Values in force for `period` of the targets `department` leads (whole city and districts);
    the columns of db.queries.current_values."""
    df = _frame(_CURRENT_VALUES.format(where=_DEPARTMENT_TARGETS), counted=list(COUNTED_STATES),
                period=period, dept=department)
    df["district_adcode"] = df["district_adcode"].fillna("").astype(str)
    df["is_demo"] = df["is_demo"].astype(bool)
    return df


def department_progress(department: str, period: str) -> pd.DataFrame:
    """`department`'s own task reports in force for `period`; the columns of db.queries.current_progress."""
    df = _frame(_CURRENT_PROGRESS.format(where=_DEPARTMENT_PROGRESS), counted=list(COUNTED_STATES),
                period=period, dept=department)
    df["is_demo"] = df["is_demo"].astype(bool)
    return df
