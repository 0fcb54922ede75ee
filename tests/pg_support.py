"""Run the database tests on PostgreSQL instead of SQLite.

    ZJ_TEST_DATABASE_URL=postgresql+psycopg://zj:zj@127.0.0.1:5432/zj \\
        .venv/bin/python -m pytest -p tests.pg_support tests/test_database.py tests/test_imports_db.py ...

The URL names a role allowed to create databases and a database it may connect to. Every test
that uses `fresh_db` or `demo_db` (tests/conftest.py) gets a database of its own, created
empty (fresh_db) or cloned from a template that conftest's session-wide `demo_db_path`
fills once (demo_db), and dropped afterwards. The app reaches it through DATABASE_URL, as
it would in production. Tests whose name says sqlite are SQLite-specific and skipped.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy.engine import URL, make_url

ENV = "ZJ_TEST_DATABASE_URL"
_state: dict[str, URL] = {}


def _admin_connect():
    import psycopg

    admin = _state["admin"]
    return psycopg.connect(admin.set(drivername="postgresql").render_as_string(hide_password=False),
                           autocommit=True)


def _create_database(name: str, template: str = "template0") -> None:
    with _admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\'')


def _drop_database(name: str) -> None:
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _use(name: str) -> None:
    from db.engine import dispose_engines

    dispose_engines()  # a database with open connections can be neither cloned nor dropped
    os.environ["DATABASE_URL"] = _state["admin"].set(database=name).render_as_string(hide_password=False)


def pytest_configure(config):
    raw = os.environ.get(ENV)
    if not raw:
        raise pytest.UsageError(f"-p tests.pg_support needs {ENV}=postgresql+psycopg://user:password@host/db")
    _state["admin"] = make_url(raw)
    template = f"zj_test_tpl_{os.getpid()}"
    _state["template"] = template
    _drop_database(template)
    _create_database(template)
    # Until a test switches it, DATABASE_URL names the template: conftest's demo_db_path
    # (session scope, built before any function fixture) writes the demo data there.
    _use(template)


def pytest_unconfigure(config):
    if "template" in _state:
        _use(_state["template"])
        _drop_database(_state["template"])


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skip(reason="SQLite-specific (PostgreSQL run)")
    for item in items:
        if "sqlite" in item.name.lower():
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _postgres_database_per_test(request):
    """A private database for a test that uses fresh_db or demo_db; nothing for the others."""
    names = request.fixturenames
    if "fresh_db" not in names and "demo_db" not in names:
        yield
        return
    name = f"zj_test_{uuid.uuid4().hex[:12]}"
    _use(_state["template"])
    _create_database(name, _state["template"] if "demo_db" in names else "template0")
    _use(name)
    try:
        yield
    finally:
        _use(_state["template"])
        _drop_database(name)
