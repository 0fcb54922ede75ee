"""The plans (方案) the office runs: the one door for listing, adding, archiving and activating them.

A plan is a folder under core.paths.plans_root() (plan.toml + catalogue, core.plans) with a database of
its own (db.engine: the home database for 2018–2020, its own for every later plan). Its status
(active | archived) lives in its own database (appmeta plan_status), so db.engine's archive guard checks
it inside every write transaction; the default plan (what opens when nobody chose one) in the home
database (appmeta default_plan; absent: 2018–2020). Adding, archiving and activating are audited.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from core.catalogue import CatalogueError, load_catalogue
from core.paths import DEFAULT_PLAN_ID, plans_root
from core.plan_context import set_default, use_plan
from core.plans import Plan, PlanError, discover, plan_folder, plan_in, read_plan
from db import plan_meta

ACTIVE, ARCHIVED = "active", "archived"
STATUS_WORDS = {ACTIVE: "使用中", ARCHIVED: "已归档（只读）"}
_DEFAULT_SECONDS = 5.0  # how long a process trusts the default plan it read (a page run asks often)


class PlanRefused(ValueError):
    """The plan cannot be added, archived or activated; the message is Chinese and nothing was changed."""


@dataclass(frozen=True)
class PlanEntry:
    plan: Plan
    status: str  # active | archived
    is_default: bool

    @property
    def archived(self) -> bool:
        return self.status == ARCHIVED


def _plans() -> tuple[Plan, ...]:
    root = plans_root()
    found = list(discover(root)) if root.is_dir() else []
    if not any(p.id == DEFAULT_PLAN_ID for p in found):  # the home plan is always there
        found.insert(0, plan_in(plan_folder(DEFAULT_PLAN_ID)))
    return tuple(found)


def status(plan_id: str) -> str:
    """active | archived, as the plan's database says now (active when it has no database yet)."""
    return ARCHIVED if plan_meta.plan_fact(plan_id, "plan_status") == ARCHIVED else ACTIVE


def has_database(plan_id: str) -> bool:
    """Has the plan a database yet (asked without creating one)?"""
    return plan_meta.database_exists(plan_id)


def is_archived(plan_id: str) -> bool:
    return status(plan_id) == ARCHIVED


def listed() -> list[PlanEntry]:
    """Every plan, oldest first, with its status and whether it is the default."""
    default = default_plan_id()
    return [PlanEntry(p, status(p.id), p.id == default) for p in _plans()]


def get(plan_id: str) -> PlanEntry | None:
    plan = next((p for p in _plans() if p.id == plan_id), None)
    return PlanEntry(plan, status(plan.id), plan.id == default_plan_id()) if plan is not None else None


def ids() -> list[str]:
    return [p.id for p in _plans()]


def unknown_message(plan_id: str) -> str:
    return f"没有编号为“{plan_id}”的方案；现有方案：{'、'.join(ids())}（用 python manage.py plan list 查看）"


_default_memo: dict[tuple, tuple[float, str]] = {}


def default_plan_id() -> str:
    """The office's default plan (home appmeta default_plan), 2018–2020 when none was set or its folder is
    gone. Memoised for a few seconds per database and plans folder; activate() forgets it at once."""
    key = tuple(os.environ.get(k) for k in ("DATABASE_URL", "ZJ_VAR_DIR", "ZJ_PLANS_DIR"))  # what moves them
    now = time.monotonic()
    memo = _default_memo.get(key)
    if memo is not None and now - memo[0] < _DEFAULT_SECONDS:
        return memo[1]
    chosen = plan_meta.home_fact("default_plan") or DEFAULT_PLAN_ID
    if chosen != DEFAULT_PLAN_ID and not (plan_folder(chosen) / "plan.toml").is_file():
        chosen = DEFAULT_PLAN_ID
    _default_memo[key] = (now, chosen)
    return chosen


def ensure_ready(plan_id: str) -> None:
    """The plan's database exists at the newest schema with its catalogue and periods (a no-op when so)."""
    from db.setup import init_database

    with use_plan(plan_id):
        init_database()
        if plan_meta.plan_fact(plan_id, "plan_id") is None:
            plan_meta.set_plan_facts(plan_id, {"plan_id": plan_id}, user="系统初始化", action="plan_init")


def add(folder: Path | str, actor: str) -> PlanEntry:
    """Check a plan folder (plan.toml and catalogue), copy it to plans_root()/<id>, create and migrate its
    database and write its catalogue and periods. PlanRefused (nothing created) when it is not usable."""
    from db.setup import init_database

    source = Path(folder)
    try:
        plan = read_plan(source)
        catalogue = load_catalogue(source)
    except (PlanError, CatalogueError) as exc:
        raise PlanRefused(str(exc)) from exc
    target = plans_root() / plan.id
    in_place = target.resolve() == source.resolve()
    if plan.id == DEFAULT_PLAN_ID or plan_meta.plan_fact(plan.id, "plan_id") is not None or (
            target.exists() and not in_place):
        raise PlanRefused(f"方案“{plan.id}”已存在，未添加；修订目录请直接编辑 {target}，"
                          f"再运行 python manage.py init --plan {plan.id}")
    if not in_place:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, target)
    try:
        with use_plan(plan.id):
            report = init_database(catalogue)
        plan_meta.set_plan_facts(plan.id, {"plan_id": plan.id, "plan_status": ACTIVE}, user=actor, action="plan_add",
                                 folder=str(source))
    except BaseException:
        if not in_place:
            shutil.rmtree(target, ignore_errors=True)
        raise
    plan_meta.audit_home(actor, "plan_add", plan=plan.id, name=plan.name, summary=report.summary()[:500])
    return get(plan.id)


def _known(plan_id: str) -> PlanEntry:
    entry = get(plan_id)
    if entry is None:
        raise PlanRefused(unknown_message(plan_id))
    return entry


def archive(plan_id: str, actor: str) -> PlanEntry:
    """Make a plan read-only: its views and exports stay, every data write in it is refused."""
    entry = _known(plan_id)
    if entry.archived:
        return entry
    ensure_ready(plan_id)
    plan_meta.set_plan_facts(plan_id, {"plan_status": ARCHIVED}, user=actor, action="plan_archive")
    plan_meta.audit_home(actor, "plan_archive", plan=plan_id)
    return _known(plan_id)


def activate(plan_id: str, actor: str) -> PlanEntry:
    """Un-archive a plan and make it the default (what opens when nobody chose a plan)."""
    _known(plan_id)
    ensure_ready(plan_id)
    plan_meta.set_plan_facts(plan_id, {"plan_status": ACTIVE}, user=actor, action="plan_activate")
    plan_meta.set_home_fact("default_plan", plan_id, user=actor, action="plan_activate", plan=plan_id)
    _default_memo.clear()
    return _known(plan_id)


def demo_supported() -> bool:
    """Demo data (core.demo) is shaped for the 2018–2020 plan; other plans have none."""
    from core.plan_context import current_plan_id

    return current_plan_id() == DEFAULT_PLAN_ID


def register() -> None:
    """core.plan_context's default comes from here (services/__init__.py calls this on import)."""
    set_default(default_plan_id)


def current_plan() -> Plan:
    """The plan the current code runs for (core.plan_context), read from its folder."""
    from core.plans import current_plan as plan_now

    return plan_now()
