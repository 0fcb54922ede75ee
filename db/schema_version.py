"""Is the database already at the newest migration? Answered without importing Alembic.

Every app process asks this once at start-up (services.runtime → init_database → create_schema);
importing Alembic costs 0.25–0.4 s on the office's kind of machine, which the cold start cannot
afford when, as almost always, there is nothing to migrate. db.migrations does the real work.
"""
from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from db import models  # noqa: F401  (registers every table on SQLModel.metadata)

# The newest file in migrations/versions; tests/test_migrations.py fails until this is updated.
HEAD_REVISION = "0012_plans"
VERSION_TABLE = "alembic_version"


def schema_is_current(engine: Engine) -> bool:
    """Stamped at HEAD_REVISION and every table of the models present."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if VERSION_TABLE not in tables or not set(SQLModel.metadata.tables) <= tables:
            return False
        versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return versions == [HEAD_REVISION]
