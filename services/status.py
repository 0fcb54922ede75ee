"""Statuses of the targets and tasks (总览, 目标指标), computed by the status engine once per data version.

Each period is judged by the catalogue version in force then (db.catalogue_versions.targets_at / tasks_at):
a revised catalogue does not re-judge earlier periods."""
from __future__ import annotations

import pandas as pd

from core import overview, target_views
from core.settings import load_settings
from core.status_report import status_report as _status_report
from db import catalogue_versions, overview_reads, queries
from services.cache import cached


@cached
def target_statuses(period: str) -> pd.DataFrame:
    return overview.target_statuses(catalogue_versions.targets_at(period),
                                    queries.current_values(up_to_period=period, city_only=True),
                                    period)


@cached
def task_statuses(period: str) -> pd.DataFrame:
    return overview.task_statuses(catalogue_versions.tasks_at(period), queries.current_progress(up_to_period=period),
                                  period)


@cached
def share_on_track(period: str) -> pd.DataFrame:
    return overview.share_on_track(queries.targets(), queries.current_values(up_to_period=period, city_only=True),
                                   queries.tasks(), queries.current_progress(up_to_period=period),
                                   load_settings().first_period, period, catalogue_versions.versions())


@cached
def shows_demo(period: str) -> bool:
    """Whether the values or task reports in force up to `period` include demo data (the page's warning)."""
    return bool(queries.current_values(up_to_period=period, city_only=True)["is_demo"].any()
                or queries.current_progress(up_to_period=period)["is_demo"].any())


@cached
def target_table(period: str) -> pd.DataFrame:
    """Every target with its latest city value up to `period` and its status (core.target_views.target_table)."""
    return target_views.target_table(catalogue_versions.targets_at(period),
                                     queries.current_values(up_to_period=period, city_only=True),
                                     period)


# SQL reads of the 总览 cockpit, cached like the rest.
reports_by_department = cached(overview_reads.reports_by_department)
period_deadline = cached(overview_reads.period_deadline)


def status_report(period: str) -> dict:
    """Every target's and task's status with its explanation (manage.py report); uncached, run once."""
    return _status_report(catalogue_versions.targets_at(period),
                          queries.current_values(up_to_period=period, city_only=True),
                          catalogue_versions.tasks_at(period), queries.current_progress(up_to_period=period), period)
