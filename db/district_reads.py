"""Reads behind the 区县地图, keyed by plain arguments so pages can cache them with cached.read."""
from __future__ import annotations

import pandas as pd

from core.district_views import district_grid, small_multiples
from db import queries


def grid(period: str) -> pd.DataFrame:
    """Every district-level target × district for `period`, with value and status."""
    return district_grid(queries.targets(), queries.current_values(up_to_period=period), queries.districts(), period)


def periods_up_to(period: str) -> list[str]:
    return [p for p in queries.periods()["code"] if p <= period]


def small_multiples_frames(metric: str, target_id: str | None, period: str):
    """The map of `metric` for every period up to `period`, and its shared legend."""
    return small_multiples(metric, queries.targets(), queries.current_values(up_to_period=period),
                           queries.districts(), periods_up_to(period), target_id)
