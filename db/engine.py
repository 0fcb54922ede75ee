"""Engine and sessions. SQLite by default; any SQLAlchemy URL through DATABASE_URL."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from core.paths import database_url
from db import models  # noqa: F401  (registers every table on SQLModel.metadata)
from db.schema_version import schema_is_current

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # pysqlite would open its own deferred BEGIN lazily at the first INSERT, after the reads
    # that decided what to write; _sqlite_begin emits BEGIN itself instead.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # WAL lets the app read while an import writes; busy_timeout makes concurrent
    # writers wait their turn instead of failing at once.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    # A writer takes the write lock when its transaction starts (BEGIN IMMEDIATE), so a
    # check-then-write such as commit_import's duplicate check is serialised, and busy_timeout
    # applies: a deferred transaction that read first gets SQLITE_BUSY at once when it writes.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("zj_write") else "BEGIN")


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url not in _engines:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _engines[url] = engine
    return _engines[url]


def dispose_engines() -> None:
    """Forget every engine (tests switch databases through DATABASE_URL/ZJ_VAR_DIR)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """One write transaction: committed when the block ends, rolled back on any error.

    On SQLite it holds the write lock from its start (BEGIN IMMEDIATE); other writers wait
    up to busy_timeout, readers are never blocked (WAL).
    """
    with Session(get_engine(), expire_on_commit=False, execution_options={"zj_write": True}) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def lock_for_write(session: Session, key: str) -> None:
    """Serialise writers that read before they write under the same key, until commit.

    SQLite already serialises every session_scope (BEGIN IMMEDIATE); PostgreSQL's
    READ COMMITTED does not, so there a transaction-scoped advisory lock does it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def create_schema():
    """Bring the schema to the newest migration (db.migrations); None when it already was."""
    if schema_is_current(get_engine()):
        return None
    from db.migrations import upgrade_database  # Alembic is imported only when there is work to do

    return upgrade_database(get_engine())


# Every ORM session that changes rows bumps the data version in the same transaction, so a
# write path cannot forget it: cached reads trust it.
# Accounts, logins and the audit log are not what pages show from the data: a login must not
# send every page back to the database. Their writers bump the version themselves where a cached
# read depends on them (the account list); the audit page keys on the newest audit row.
_NOT_DATA = frozenset({"app_user", "usersession", "auditlog", "appmeta"})


def _changes_data(objects) -> bool:
    return any(type(o).__table__.name not in _NOT_DATA for o in objects)


@event.listens_for(OrmSession, "before_flush")
def _note_flush(session, _context, _instances) -> None:
    if _changes_data([*session.new, *session.dirty, *session.deleted]):
        session.info["zj_changed"] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _note_dml(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.statement.table.name not in _NOT_DATA:
        state.session.info["zj_changed"] = True


@event.listens_for(OrmSession, "before_commit")
def _bump_on_commit(session) -> None:
    # before_commit comes before the commit's own flush: pending objects count as changes too.
    changed = session.info.get("zj_changed") or _changes_data([*session.new, *session.dirty, *session.deleted])
    if changed and not session.info.get("zj_bumped"):
        bump_data_version(session)


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _transaction_ended(session) -> None:
    session.info.pop("zj_changed", None)
    session.info.pop("zj_bumped", None)


def bump_data_version(session: Session) -> None:
    """Inside a write transaction, so cached reads know the data changed. Done at commit whenever
    rows of the data tables changed; called directly by writes the session events cannot see (SQL
    text) or that cached reads depend on although they are not data (the account list)."""
    session.info["zj_bumped"] = True  # once per transaction is enough
    _this_run.version = None  # this thread's later reads must see the write
    updated = session.execute(
        text("UPDATE appmeta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'")
    ).rowcount
    if not updated:
        session.add(models.AppMeta(key="data_version", value="1"))


# A page run makes a dozen cached reads; each would look the data version up again. The router
# pins it once per script run (each run has its own thread), so one run shows one consistent
# version and saves the queries; threads that never pin (CLI, tests, warm-up) always look it up.
_this_run = threading.local()


def pin_data_version() -> None:
    """Called at the start of a script run: this thread's data_version() answers without a query
    until the next pin or until this thread writes."""
    _this_run.version = None
    _this_run.version = data_version()


def data_version() -> int:
    pinned = getattr(_this_run, "version", None)
    if pinned is not None:
        return pinned
    with Session(get_engine()) as session:
        row = session.execute(text("SELECT value FROM appmeta WHERE key = 'data_version'")).first()
    return int(row[0]) if row else 0
