"""Continuity across plans for the screens (issue 15, item 5): a successor's target joined with its
predecessor's series, and the predecessor's targets not carried over.

The links live in the plan folders (targets.csv predecessor/change, plan.toml [continuity]); the values of
the predecessor plan are read `with use_plan(predecessor):` through the same reads as any page, so they come
from the predecessor plan's own database.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from core.catalogue import Catalogue, CatalogueError, load_catalogue
from core.continuity import (
    Continuity,
    JoinedSeries,
    PlanTarget,
    cancelled_note,
    check_links,
    join_series,
    read_continuity,
    split_link,
)
from core.plan_context import current_plan_id, use_plan
from core.plans import PlanError, plan_folder, plan_in
from db import catalogue_versions, queries
from db.engine import data_version
from services.cache import cached


@lru_cache(maxsize=8)
def _catalogue_at(folder: Path, stamp: tuple[float, ...]) -> Catalogue | None:
    try:
        return load_catalogue(folder)
    except CatalogueError:
        return None  # `manage.py catalogue check` reports it; the page shows no link rather than fail


def plan_catalogue(plan_id: str) -> Catalogue | None:
    """A plan's catalogue from its folder, re-read when a file changes; None when there is none."""
    folder = plan_folder(plan_id)
    files = [folder / f for f in ("targets.csv", "tasks.csv", "departments.csv", "plan.toml")]
    if not files[0].is_file():
        return None
    return _catalogue_at(folder, tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files))


def continuity(plan_id: str | None = None) -> Continuity:
    return read_continuity(plan_folder(plan_id or current_plan_id()))


def link_problems(folder: Path, catalogue: Catalogue) -> list[str]:
    """A plan folder's continuity against its predecessor (core.continuity.check_links); the predecessor is
    looked for beside the folder, then among the plans. CatalogueError when the predecessor's is invalid."""
    links = read_continuity(folder)
    if not links.predecessor:
        return check_links(catalogue, links, None)
    beside = Path(folder).parent / links.predecessor
    previous = beside if (beside / "targets.csv").is_file() else plan_folder(links.predecessor)
    if not (previous / "targets.csv").is_file():
        return [f"plan.toml 的 predecessor = “{links.predecessor}”：找不到该方案的文件夹（{previous}）"]
    return check_links(catalogue, links, load_catalogue(previous))


def cancelled_targets_note(plan_id: str | None = None) -> str:
    """“上一方案（2018-2020）中不再延续（取消）的指标：T05 …。”, "" when nothing was cancelled."""
    links = continuity(plan_id)
    if not links.predecessor:
        return ""
    return cancelled_note(links, plan_catalogue(links.predecessor))


def joined_series(target_id: str) -> JoinedSeries | None:
    """The target's series joined with its predecessor's (core.continuity.join_series), None when the
    target names no predecessor."""
    plan_id = current_plan_id()
    target = _linked_target(plan_id, target_id)
    if target is None:
        return None
    with use_plan(split_link(target.predecessor)[0]):
        # `cached` keys by the current plan's data version; the predecessor may still be active and written
        # (both plans side by side), so its version is part of the key too.
        before_version = data_version()
    return _joined(plan_id, target_id, before_version)


def _linked_target(plan_id: str, target_id: str):
    catalogue = plan_catalogue(plan_id)
    target = next((t for t in catalogue.targets if t.id == target_id), None) if catalogue else None
    if target is None or not target.predecessor or target.change not in ("继承", "调整"):
        return None
    return target


@cached
def _joined(plan_id: str, target_id: str, before_version: int) -> JoinedSeries | None:
    target = _linked_target(plan_id, target_id)
    if target is None:
        return None
    before_plan, before_id = split_link(target.predecessor)
    try:
        plan, previous = plan_in(plan_folder(plan_id)), plan_in(plan_folder(before_plan))
    except (PlanError, OSError):
        return None
    after_targets, after_values = _targets_at(plan.first_period), _city_values(target_id)
    with use_plan(before_plan):  # the predecessor plan's own data
        before_targets, before_values = _targets_at(previous.last_period), _city_values(before_id)
    return _join(after_targets, after_values, before_targets, before_values, plan_id, target_id, before_plan,
                 before_id, plan.first_period, target.change)


def _targets_at(period: str) -> pd.DataFrame:
    """The plan in use's targets as in force at `period` (its definition where the plans meet)."""
    return catalogue_versions.targets_at(period)


def _city_values(target_id: str) -> pd.DataFrame:
    return queries.current_values(target_id=target_id, city_only=True)


def _join(after_targets: pd.DataFrame, after_values: pd.DataFrame, before_targets: pd.DataFrame,
          before_values: pd.DataFrame, plan_id: str, target_id: str, before_plan: str, before_id: str,
          boundary: str, change: str) -> JoinedSeries | None:
    after_row = after_targets[after_targets["id"] == target_id]
    before_row = before_targets[before_targets["id"] == before_id]
    if after_row.empty or before_row.empty:
        return None
    return join_series(before_values, after_values, PlanTarget.from_row(before_plan, before_row.iloc[0]),
                       PlanTarget.from_row(plan_id, after_row.iloc[0]), boundary, change)
