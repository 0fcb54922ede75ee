"""The one cache of the application's reads: `@cached` on a named function, keyed by the current plan
(core.plan_context) and its data version.

Every write bumps the database's data version in its own transaction (db.engine), so a cached read
is never served after the data it came from changed, even when another process wrote it. Entries of
older versions are unreachable and go at the TTL (settings.toml [cache]) or when max_entries is hit.
The router pins the data version once per script run (db.engine.pin_data_version), so a run's dozen
cached reads cost one look-up.
"""
from __future__ import annotations

import functools
import logging
from typing import Callable, TypeVar

import streamlit as st
from streamlit import runtime

from core.plan_context import current_plan_id
from core.settings import load_settings
from db import queries
from db.engine import data_version

# Outside a running server (manage.py, tests) Streamlit warns at every cached function that it keeps the
# cache in memory, which is just what a command wants: keep a command's output free of that noise.
if not runtime.exists():
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

F = TypeVar("F", bound=Callable)
_TTL = load_settings().cache_ttl_seconds
_ALL: list = []


def cached(func: F | None = None, *, max_entries: int = 64) -> F:
    """Cache func(*args, **kwargs) per plan and data version; arguments must be hashable."""
    if func is None:
        return functools.partial(cached, max_entries=max_entries)

    def at_version(plan_id: str, version: int, *args, **kwargs):
        # plan_id: two plans' databases may stand at the same data version; each keeps its own entries.
        return func(*args, **kwargs)

    # st.cache_data keys a function by its module, qualified name and source: name the inner
    # function after the read it caches, so each read has an entry set of its own.
    at_version.__module__, at_version.__qualname__ = func.__module__, f"{func.__qualname__}@version"
    stored = st.cache_data(ttl=_TTL, show_spinner=False, max_entries=max_entries)(at_version)
    _ALL.append(stored)

    @functools.wraps(func)
    def read(*args, **kwargs):
        return stored(current_plan_id(), data_version(), *args, **kwargs)

    read.uncached = func
    return read


_LATE: dict[Callable, Callable] = {}


def read(func: Callable, *args):
    """Cache a read function that is not decorated (another module's): cache.read(db.audit.audit_log, ...).
    Keyed by the function object itself; prefer decorating a named function in services."""
    wrapped = _LATE.get(func)
    if wrapped is None:
        wrapped = _LATE[func] = cached(func)
    return wrapped(*args)


def clear() -> None:
    """Drop every cached read of this process (tests; an administrator's 'reload')."""
    for stored in _ALL:
        stored.clear()


# The catalogue and the values in force, as every page reads them.
departments = cached(queries.departments)
districts = cached(queries.districts)
periods = cached(queries.periods)
targets = cached(queries.targets)
tasks = cached(queries.tasks)
task_departments = cached(queries.task_departments)
places = cached(queries.places)
current_values = cached(queries.current_values)
# The engines' columns of every value in force, read once per data version and shared by the map, the
# scores and the statuses (filtered by period in memory: values_up_to).
values_in_force = cached(queries.values_in_force, max_entries=2)
current_progress = cached(queries.current_progress)
latest_values = cached(queries.latest_values)
submissions = cached(queries.submissions)
demo_present = cached(queries.demo_present)

def values_up_to(period: str):
    """values_in_force() of the periods up to `period` (the shared read, filtered)."""
    df = values_in_force()
    return df[df["period_code"] <= period].reset_index(drop=True)


__all__ = ["cached", "clear", "read", "current_progress", "current_values", "demo_present", "departments",
           "districts", "latest_values", "periods", "places", "submissions", "targets", "task_departments", "tasks",
           "values_in_force", "values_up_to"]


__all__ += ["data_version"]  # pages key what they keep in session state by it
