"""What the router does on every run: the database ready once per process, the data version pinned."""
from __future__ import annotations

import streamlit as st

from core.paths import database_url
from db.engine import pin_data_version
from db.setup import init_database

__all__ = ["ensure_database", "pin_data_version"]


@st.cache_resource(show_spinner="正在准备数据库…")
def _ensure(url: str) -> str:
    # Once per server process and database: schema + catalogue sync (a no-op when unchanged).
    return init_database().summary()


def ensure_database() -> None:
    """Make sure the database the app points at has the schema and the current catalogue."""
    _ensure(database_url())
