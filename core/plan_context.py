"""Which plan the current code runs for: one question, answered in one place.

Order: an explicit `use_plan(...)` block (CLI --plan, tests, reading a predecessor plan) wins; then the
resolver a front end registers (Streamlit: the session's chosen plan, which widget callbacks see too,
since they run before the page script); then the default (the active plan, or DEFAULT_PLAN_ID).
Pure: knows nothing of Streamlit or the database; those register functions here.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

from core.paths import DEFAULT_PLAN_ID

_explicit: ContextVar[str | None] = ContextVar("zj_plan", default=None)
_resolver: Callable[[], str | None] | None = None
_default: Callable[[], str] | None = None


def current_plan_id() -> str:
    chosen = _explicit.get()
    if chosen:
        return chosen
    if _resolver is not None:
        chosen = _resolver()
        if chosen:
            return chosen
    return _default() if _default is not None else DEFAULT_PLAN_ID


@contextmanager
def use_plan(plan_id: str) -> Iterator[str]:
    """Run the block for plan_id (every read and write inside goes to that plan's data)."""
    token = _explicit.set(plan_id)
    try:
        yield plan_id
    finally:
        _explicit.reset(token)


def set_resolver(fn: Callable[[], str | None] | None) -> None:
    """A front end's answer (None: it has no opinion, e.g. outside a page run)."""
    global _resolver
    _resolver = fn


def set_default(fn: Callable[[], str] | None) -> None:
    """Where the default plan comes from (the registry's active plan)."""
    global _default
    _default = fn
