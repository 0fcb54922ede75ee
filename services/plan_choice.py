"""Which plans exist, which is the default, which are archived: a stand-in for services.plans.

The plans15 branch builds the registry (services/plans.py: plan status kept in the database, archive
and activate commands, the refusal at the write). Until it merges, this module answers from the plan
folders alone: every plan under core.paths.plans_root() is active and DEFAULT_PLAN_ID is the default.
The signatures are the registry's, so the lead switches the screens over by changing one import:
`from services import plans as plan_choice` (and deletes this file).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.paths import DEFAULT_PLAN_ID, plans_root
from core.plans import Plan, discover


@dataclass(frozen=True)
class PlanEntry:
    plan: Plan
    status: str  # 'active' | 'archived'
    is_default: bool


def listed() -> list[PlanEntry]:
    """Every plan, oldest first."""
    default = default_plan_id()
    return [PlanEntry(p, "active", p.id == default) for p in discover(plans_root())]


def get(plan_id: str) -> PlanEntry | None:
    return next((e for e in listed() if e.plan.id == plan_id), None)


def default_plan_id() -> str:
    return DEFAULT_PLAN_ID


def is_archived(plan_id: str) -> bool:
    entry = get(plan_id)
    return entry is not None and entry.status == "archived"


def current_plan() -> Plan:
    """The plan the current code runs for (core.plan_context), read from its folder.
    Not part of the registry's interface: keep it on merge (move it into services/plans.py)."""
    from core.plan_context import current_plan_id
    from core.plans import plan_in

    return plan_in(plans_root() / current_plan_id())
