"""Read-models of the 区县地图, cached per data version."""
from __future__ import annotations

import pandas as pd

from core.district_views import district_grid, small_multiples, target_value_breaks
from db import catalogue_versions, queries
from services.cache import cached, values_up_to

# Thumbnails of the latest three years: the plan's own span (12 quarters) is shown whole, while
# a province's ten years would be 40 maps no one compares and minutes of work after every write.
SMALL_MULTIPLE_PERIODS = 12


@cached
def grid(period: str) -> pd.DataFrame:
    """Every district-level target × district for `period`, with value and status."""
    return district_grid(catalogue_versions.targets_at(period), values_up_to(period), queries.districts(), period)


@cached
def value_breaks(target_id: str, period: str) -> tuple[float, ...]:
    """Class breaks of a target's district values up to `period` (one legend for every period)."""
    return target_value_breaks(queries.current_values(up_to_period=period, target_id=target_id), target_id, period)


def periods_up_to(period: str) -> list[str]:
    return [p for p in queries.periods()["code"] if p <= period]


@cached
def small_multiple_periods(period: str) -> tuple[list[str], int]:
    """The periods the small multiples show (the latest SMALL_MULTIPLE_PERIODS) and how many exist."""
    every = periods_up_to(period)
    return every[-SMALL_MULTIPLE_PERIODS:], len(every)


@cached
def small_multiples_frames(metric: str, target_id: str | None, period: str):
    """The map of `metric` for each shown period up to `period`, and its shared legend."""
    shown, _ = small_multiple_periods.uncached(period)
    return small_multiples(metric, queries.targets(), values_up_to(period), queries.districts(), shown, target_id,
                           catalogue_versions.versions())
