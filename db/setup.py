"""Database set-up used by manage.py and `make run`."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from core.catalogue import Catalogue, load_catalogue
from db.catalogue_sync import SyncReport, sync_catalogue
from db.demo import demo_loaded, load_demo
from db.engine import get_engine


def init_database(catalogue: Catalogue | None = None) -> SyncReport:
    """Create the schema and write the catalogue; safe to run again at any time."""
    return sync_catalogue(catalogue or load_catalogue())


def ensure_ready(with_demo: bool) -> tuple[SyncReport, dict[str, int] | None]:
    """What `make run` does: schema + catalogue, and demo data when the database holds no reports."""
    catalogue = load_catalogue()
    report = init_database(catalogue)
    loaded = None
    if with_demo and not demo_loaded() and not has_reports():
        loaded = load_demo(catalogue)
    return report, loaded


def has_reports() -> bool:
    from sqlalchemy import text

    with get_engine().connect() as conn:
        return conn.execute(text("SELECT 1 FROM submission LIMIT 1")).first() is not None


def backup_sqlite(target: Path) -> Path:
    """Online backup of the SQLite database (consistent while the app keeps running)."""
    import sqlite3

    url = make_url(str(get_engine().url))
    if url.get_backend_name() != "sqlite":
        raise RuntimeError("backup 仅支持 SQLite；PostgreSQL 请使用 pg_dump")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(url.database)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target
