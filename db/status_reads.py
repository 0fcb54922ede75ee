"""Statuses computed from the database, for caching with db.cached.read.

Pages ask for these on every rerun; the status engine over all periods is the costly
part, so it runs once per data version instead of once per click.
"""
from __future__ import annotations

import pandas as pd

from core import overview
from core.settings import load_settings
from db import queries


def target_statuses(period: str) -> pd.DataFrame:
    return overview.target_statuses(queries.targets(), queries.current_values(up_to_period=period, city_only=True),
                                    period)


def task_statuses(period: str) -> pd.DataFrame:
    return overview.task_statuses(queries.tasks(), queries.current_progress(up_to_period=period), period)


def share_on_track(period: str) -> pd.DataFrame:
    return overview.share_on_track(queries.targets(), queries.current_values(up_to_period=period, city_only=True),
                                   queries.tasks(), queries.current_progress(up_to_period=period),
                                   load_settings().first_period, period)


def shows_demo(period: str) -> bool:
    """Whether the values or task reports in force up to `period` include demo data (the page's warning)."""
    return bool(queries.current_values(up_to_period=period, city_only=True)["is_demo"].any()
                or queries.current_progress(up_to_period=period)["is_demo"].any())
