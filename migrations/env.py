"""Alembic environment. db.migrations passes the connection (one transaction, write-locked);
the `alembic` command line, should someone use it, gets the app's own DATABASE_URL."""
from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from db import models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config


def render_item(type_, obj, autogen_context):
    # Revisions use the plain types sqlmodel's decorators emit, like 0001, and need no sqlmodel import.
    if type_ == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


OPTIONS = dict(
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table, so later migrations work there too.
    render_as_batch=True,
    compare_type=True,
    render_item=render_item,
)


def run_offline() -> None:
    from core.paths import database_url

    context.configure(url=database_url(), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    from db.engine import get_engine

    with get_engine().connect() as connection:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
