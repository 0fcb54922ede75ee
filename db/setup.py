"""Database set-up used by manage.py and `make run`."""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from core.catalogue import Catalogue, load_catalogue
from core.paths import DEFAULT_PLAN_ID, var_dir
from core.plan_context import current_plan_id
from core.plans import plan_folder
from db.catalogue_sync import SyncReport, sync_catalogue
from db.demo import demo_loaded, load_demo
from db.engine import create_schema, dispose_engines, get_engine

try:
    import fcntl
except ImportError:  # Windows: no lock file; concurrent first starts are then not serialised
    fcntl = None


def init_database(catalogue: Catalogue | None = None, plan_dir: Path | None = None) -> SyncReport:
    """Bring the schema to the newest migration and write the catalogue; safe to run again at any time.

    An empty database is created at head; one made before migrations existed is checked against
    the baseline, stamped and upgraded; a migrated one is upgraded (db.migrations).
    """
    with _one_initialiser_at_a_time():
        plan_dir = plan_dir or plan_folder(current_plan_id())  # the current plan's folder by default
        return _init_database(catalogue or load_catalogue(plan_dir), plan_dir)


def _init_database(catalogue: Catalogue, plan_dir: Path) -> SyncReport:
    create_schema()
    return sync_catalogue(catalogue, plan_dir)  # plan_dir: plan.toml's [catalogue] revised_from


def ensure_ready(with_demo: bool) -> tuple[SyncReport, dict[str, int] | None]:
    """What `make run` does: schema + catalogue, and demo data when the database holds no reports."""
    catalogue = load_catalogue()
    with _one_initialiser_at_a_time():
        report = _init_database(catalogue, plan_folder(current_plan_id()))
        loaded = None
        # Demo data (core.demo) is shaped for the first plan; a later plan gets none.
        if with_demo and current_plan_id() == DEFAULT_PLAN_ID and not demo_loaded() and not has_reports():
            loaded = load_demo(catalogue)
    return report, loaded


@contextmanager
def _one_initialiser_at_a_time() -> Iterator[None]:
    """Serialise set-up across processes (app instances starting together, manage.py init).

    The catalogue sync and the demo load check, then write; on PostgreSQL (READ COMMITTED) two
    processes would both find the catalogue missing and insert it twice, and on either database
    both could load the demo data. PostgreSQL: a session advisory lock; SQLite: a lock file.
    """
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtext('zj_init_database'))"))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext('zj_init_database'))"))
                conn.commit()
        return
    database = make_url(str(engine.url)).database
    if fcntl is None or engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.init-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, also if the process dies
        yield


def has_reports() -> bool:
    with get_engine().connect() as conn:
        return conn.execute(text("SELECT 1 FROM submission LIMIT 1")).first() is not None


class RestoreRefused(ValueError):
    """The file cannot be restored; the message is Chinese and the database was not touched."""


class NotSqlite(RuntimeError):
    """backup/restore work on SQLite only; the message is Chinese."""


def _sqlite_path() -> Path:
    url = make_url(str(get_engine().url))
    if url.get_backend_name() != "sqlite":
        raise NotSqlite("backup/restore 仅支持 SQLite；PostgreSQL 请使用 pg_dump / pg_restore")
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    # The SQLite backup API copies a consistent snapshot page by page while other
    # connections keep reading and writing; a plain file copy of a WAL database would not.
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def backup_sqlite(target: Path) -> Path:
    """Online backup of the SQLite database (consistent while the app keeps running).

    Written beside the target under a temporary name and renamed into place when complete: a backup
    that fails (disk full, no permission) leaves no half-written file that could be mistaken for a
    backup, and a file of the same name is replaced only by a finished backup."""
    source = _sqlite_path()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        _copy_sqlite(source, partial)
        # One self-contained file: a backup copied elsewhere must not depend on a -wal beside it.
        conn = sqlite3.connect(partial)
        try:
            conn.execute("PRAGMA journal_mode=DELETE")
        finally:
            conn.close()
        partial.replace(target)
    finally:
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
    return target


# A backup must hold the plan and its reports; tables added by later versions (sessions,
# meetings...) may be missing from an older backup and are created empty after a restore.
DATA_TABLES = frozenset({"department", "task", "taskdepartment", "district", "target", "period", "submission",
                         "indicatorvalue", "taskprogress", "appmeta"})


def check_backup(path: Path) -> dict[str, int]:
    """Refuse anything but an intact database of this app; row counts per table when it is one.

    Check a private copy (restore_sqlite makes one): the name is opened as a plain file name, never as
    an SQLite URI, so "x.sqlite3?mode=..." cannot make the check read one file and the copy another."""
    path = Path(path)
    if not path.is_file():
        raise RestoreRefused(f"找不到备份文件 {path}")
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise RestoreRefused(f"{path.name} 不是 SQLite 数据库文件")
    # Read-only and immutable: checking must never change the file, nor create -wal/-shm beside it.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchall()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise RestoreRefused(f"{path.name} 已损坏，无法读取：{exc}") from exc
        if integrity != [("ok",)]:
            raise RestoreRefused(f"{path.name} 完整性检查未通过：{integrity[0][0]}")
        missing = sorted(DATA_TABLES - tables)
        if missing:
            raise RestoreRefused(f"{path.name} 不是本看板的数据库（缺少表：{'、'.join(missing)}）")
        if "alembic_version" in tables:
            _refuse_unknown_revision(path, conn.execute("SELECT version_num FROM alembic_version").fetchall())
        present = sorted(set(SQLModel.metadata.tables) & tables)
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in present}
    finally:
        conn.close()


def _refuse_unknown_revision(path: Path, rows: list[tuple]) -> None:
    # Checked before anything is copied: restoring first and migrating after would leave a
    # database this program cannot read (a backup written by a newer version).
    from db.migrations import is_known_revision

    unknown = [r[0] for r in rows if not is_known_revision(r[0])]
    if unknown:
        raise RestoreRefused(f"{path.name} 由更新版本的程序写入（数据库结构版本 {unknown[0]}），请用相应版本恢复")


def restore_sqlite(backup: Path, safety_dir: Path | None = None, *, by: str = "命令行") -> dict:
    """Replace the database's contents with a checked backup, keeping a safety copy first.

    The backup is first copied byte for byte into a private temporary folder; that copy is checked
    and that very copy is installed, so the file checked is the file restored. The accounts as they
    are now are kept (db.account_carry): a session revoked or an account disabled, re-roled or
    re-passworded since the backup stays so. The restore is audited in the restored database.
    Returns the safety copy's path and the restored row counts. The data_version is set above both
    the current and the backup's, so no process serves reads cached before.
    """
    from db.account_carry import carry_accounts, read_accounts

    target = _sqlite_path()
    source = Path(backup)
    if not source.is_file():
        raise RestoreRefused(f"找不到备份文件 {source}")
    with tempfile.TemporaryDirectory(prefix="zj-restore-") as private:
        copy = Path(private) / "backup.sqlite3"
        shutil.copyfile(source.resolve(), copy)
        counts = check_backup(copy)
        safety_dir = safety_dir or var_dir() / "backups"
        safety = safety_dir / f"before-restore-{datetime.now():%Y%m%d-%H%M%S-%f}.sqlite3"
        backup_sqlite(safety)
        accounts = read_accounts(get_engine())
        version = max(_data_version_of(target), _data_version_of(copy, immutable=True)) + 1
        dispose_engines()  # pooled connections of this process must not outlive the old contents
        _copy_sqlite(copy, target)
    conn = sqlite3.connect(target)
    try:
        with conn:
            conn.execute("INSERT OR REPLACE INTO appmeta (key, value) VALUES ('data_version', ?)", (str(version),))
    finally:
        conn.close()
    create_schema()
    kept = carry_accounts(accounts, audit_detail={"file": source.name, "safety_copy": str(safety),
                                                  "submissions": counts.get("submission", 0)}, by=by)
    return {"safety_copy": safety, "counts": counts, "data_version": version, "accounts": kept}


def _data_version_of(path: Path, immutable: bool = False) -> int:
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}", uri=True)
    try:
        row = conn.execute("SELECT value FROM appmeta WHERE key = 'data_version'").fetchone()
    except sqlite3.DatabaseError:
        row = None
    finally:
        conn.close()
    return int(row[0]) if row else 0
