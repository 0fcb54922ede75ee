"""Continuity across plans (issue 15, item 5): a successor plan's target carries on a predecessor's. Pure.

targets.csv / tasks.csv say it per row (core.catalogue: predecessor "2018-2020/T02", change 继承 / 调整 /
新增); a predecessor's item not carried over (取消) is listed in the successor's plan.toml:

    [continuity]
    cancelled = ["T05", 7]      # the predecessor's target ids; task numbers as numbers (or digit strings)

join_series puts the predecessor's values and the successor's on one time line, with the plan boundary and
both targets, so the target detail can show how the city got here and where the target changed.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pandas as pd

from core.catalogue import Catalogue
from core.periods import period_from_code
from core.status import fmt


@dataclass(frozen=True)
class Continuity:
    predecessor: str = ""  # plan.toml's predecessor (plan id), "" for none
    cancelled_targets: tuple[str, ...] = ()
    cancelled_tasks: tuple[int, ...] = ()


def read_continuity(plan_dir: Path) -> Continuity:
    """plan.toml's predecessor and [continuity] cancelled (core.plans.read_plan checks the rest of the file)."""
    file = Path(plan_dir) / "plan.toml"
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raw = {}
    cancelled = (raw.get("continuity") or {}).get("cancelled", []) or []
    tasks = tuple(int(c) for c in cancelled if isinstance(c, int) or str(c).strip().isdigit())
    targets = tuple(str(c).strip() for c in cancelled if not (isinstance(c, int) or str(c).strip().isdigit()))
    return Continuity(str(raw.get("predecessor", "")).strip(), targets, tasks)


def split_link(link: str) -> tuple[str, str]:
    """“2018-2020/T02” → ("2018-2020", "T02")."""
    plan, _, item = link.partition("/")
    return plan, item


def check_links(catalogue: Catalogue, continuity: Continuity, previous: Catalogue | None) -> list[str]:
    """Problems of the links against the predecessor plan (Chinese, naming file, row and fix); `previous`:
    the predecessor's catalogue (None when plan.toml names none)."""
    problems: list[str] = []
    rows = [("targets.csv", i, t.id, t.predecessor) for i, t in enumerate(catalogue.targets, 2)]
    rows += [("tasks.csv", i, str(t.id), t.predecessor) for i, t in enumerate(catalogue.tasks, 2)]
    known_targets = {t.id for t in previous.targets} if previous else set()
    known_tasks = {str(t.id) for t in previous.tasks} if previous else set()
    carried: dict[str, set[str]] = {"targets.csv": set(), "tasks.csv": set()}
    for file, row, _, link in rows:
        if not link:
            continue
        plan, item = split_link(link)
        if plan != continuity.predecessor:
            fix = (f"应为 plan.toml 的 predecessor（{continuity.predecessor}）" if continuity.predecessor
                   else "plan.toml 没有写 predecessor：请先写明上一方案的编号")
            problems.append(f"{file} 第{row}行 predecessor 列：“{link}”的方案编号{fix}")
            continue
        known = known_targets if file == "targets.csv" else known_tasks
        if previous is not None and item not in known:
            problems.append(f"{file} 第{row}行 predecessor 列：上一方案（{plan}）中没有“{item}”")
        carried[file].add(item)
    for tid in continuity.cancelled_targets:
        if previous is not None and tid not in known_targets:
            problems.append(f"plan.toml [continuity] cancelled：上一方案中没有指标“{tid}”")
        elif tid in carried["targets.csv"]:
            problems.append(f"plan.toml [continuity] cancelled：指标“{tid}”已由本方案继承或调整，不能又列为取消")
    for tid in continuity.cancelled_tasks:
        if previous is not None and str(tid) not in known_tasks:
            problems.append(f"plan.toml [continuity] cancelled：上一方案中没有任务 {tid}")
        elif str(tid) in carried["tasks.csv"]:
            problems.append(f"plan.toml [continuity] cancelled：任务 {tid} 已由本方案继承或调整，不能又列为取消")
    return problems


def cancelled_note(continuity: Continuity, previous: Catalogue | None) -> str:
    """The short note on the successor's 指标 list: which of the predecessor's targets were not carried over."""
    if not continuity.cancelled_targets:
        return ""
    names = {t.id: t.name for t in previous.targets} if previous else {}
    items = "、".join(f"{tid} {names[tid]}" if tid in names else tid for tid in continuity.cancelled_targets)
    return f"上一方案（{continuity.predecessor}）中不再延续（取消）的指标：{items}。"


# --- the joined series --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanTarget:
    """One plan's definition of the target, as the join needs it."""

    plan_id: str
    target_id: str
    name: str
    unit: str
    comparator: str
    target_value: float
    target_year: int

    @classmethod
    def from_row(cls, plan_id: str, row: Mapping) -> "PlanTarget":
        return cls(plan_id, str(row["id"]), str(row["name"]), str(row["unit"]), str(row["comparator"]),
                   float(row["target_value"]), int(row["target_year"]))


@dataclass(frozen=True)
class JoinedSeries:
    frame: pd.DataFrame  # period_code, value, plan_id, target_id, side, target_value, comparator, target_year, is_demo
    boundary: str  # the successor's first period: where the plan changes
    change: str  # 继承 | 调整
    before: PlanTarget
    after: PlanTarget
    note: str  # “2021年起：96% → 98%（调整）”

    @property
    def target_changed(self) -> bool:
        b, a = self.before, self.after
        return (b.comparator, b.target_value, b.target_year) != (a.comparator, a.target_value, a.target_year)


BEFORE, AFTER = "上一方案", "本方案"


def _goal(t: PlanTarget) -> str:
    comparator = "" if t.comparator in ("≥", "区间") else t.comparator
    return f"{comparator}{fmt(t.target_value, t.unit)}"


def change_note(before: PlanTarget, after: PlanTarget, boundary: str, change: str) -> str:
    """“2021年起：96% → 98%（调整）”; a target carried on unchanged: “2021年起：目标 100% 不变（继承）”."""
    p = period_from_code(boundary)
    when = f"{p.year}年起" if p.quarter == 1 else f"{boundary} 起"
    if (before.comparator, before.target_value) == (after.comparator, after.target_value):
        year = ("" if before.target_year == after.target_year
                else f"，目标年份 {before.target_year} → {after.target_year}")
        return f"{when}：目标 {_goal(after)} 不变{year}（{change}）"
    return f"{when}：{_goal(before)} → {_goal(after)}（{change}）"


def join_series(before_values: pd.DataFrame, after_values: pd.DataFrame, before: PlanTarget, after: PlanTarget,
                boundary: str, change: str) -> JoinedSeries:
    """The predecessor's city values (before `boundary`) and the successor's (from it) on one time line.

    values: frames with period_code and value (is_demo optional), e.g. db.queries.current_values(city_only=True).
    Each row carries the target of its own plan, so a chart can draw the target as a step at the boundary."""
    def side(values: pd.DataFrame, t: PlanTarget, label: str, keep) -> pd.DataFrame:
        v = values[keep(values["period_code"])] if not values.empty else values
        return pd.DataFrame({
            "period_code": v["period_code"].astype(str).tolist(), "value": v["value"].astype(float).tolist(),
            "plan_id": t.plan_id, "target_id": t.target_id, "side": label, "target_value": t.target_value,
            "comparator": t.comparator, "target_year": t.target_year,
            "is_demo": (v["is_demo"].astype(bool).tolist() if "is_demo" in v else [False] * len(v)),
        }, columns=["period_code", "value", "plan_id", "target_id", "side", "target_value", "comparator",
                    "target_year", "is_demo"])

    frame = pd.concat([side(before_values, before, BEFORE, lambda p: p < boundary),
                       side(after_values, after, AFTER, lambda p: p >= boundary)], ignore_index=True)
    frame = frame.sort_values("period_code", kind="stable").reset_index(drop=True)
    return JoinedSeries(frame, boundary, change, before, after, change_note(before, after, boundary, change))
