"""A plan (方案) is a folder: plan.toml plus the catalogue CSVs (core.catalogue). Pure: reads files only.

The supervision office runs one plan after another (this 2018–2020 plan, its successor, annual
重点工作 lists) and keeps each finished plan for reference and audits, so every plan keeps its own
folder, catalogue, periods and data; none is overwritten by the next.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.paths import ROOT
from core.periods import period_from_code

# A plan id appears in URLs (?plan=), file names and PostgreSQL schema names: keep it plain.
PLAN_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")
PERIOD_TYPES = ("quarter",)


class PlanError(ValueError):
    """A plan folder that cannot be used; the message is Chinese and names the file and the fix."""


@dataclass(frozen=True)
class Plan:
    id: str  # the folder's name
    name: str  # 方案全称, as the source text titles it
    short_name: str  # what selectors and document headers show
    folder: Path
    source_text: Path
    first_period: str  # 2018Q1
    last_period: str  # 2020Q4
    period_type: str = "quarter"
    predecessor: str = ""  # id of the plan this one succeeds (继承), "" for none

    @property
    def label(self) -> str:
        return f"{self.short_name}（{self.first_period}–{self.last_period}）"


def read_plan(folder: Path) -> Plan:
    """plan.toml of one folder, checked; PlanError names what is wrong and how to fix it."""
    folder = Path(folder)
    file = folder / "plan.toml"
    plan_id = folder.name
    if not PLAN_ID.match(plan_id):
        raise PlanError(f"方案文件夹名“{plan_id}”不能作方案编号：只可用字母、数字、- 和 _（不超过40个字符），"
                        "请改名，如 2021-2025。")
    if not file.is_file():
        raise PlanError(f"{folder} 中没有 plan.toml：请按 data/plans/2018-2020/plan.toml 的格式写一个。")
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlanError(f"{file} 无法读取（{exc}）：请存为 UTF-8 编码的 TOML。") from exc
    missing = [k for k in ("name", "short_name", "source_text", "first_period", "last_period") if not raw.get(k)]
    if missing:
        raise PlanError(f"{file} 缺少 {'、'.join(missing)}：请补上。")
    texts = {k: str(raw[k]).strip() for k in ("name", "short_name")}
    for key, value in texts.items():
        if len(value) > 100:
            raise PlanError(f"{file} 的 {key} 超过100个字符：请缩短。")
    first, last = str(raw["first_period"]).strip(), str(raw["last_period"]).strip()
    for key, code in (("first_period", first), ("last_period", last)):
        try:
            period_from_code(code)
        except (ValueError, KeyError) as exc:
            raise PlanError(f"{file} 的 {key} = “{code}” 不是报告期：请写成 2021Q1 的样子。") from exc
    if period_from_code(first) > period_from_code(last):
        raise PlanError(f"{file} 的 first_period（{first}）晚于 last_period（{last}）：请对调。")
    period_type = str(raw.get("period_type", "quarter"))
    if period_type not in PERIOD_TYPES:
        raise PlanError(f"{file} 的 period_type = “{period_type}”：目前只支持 quarter（按季度报送）。")
    source = Path(str(raw["source_text"]))
    source = source if source.is_absolute() else (ROOT / source if (ROOT / source).exists() else folder / source)
    if not source.is_file():
        raise PlanError(f"{file} 的 source_text 指向的方案原文 {source} 不存在：请把原文放进文件夹或改正路径。")
    predecessor = str(raw.get("predecessor", "")).strip()
    if predecessor and not PLAN_ID.match(predecessor):
        raise PlanError(f"{file} 的 predecessor = “{predecessor}” 不是方案编号。")
    return Plan(id=plan_id, name=texts["name"], short_name=texts["short_name"], folder=folder,
                source_text=source, first_period=first, last_period=last, period_type=period_type,
                predecessor=predecessor)


@lru_cache(maxsize=32)
def _cached(folder: Path, stamp: float) -> Plan:
    return read_plan(folder)


def plan_in(folder: Path) -> Plan:
    """read_plan, memoised until plan.toml changes (pages ask for it on every run)."""
    file = Path(folder) / "plan.toml"
    return _cached(Path(folder), file.stat().st_mtime if file.exists() else 0.0)


def discover(root: Path) -> tuple[Plan, ...]:
    """Every plan folder under root, oldest first (by first period, then id)."""
    plans = [plan_in(sub) for sub in sorted(Path(root).iterdir()) if (sub / "plan.toml").is_file()]
    return tuple(sorted(plans, key=lambda p: (period_from_code(p.first_period), p.id)))


# --- The plan the current code runs for (core.plan_context decides which) --------------------------


def plan_folder(plan_id: str) -> Path:
    """Where plan `plan_id` lives: plans_root()/<id>; the 2018–2020 plan also when ZJ_PLANS_DIR lacks it."""
    from core.paths import DEFAULT_PLAN_ID, PLAN_DIR, plans_root

    folder = plans_root() / plan_id
    if plan_id == DEFAULT_PLAN_ID and not (folder / "plan.toml").is_file():
        return PLAN_DIR
    return folder


_current_memo: dict[tuple[str | None, str], tuple[float, Plan]] = {}
_RECHECK_SECONDS = 2.0


def current_plan() -> Plan:
    """The plan of core.plan_context.current_plan_id(), read from its folder. Asked by every settings read
    (thousands per page), so it is remembered per plans folder and plan and re-read (plan_in: when
    plan.toml changed) at most every two seconds."""
    import os
    import time

    from core.plan_context import current_plan_id

    key = (os.environ.get("ZJ_PLANS_DIR"), current_plan_id())
    now = time.monotonic()
    memo = _current_memo.get(key)
    if memo is not None and now - memo[0] < _RECHECK_SECONDS:
        return memo[1]
    plan = plan_in(plan_folder(key[1]))
    _current_memo[key] = (now, plan)
    return plan


def plan_file(name: str) -> Path:
    """A plan-specific file (scoring.toml, bulletin_template.toml, ...) of the current plan; a plan folder
    without it borrows the 2018–2020 plan's (the wording of a 通报 is the office's, not the plan's)."""
    from core.paths import PLAN_DIR

    own = current_plan().folder / name
    return own if own.is_file() else PLAN_DIR / name


def measure_range(folder: Path) -> tuple[int, int] | None:
    """plan.toml's optional `measures = [first, last]`: the plan text's numbered measures (举措) that tasks
    cite; None when the plan numbers none (or the folder has no plan.toml)."""
    file = Path(folder) / "plan.toml"
    if not file.is_file():
        return None
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8")).get("measures")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # read_plan says what is wrong with the file
    if isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, int) for v in raw):
        return int(raw[0]), int(raw[1])
    return None
