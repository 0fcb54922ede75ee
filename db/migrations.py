"""Schema migrations (Alembic, configured here in code: no alembic.ini, no working-directory assumptions).

upgrade_database() brings any database the app meets to the head revision:
- an empty database: create_all + stamp head (the same tables the migrations build, in about 30 ms
  instead of 50-190 ms depending on load; the test suite creates hundreds of databases.
  tests/test_migrations.py checks both routes give the same schema);
- a database made by create_all before migrations existed: its tables are checked against the
  frozen baseline (0001), tables it predates are added, it is stamped at the baseline, then upgraded;
- a migrated database: upgrade head (nothing to do when current).
Everything runs in one transaction holding the write lock, so concurrent app starts serialise and a
failed migration leaves the database as it was.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from db import models  # noqa: F401  (registers every table on SQLModel.metadata)
from db.schema_version import VERSION_TABLE, schema_is_current

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
BASELINE = "0001_baseline"


class SchemaMismatch(RuntimeError):
    """A pre-migration database whose tables differ from the baseline; nothing was changed."""


@dataclass(frozen=True)
class UpgradeResult:
    route: str  # created | adopted | upgraded | current
    before: str | None
    after: str

    def summary(self) -> str:
        return {
            "created": f"新建数据库结构，版本 {self.after}",
            "adopted": f"旧数据库已纳入迁移管理（{BASELINE}），并升级到 {self.after}",
            "upgraded": f"数据库结构已从 {self.before} 升级到 {self.after}",
            "current": f"数据库结构已是最新版本 {self.after}",
        }[self.route]


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return script_directory().get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def baseline_metadata() -> MetaData:
    """The tables as revision 0001 creates them (frozen, unlike SQLModel.metadata)."""
    return script_directory().get_revision(BASELINE).module.baseline_metadata()


def schema_differences(conn: Connection, metadata: MetaData | None = None) -> list:
    """Alembic's autogenerate diff between the database and the metadata (default: the models)."""
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata if metadata is not None else SQLModel.metadata)
            if not _is_bookkeeping(d)]


def _is_bookkeeping(diff) -> bool:
    # alembic_version belongs to Alembic, not to the models.
    return diff[0] == "remove_table" and diff[1].name == VERSION_TABLE


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None  # None: never migrated (empty, or made by create_all before migrations)
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as conn:
        state = _state(conn)
    return SchemaStatus(state.revision, head_revision(), bool(state.app_tables))


@dataclass(frozen=True)
class _State:
    revision: str | None
    app_tables: frozenset[str]


def _state(conn: Connection) -> _State:
    tables = set(inspect(conn).get_table_names())
    revision = current_revision(conn) if VERSION_TABLE in tables else None
    return _State(revision, frozenset(tables & set(SQLModel.metadata.tables)))


def upgrade_database(engine: Engine) -> UpgradeResult:
    """Bring the database to head; see the module docstring for the three routes."""
    head = head_revision()
    if schema_is_current(engine):
        return UpgradeResult("current", head, head)  # the common case: no write lock taken
    with _write_transaction(engine) as conn:
        state = _state(conn)  # again, under the lock: another process may have just done it
        if state.revision is None and not state.app_tables:
            SQLModel.metadata.create_all(conn)
            MigrationContext.configure(conn).stamp(script_directory(), "head")
            return UpgradeResult("created", None, head)
        if state.revision is not None and not is_known_revision(state.revision):
            raise SchemaMismatch(f"数据库结构版本 {state.revision} 不是本程序认识的版本（可能由更新的程序写入），"
                                 "未做任何修改；请使用相应版本的程序")
        route = "upgraded"
        if state.revision is None:
            _adopt_pre_migration_database(conn)
            route = "adopted"
        if state.revision != head:
            command.upgrade(alembic_config(conn), "head")
        # A backup restored from an older version may lack a table its stamp promises; recreate it empty.
        SQLModel.metadata.create_all(conn)
        return UpgradeResult(route if state.revision != head else "current", state.revision, head)


def is_known_revision(revision: str) -> bool:
    try:
        return script_directory().get_revision(revision) is not None
    except CommandError:
        return False


def _adopt_pre_migration_database(conn: Connection) -> None:
    baseline = baseline_metadata()
    # Tables added by later create_all versions (login sessions, meetings...) are missing from
    # older databases and backups: add them empty, as the old create_all on start-up did.
    baseline.create_all(conn, checkfirst=True)
    differences = schema_differences(conn, baseline)
    if differences:
        listed = "；".join(str(d) for d in differences[:10])
        raise SchemaMismatch(f"数据库结构与基线版本 {BASELINE} 不一致，未做任何修改：{listed}")
    MigrationContext.configure(conn).stamp(script_directory(), BASELINE)


@contextmanager
def _write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the database's write lock for the whole migration.

    SQLite: BEGIN IMMEDIATE (db.engine's zj_write option), with foreign keys off while batch
    migrations rebuild tables, and foreign_key_check before commit. PostgreSQL: an advisory
    lock, released at commit; its DDL is transactional.
    """
    with engine.connect().execution_options(zj_write=True) as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Only takes effect outside a transaction, hence before BEGIN and on the driver's
            # connection (SQLAlchemy would open a transaction first).
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('zj_schema_migration'))"))
                broken_before = set(_foreign_key_problems(conn)) if sqlite else set()
                yield conn
                broken = set(_foreign_key_problems(conn)) - broken_before if sqlite else set()
                if broken:
                    raise RuntimeError(f"迁移后外键检查未通过，已回滚：{sorted(broken)[:5]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _foreign_key_problems(conn: Connection) -> list[tuple]:
    return [tuple(r) for r in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()]
