"""Catalogue versions (目录修订): which definition of a target or task judges a period. Pure.

A plan's catalogue is revised now and then (a target value raised, a lead department changed). The
database keeps one row per target (the newest definition); each load of a changed catalogue also
records a version: a snapshot of everything judging depends on, and the period from which it applies.
A period is judged by the version in force then, so a revision never re-judges past quarters.

Every read-model that joins targets or tasks to a period's values takes its definitions through
`targets_in_force` / `tasks_in_force` / `roles_in_force`: the one rule of which version applies.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pandas as pd

from core.catalogue import CatalogueError
from core.periods import period_from_code, period_of_date

# What a target's judgement depends on (and what the diff shows): the engine's spec, the owner and the clause.
TARGET_FIELDS = ("name", "unit", "comparator", "target_value", "target_max", "target_year", "kind", "qualifier",
                 "lead_department", "lead_basis", "source_clause")
TASK_FIELDS = ("title", "lead_department", "participants")
FIELD_LABELS = {
    "name": "名称", "unit": "单位", "comparator": "比较符", "target_value": "目标值", "target_max": "上限",
    "target_year": "目标年份", "kind": "类型", "qualifier": "方案用词", "lead_department": "牵头部门",
    "lead_basis": "牵头依据", "source_clause": "方案原文", "title": "任务名称", "participants": "参与部门",
}


@dataclass(frozen=True)
class Version:
    number: int  # 1, 2, ... in the order loaded
    digest: str
    applies_from: str  # period code
    snapshot: Mapping = field(default_factory=dict, hash=False, compare=False)
    loaded_at: datetime | None = None
    loaded_by: str = ""
    note: str = ""


# --- snapshot and digest -----------------------------------------------------------------------------


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def target_entry(t) -> dict:
    """A target's snapshot entry from a core.catalogue.Target or a mapping with the same names."""
    get = t.get if isinstance(t, Mapping) else lambda k, d=None: getattr(t, k, d)
    return {"name": str(get("name", "")), "unit": str(get("unit", "")), "comparator": str(get("comparator", "")),
            "target_value": _number(get("target_value")), "target_max": _number(get("target_max")),
            "target_year": int(get("target_year") or 0), "kind": str(get("kind", "")),
            "qualifier": str(get("qualifier") or ""), "lead_department": str(get("lead_department", "")),
            "lead_basis": str(get("lead_basis") or ""), "source_clause": str(get("source_clause") or "")}


def task_entry(title: str, lead: str, participants: Iterable[str]) -> dict:
    return {"title": str(title), "lead_department": str(lead), "participants": [str(p) for p in participants]}


def snapshot(catalogue) -> dict:
    """What judging depends on, for every target and task of a core.catalogue.Catalogue."""
    return {"targets": {t.id: target_entry(t) for t in catalogue.targets},
            "tasks": {str(t.id): task_entry(t.title, t.lead_department, t.participants) for t in catalogue.tasks}}


def digest(snap: Mapping) -> str:
    """SHA-256 of the normalised snapshot (keys sorted): equal catalogues, equal digests."""
    text = json.dumps(snap, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_json(snap: Mapping) -> str:
    return json.dumps(snap, sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=64)
def parse_snapshot(text: str) -> dict:
    """The stored JSON read once per distinct text (every status read asks)."""
    return json.loads(text) if text else {"targets": {}, "tasks": {}}


# --- which version is in force -----------------------------------------------------------------------


def in_force(versions: Sequence[Version], period: str) -> Version | None:
    """The version that judges `period`: the newest loaded whose applies_from is not after it. A period
    before the first version's start is judged by the first version (nothing earlier is known)."""
    if not versions:
        return None
    ordered = sorted(versions, key=lambda v: v.number)
    applying = [v for v in ordered if v.applies_from <= period]
    return applying[-1] if applying else ordered[0]


def _is_newest(versions: Sequence[Version], chosen: Version | None) -> bool:
    return chosen is None or chosen.number == max(v.number for v in versions)


_DEFINITIONS: dict[tuple[int, str], pd.DataFrame] = {}


def _target_definitions(version: Version) -> pd.DataFrame:
    """The version's targets as a frame indexed by id, built once per version (a scoreboard asks per period)."""
    key = (version.number, version.digest)
    if key not in _DEFINITIONS:
        if len(_DEFINITIONS) > 32:
            _DEFINITIONS.clear()
        entries = version.snapshot.get("targets", {})
        _DEFINITIONS[key] = pd.DataFrame([{**dict.fromkeys(TARGET_FIELDS), **e} for e in entries.values()],
                                         index=pd.Index(list(entries), dtype=object), columns=list(TARGET_FIELDS))
    return _DEFINITIONS[key]


def targets_in_force(targets: pd.DataFrame, versions: Sequence[Version], period: str) -> pd.DataFrame:
    """db.queries.targets() (the newest definitions) with each target's definition as in force at `period`.

    A target the version does not know (added by a later revision) is left out: it did not exist then. The
    department charged (responsible_department) follows the lead where it was the lead (no other department
    registered)."""
    chosen = in_force(versions, period)
    if _is_newest(versions, chosen) or targets.empty:
        return targets
    defs = _target_definitions(chosen)
    out = targets[targets["id"].isin(defs.index)].reset_index(drop=True)
    ids = out["id"]
    if "responsible_department" in out.columns:
        follows = out["responsible_department"] == out["lead_department"]
        out["responsible_department"] = ids.map(defs["lead_department"]).where(follows, out["responsible_department"])
    for col in TARGET_FIELDS:
        if col in out.columns:
            out[col] = ids.map(defs[col]).astype(out[col].dtype)  # the frame's own dtypes (pandas 3: str)
    return out.reset_index(drop=True)


def tasks_in_force(tasks: pd.DataFrame, versions: Sequence[Version], period: str) -> pd.DataFrame:
    """db.queries.tasks() with title, lead and participants as in force at `period` (a task added by a later
    revision left out)."""
    chosen = in_force(versions, period)
    if _is_newest(versions, chosen) or tasks.empty:
        return tasks
    old = chosen.snapshot.get("tasks", {})
    out = tasks[[str(int(t)) in old for t in tasks["id"]]].copy()
    for i, tid in zip(out.index, out["id"]):
        entry = old[str(int(tid))]
        out.at[i, "title"] = entry["title"]
        out.at[i, "lead_department"] = entry["lead_department"]
        if "participants" in out.columns:
            out.at[i, "participants"] = "、".join(entry["participants"])
    return out.reset_index(drop=True)


def roles_in_force(roles: pd.DataFrame, versions: Sequence[Version], period: str) -> pd.DataFrame:
    """db.queries.task_departments() (task_id, department, department_kind, role) as in force at `period`."""
    chosen = in_force(versions, period)
    if _is_newest(versions, chosen) or roles.empty:
        return roles
    kinds = dict(zip(roles["department"], roles["department_kind"]))
    old = chosen.snapshot.get("tasks", {})
    rows = []
    for tid in dict.fromkeys(roles["task_id"]):
        entry = old.get(str(int(tid)))
        if entry is None:
            continue  # added by a later revision
        rows.append({"task_id": tid, "department": entry["lead_department"],
                     "department_kind": kinds.get(entry["lead_department"], "department"), "role": "牵头"})
        rows += [{"task_id": tid, "department": p, "department_kind": kinds.get(p, "department"), "role": "参与"}
                 for p in entry["participants"]]
    return pd.DataFrame(rows, columns=roles.columns)


# --- what a version changed ----------------------------------------------------------------------------


def shown_value(value) -> str:
    """A snapshot or diff value as the office reads it: 96 not 96.0, lists joined with 、, （空） for nothing."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) or "（无）"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def changed_fields(old: Mapping | None, new: Mapping | None) -> list[tuple[str, object, object]]:
    """(field, old, new) of every field that differs; the clause last (it is long)."""
    if old is None or new is None:
        return []
    keys = [k for k in (*TARGET_FIELDS, *TASK_FIELDS) if k in old or k in new]
    keys = list(dict.fromkeys(keys))
    out = [(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]
    return sorted(out, key=lambda c: c[0] == "source_clause")


def change_words(changes: Iterable[tuple[str, object, object]], with_clause: bool = False) -> str:
    """“目标值 96 → 97；牵头部门 A → B”."""
    return "；".join(f"{FIELD_LABELS.get(k, k)} {shown_value(a)} → {shown_value(b)}" for k, a, b in changes
                    if with_clause or k != "source_clause")


def target_revisions(target_id: str, versions: Sequence[Version]) -> list[dict]:
    """Every revision of one target: [{"version", "applies_from", "changes", "text"}], oldest first.
    text: “2020Q3 起按修订后的目录：目标值 96 → 97”."""
    ordered = sorted(versions, key=lambda v: v.number)
    out = []
    for before, after in zip(ordered, ordered[1:]):
        old, new = before.snapshot.get("targets", {}).get(target_id), after.snapshot.get("targets", {}).get(target_id)
        if old is None and new is not None:
            out.append({"version": after.number, "applies_from": after.applies_from, "changes": [],
                        "text": f"{after.applies_from} 起按修订后的目录：新增本指标（此前的报告期不判定）"})
            continue
        changes = changed_fields(old, new)
        if changes:
            words = change_words(changes) or "方案原文修订"
            out.append({"version": after.number, "applies_from": after.applies_from, "changes": changes,
                        "text": f"{after.applies_from} 起按修订后的目录：{words}"})
    return out


# --- when a new version applies from ---------------------------------------------------------------------


class RevisionPeriodError(CatalogueError):
    """plan.toml's [catalogue] revised_from cannot be used; the message is Chinese and says the fix. A
    CatalogueError: whoever loads a catalogue (manage.py init, the app's start) reports it like one."""

    def __init__(self, message: str):
        super().__init__([message])


def _plan_toml(plan_dir: Path | None) -> dict:
    file = Path(plan_dir) / "plan.toml" if plan_dir else None
    if file is None or not file.is_file():
        return {}
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # core.plans.read_plan reports an unreadable plan.toml


def revised_from(plan_dir: Path | None) -> str:
    """plan.toml's `[catalogue] revised_from = "2020Q3"`, "" when not given."""
    return str((_plan_toml(plan_dir).get("catalogue") or {}).get("revised_from", "")).strip()


def plan_periods(plan_dir: Path | None, default: tuple[str, str]) -> tuple[str, str]:
    """The plan's first and last period from its plan.toml, else `default` (settings.toml's)."""
    raw = _plan_toml(plan_dir)
    first, last = str(raw.get("first_period", "")).strip(), str(raw.get("last_period", "")).strip()
    return (first, last) if first and last else default


def applies_from(first_period: str, last_period: str, newest: Version | None, given: str = "",
                 today: date | None = None) -> str:
    """The period a newly loaded version applies from.

    No version yet: the plan's first period. Else plan.toml's revised_from when given (inside the plan's
    range and not before the newest version's own start), else the quarter of today in Beijing, clamped
    into the plan's range (and not before the newest version's start)."""
    if newest is None:
        return first_period
    if given:
        try:
            code = period_from_code(given).code
        except (ValueError, KeyError) as exc:
            raise RevisionPeriodError(f"plan.toml 的 [catalogue] revised_from = “{given}” 不是报告期："
                                      "请写成 2020Q3 的样子。") from exc
        if not first_period <= code <= last_period:
            raise RevisionPeriodError(f"plan.toml 的 [catalogue] revised_from = “{code}” 不在方案的报告期 "
                                      f"{first_period}–{last_period} 之内：请改正。")
        if code < newest.applies_from:
            raise RevisionPeriodError(f"plan.toml 的 [catalogue] revised_from = “{code}” 早于上一次修订的起始期 "
                                      f"{newest.applies_from}：修订不能改判更早的报告期，"
                                      f"请改为 {newest.applies_from} 或更晚。")
        return code
    from core.timeutil import today_beijing

    code = period_of_date(today or today_beijing()).code
    return max(min(max(code, first_period), last_period), newest.applies_from)
