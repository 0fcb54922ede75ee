"""Engine and sessions. SQLite by default; any SQLAlchemy URL through DATABASE_URL."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from core.paths import database_url
from db import models  # noqa: F401  (registers every table on SQLModel.metadata)

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the app read while an import writes; busy_timeout makes concurrent
    # writers wait their turn instead of failing at once.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url not in _engines:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
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
    """One transaction: committed when the block ends, rolled back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def create_schema() -> None:
    SQLModel.metadata.create_all(get_engine())


def bump_data_version(session: Session) -> None:
    """Called inside every write transaction so cached reads know the data changed."""
    updated = session.execute(
        text("UPDATE appmeta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'")
    ).rowcount
    if not updated:
        session.add(models.AppMeta(key="data_version", value="1"))


def data_version() -> int:
    with Session(get_engine()) as session:
        row = session.execute(text("SELECT value FROM appmeta WHERE key = 'data_version'")).first()
    return int(row[0]) if row else 0
