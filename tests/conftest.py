"""Shared fixtures: every test database lives in its own temporary folder.

`demo_db` is built once per session (read-only tests share it); `fresh_db` gives a test
its own empty database with the catalogue loaded, for anything that writes.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _point_at(folder: Path) -> None:
    os.environ["ZJ_VAR_DIR"] = str(folder)
    from db.engine import dispose_engines

    dispose_engines()
    clear_streamlit_caches()


def clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo_db")
    _point_at(folder)
    from db.setup import ensure_ready

    ensure_ready(with_demo=True)
    return folder


@pytest.fixture
def demo_db(demo_db_path, tmp_path) -> Path:
    """A copy of the session's demo database, so a test may write without touching others."""
    target = tmp_path / "var"
    shutil.copytree(demo_db_path, target)
    _point_at(target)
    yield target
    _point_at(target)


@pytest.fixture
def fresh_db(tmp_path) -> Path:
    target = tmp_path / "var"
    target.mkdir()
    _point_at(target)
    from db.setup import init_database

    init_database()
    yield target
    _point_at(target)


@pytest.fixture
def app_test(demo_db):
    """An AppTest factory on the demo database: app_test("pages/targets.py") runs that page."""
    return run_app


def run_app(page: str | None = None, session: dict | None = None, **query):
    """An AppTest of app.py with these session-state entries and query parameters, switched to `page`."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (session or {}).items():
        at.session_state[k] = v
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at
