"""What the router does on every run: the database ready once per process, the data version pinned."""
from __future__ import annotations

import streamlit as st

from core.plan_context import current_plan_id
from db.engine import pin_data_version, plan_database_url
from db.setup import init_database

__all__ = ["ensure_database", "pin_data_version"]


@st.cache_resource(show_spinner="正在准备数据库…")
def _ensure(url: str) -> str:
    # Once per server process and plan database: schema + catalogue sync (a no-op when unchanged).
    return init_database().summary()


def ensure_database() -> None:
    """Make sure the current plan's database has the schema and the plan's catalogue (each plan has its own)."""
    _ensure(plan_database_url(current_plan_id()))
