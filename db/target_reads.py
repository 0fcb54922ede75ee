"""Reads behind the 目标指标 page, for caching with db.cached.read (per data version and period)."""
from __future__ import annotations

import pandas as pd

from core import target_views
from db import queries


def target_table(period: str) -> pd.DataFrame:
    """Every target with its latest city value up to `period` and its status (core.target_views.target_table)."""
    return target_views.target_table(queries.targets(), queries.current_values(up_to_period=period, city_only=True),
                                     period)
