"""Engine and sessions. SQLite by default; any SQLAlchemy URL through DATABASE_URL.

One database per plan (方案). The main database (DATABASE_URL, or var/dashboard.sqlite3) is the *home*
database: accounts, login sessions and throttles, department contacts, the default-plan setting, and the
data of the first plan (2018–2020), so a database from before plans existed is that plan unchanged.
Every other plan has a database of its own with the same schema and migrations: on SQLite
plans/<id>.sqlite3 beside the home file, on PostgreSQL the schema plan_<id> of the same database
(selected by search_path). get_engine() answers for the plan core.plan_context says the code runs for;
home_engine() for the accounts.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from core.paths import DEFAULT_PLAN_ID, database_url, var_dir
from core.plan_context import current_plan_id
from core.plans import PLAN_ID
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


def plan_schema(plan_id: str) -> str:
    """PostgreSQL schema of a plan other than the home one: plan_2021_2025."""
    return "plan_" + plan_id.replace("-", "_").lower()


_plan_urls: dict[tuple, str] = {}


def plan_database_url(plan_id: str) -> str:
    """The database of one plan: the home database for the first plan, its own for every other. Asked by
    every query, so remembered per plan and per what moves the home database (DATABASE_URL, ZJ_VAR_DIR)."""
    key = (os.environ.get("DATABASE_URL"), os.environ.get("ZJ_VAR_DIR"), plan_id)
    url = _plan_urls.get(key)
    if url is None:
        url = _plan_urls[key] = _plan_database_url(plan_id)
    return url


def _plan_database_url(plan_id: str) -> str:
    home = database_url()
    if plan_id == DEFAULT_PLAN_ID:
        return home
    if not PLAN_ID.match(plan_id):  # it becomes a file or schema name
        raise ValueError(f"不是方案编号：{plan_id!r}")
    url = make_url(home)
    if url.get_backend_name() == "sqlite":
        place = url.database
        folder = (Path(place).parent if place and place != ":memory:" else var_dir()) / "plans"
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / f'{plan_id}.sqlite3'}"
    if url.get_backend_name() == "postgresql":
        return url.update_query_dict({"options": f"-csearch_path={plan_schema(plan_id)}"}).render_as_string(
            hide_password=False)
    raise ValueError(f"数据库 {url.get_backend_name()} 不支持多个方案：请用 SQLite 或 PostgreSQL")


def home_engine() -> Engine:
    """The home database: accounts, sessions, throttles, contacts, the default plan; and the first plan's data."""
    return get_engine(database_url())


def is_home(session: Session) -> bool:
    """Is this session on the home database (where the accounts are)?"""
    return session.get_bind() is home_engine()


def get_engine(url: str | None = None) -> Engine:
    """The engine of `url`; without one, of the current plan's database (core.plan_context)."""
    url = url or plan_database_url(current_plan_id())
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
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One write transaction on the current plan's database (or `engine`): committed when the block ends,
    rolled back on any error.

    On SQLite it holds the write lock from its start (BEGIN IMMEDIATE); other writers wait
    up to busy_timeout, readers are never blocked (WAL).
    """
    with Session(engine or get_engine(), expire_on_commit=False, execution_options={"zj_write": True}) as session:
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


def home_scope() -> Iterator[Session]:
    """A write transaction on the home database (accounts, sessions, contacts, the default plan)."""
    return session_scope(home_engine())


def create_schema():
    """Bring the current plan's schema to the newest migration (db.migrations); None when it already was."""
    engine = get_engine()
    if engine.dialect.name == "postgresql" and engine is not home_engine():
        schema = engine.url.query.get("options", "").partition("search_path=")[2]
        with home_engine().begin() as conn:  # the plan's schema must exist before anything is made in it
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    if schema_is_current(engine):
        return None
    from db.migrations import upgrade_database  # Alembic is imported only when there is work to do

    return upgrade_database(engine)


# Every ORM session that changes rows bumps the data version in the same transaction, so a
# write path cannot forget it: cached reads trust it.
# Accounts, logins and the audit log are not what pages show from the data: a login must not
# send every page back to the database. Their writers bump the version themselves where a cached
# read depends on them (the account list); the audit page keys on the newest audit row.
_NOT_DATA = frozenset({"app_user", "usersession", "auditlog", "appmeta", "loginthrottle"})


# The office's own lists, kept in the home database whatever plan is archived (not a plan's data).
_OFFICE_WIDE = _NOT_DATA | {"departmentcontact"}


def _changes_data(objects) -> bool:
    return any(type(o).__table__.name not in _NOT_DATA for o in objects)


def _changes_plan_data(objects) -> bool:
    return any(type(o).__table__.name not in _OFFICE_WIDE for o in objects)


class PlanArchived(PermissionError):
    """A data write in an archived plan's database (archived = read-only); nothing was written. Services
    catch it like their own refusals (it is also a CommitRefused, TrustRefused, SupervisionRefused and
    NotAllowed: db.plan_refusal), so screens and the CLI show the Chinese message, never a traceback."""


def _refuse_if_archived(session) -> None:
    """Inside the write's own transaction: the plan's status as its database says now (plan_status in
    appmeta, set by services.plans.archive/activate); checked once per transaction."""
    if session.info.get("zj_plan_open"):
        return
    row = session.connection().execute(text("SELECT value FROM appmeta WHERE key = 'plan_status'")).first()
    if row is not None and row[0] == "archived":
        from db.plan_refusal import archived_error  # the refusal types live above this module

        plan = session.connection().execute(text("SELECT value FROM appmeta WHERE key = 'plan_id'")).first()
        raise archived_error(plan[0] if plan else DEFAULT_PLAN_ID)
    session.info["zj_plan_open"] = True


@event.listens_for(OrmSession, "before_flush")
def _note_flush(session, _context, _instances) -> None:
    objects = [*session.new, *session.dirty, *session.deleted]
    if _changes_plan_data(objects):
        _refuse_if_archived(session)
    if _changes_data(objects):
        session.info["zj_changed"] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _note_dml(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.statement.table.name not in _NOT_DATA:
        if state.statement.table.name not in _OFFICE_WIDE:
            _refuse_if_archived(state.session)
        state.session.info["zj_changed"] = True


@event.listens_for(OrmSession, "before_commit")
def _bump_on_commit(session) -> None:
    # before_commit comes before the commit's own flush: pending objects count as changes too.
    pending = [*session.new, *session.dirty, *session.deleted]
    if _changes_plan_data(pending):
        _refuse_if_archived(session)
    changed = session.info.get("zj_changed") or _changes_data(pending)
    if changed and not session.info.get("zj_bumped"):
        bump_data_version(session, data=False)  # checked above, as far as it is the plan's data


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _transaction_ended(session) -> None:
    session.info.pop("zj_changed", None)
    session.info.pop("zj_bumped", None)
    session.info.pop("zj_plan_open", None)


def bump_data_version(session: Session, *, data: bool = True) -> None:
    """Inside a write transaction, so cached reads know the data changed. Done at commit whenever
    rows of the data tables changed; called directly by writes the session events cannot see (SQL
    text) or that cached reads depend on although they are not data (the account list: data=False).
    A data write (data=True) is refused here too when the plan is archived: SQL text escapes the events."""
    if data:
        _refuse_if_archived(session)
    session.info["zj_bumped"] = True  # once per transaction is enough
    _this_run.pins = {}  # this thread's later reads must see the write
    updated = session.execute(
        text("UPDATE appmeta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'")
    ).rowcount
    if not updated:
        session.add(models.AppMeta(key="data_version", value="1"))


# A page run makes a dozen cached reads; each would look the data version up again. The router
# pins it once per script run (each run has its own thread), so one run shows one consistent
# version and saves the queries; threads that never pin (CLI, tests, warm-up) always look it up.
# Each plan's database has its own version: the pin is kept per plan id.
_this_run = threading.local()


def pin_data_version() -> None:
    """Called at the start of a script run: this thread's data_version() answers for the current plan
    without a query until the next pin or until this thread writes."""
    _this_run.pins = {}
    _this_run.pins = {current_plan_id(): data_version()}


def data_version() -> int:
    """The current plan's data version (bumped by every write in its database)."""
    plan_id = current_plan_id()
    pinned = getattr(_this_run, "pins", {}).get(plan_id)
    if pinned is not None:
        return pinned
    with Session(get_engine(plan_database_url(plan_id))) as session:
        row = session.execute(text("SELECT value FROM appmeta WHERE key = 'data_version'")).first()
    return int(row[0]) if row else 0


def data_key() -> tuple[str, int]:
    """What a cached read of the current plan is keyed by: the plan and its data version (versions of two
    plans' databases are counted separately and can be equal)."""
    return current_plan_id(), data_version()
