"""What a database says about its plan (appmeta plan_id, plan_status) and the home database about the
office's default plan (appmeta default_plan): reads and writes for services.plans.

plan_status lives in the plan's own database, so db.engine's archive guard reads it inside each write
transaction; the default plan in the home database, beside the accounts.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from db import models as m
from db.engine import bump_data_version, get_engine, home_engine, plan_database_url, session_scope
from db.users import audit


def database_exists(plan_id: str) -> bool:
    """Has this plan a database yet? (Asked without creating one: SQLite makes a file on connecting.)"""
    raw = plan_database_url(plan_id)
    url = make_url(raw)
    if url.get_backend_name() == "sqlite":
        return bool(url.database) and Path(url.database).is_file()
    engine = get_engine(raw)  # (str(url) would hide the password)
    return _fact(engine, "data_version") is not None or _fact(engine, "plan_id") is not None


def _fact(engine: Engine, key: str) -> str | None:
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT value FROM appmeta WHERE key = :key"), {"key": key}).first()
    except SQLAlchemyError:  # no database or no appmeta yet (never initialised)
        return None
    return row[0] if row else None


def plan_fact(plan_id: str, key: str) -> str | None:
    """appmeta `key` of the plan's database; None when it has none or there is no database yet."""
    if not database_exists(plan_id):
        return None
    return _fact(get_engine(plan_database_url(plan_id)), key)


def home_fact(key: str) -> str | None:
    url = make_url(str(home_engine().url))
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return None
    return _fact(home_engine(), key)


def _put(session, key: str, value: str) -> None:
    row = session.get(m.AppMeta, key)
    if row is None:
        session.add(m.AppMeta(key=key, value=value))
    else:
        row.value = value


def set_plan_facts(plan_id: str, facts: dict[str, str], *, user: str, action: str, **detail) -> None:
    """Write appmeta facts of the plan's database and audit it there (allowed in an archived plan: appmeta
    and the audit log are not its data). The data version moves, so pages drawn before see the change."""
    with session_scope(get_engine(plan_database_url(plan_id))) as session:
        for key, value in facts.items():
            _put(session, key, value)
        audit(session, user, action, plan=plan_id, **detail)
        bump_data_version(session, data=False)  # not the plan's data: allowed when archived


def set_home_fact(key: str, value: str, *, user: str, action: str, **detail) -> None:
    """Write an appmeta fact of the home database (the default plan) and audit it there."""
    with session_scope(home_engine()) as session:
        _put(session, key, value)
        audit(session, user, action, **detail)
        bump_data_version(session, data=False)  # not the plan's data: allowed when archived


def audit_home(user: str, action: str, **detail) -> None:
    with session_scope(home_engine()) as session:
        audit(session, user, action, **detail)
