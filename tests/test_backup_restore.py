"""manage.py backup / restore: a round trip gives back exactly the backed-up data."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import manage
from db import imports, queries
from db.engine import data_version, get_engine
from db.setup import RestoreRefused, check_backup, restore_sqlite
from tests.test_concurrency import _plan_for

# Every table but appmeta, whose data_version a restore moves forward on purpose, and the audit log, to which
# the restore adds its own row (tests/test_restore_security.py).
DATA_TABLES = sorted(t for t in SQLModel.metadata.tables if t not in ("appmeta", "auditlog"))


def _dump() -> dict[str, list[tuple]]:
    with get_engine().connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}" ORDER BY 1, 2'))] for t in DATA_TABLES}


def _change_everything() -> None:
    result, plan = _plan_for(3, ["T23", "T02"], ["440802"], sha="9" * 64)
    imports.commit_import(result, plan, user="李四", source="upload", file_bytes=b"new", mime="x",
                          department=None, period=None)
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM taskprogress WHERE id IN (SELECT id FROM taskprogress LIMIT 50)"))
        conn.execute(text("UPDATE target SET name = name || '（改）' WHERE id = 'T23'"))


def test_backup_change_restore_gives_back_the_backup(demo_db, tmp_path, capsys):
    backup = tmp_path / "nightly.sqlite3"
    assert manage.main(["backup", "-o", str(backup)]) == 0
    saved, saved_version = _dump(), data_version()
    assert len(saved["indicatorvalue"]) > 500

    _change_everything()
    changed, changed_version = _dump(), data_version()
    assert changed != saved

    capsys.readouterr()
    assert manage.main(["restore", str(backup)]) == 0
    said = capsys.readouterr().out
    assert "已从" in said and "恢复前的数据库已另存为" in said

    assert _dump() == saved
    # Moved past every version a running app may have cached reads for.
    assert data_version() == max(saved_version, changed_version) + 1
    assert queries.targets().set_index("id").loc["T23", "name"] == "社会公用计量标准"
    safety = Path(said.rsplit("另存为 ", 1)[1].strip())
    assert safety.parent == demo_db / "backups"
    # The safety copy holds the database as it was just before the restore.
    conn = sqlite3.connect(safety)
    try:
        assert conn.execute("SELECT COUNT(*) FROM indicatorvalue").fetchone()[0] == len(changed["indicatorvalue"])
        assert conn.execute("SELECT name FROM target WHERE id = 'T23'").fetchone()[0].endswith("（改）")
    finally:
        conn.close()
    with get_engine().connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_restore_into_a_running_app_is_seen_by_its_open_connections(fresh_db, tmp_path):
    backup = tmp_path / "b.sqlite3"
    assert manage.main(["backup", "-o", str(backup)]) == 0
    _change_everything()
    reader = sqlite3.connect(fresh_db / "dashboard.sqlite3")  # another process of the app, say
    assert reader.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == 1
    restore_sqlite(backup)
    assert reader.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == 0
    reader.close()


@pytest.mark.parametrize("content, message", [
    (b"not a database at all, just text" * 10, "不是 SQLite 数据库文件"),
    (None, "不是本看板的数据库"),
    ("truncated", "已损坏"),
])
def test_restore_refuses_bad_files_and_changes_nothing(demo_db, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.sqlite3"
    if content is None:  # a valid SQLite file of some other program
        other = sqlite3.connect(bad)
        other.execute("CREATE TABLE notes (x)")
        other.commit()
        other.close()
    elif content == "truncated":
        manage.main(["backup", "-o", str(bad)])
        data = bad.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    else:
        bad.write_bytes(content)
    before, version = _dump(), data_version()

    with pytest.raises(RestoreRefused, match=message):
        check_backup(bad)
    capsys.readouterr()
    assert manage.main(["restore", str(bad)]) == 1
    assert message in capsys.readouterr().err
    assert _dump() == before and data_version() == version
    assert not (demo_db / "backups").exists()  # refused before any safety copy was taken


def test_missing_file_is_refused(fresh_db, tmp_path):
    with pytest.raises(RestoreRefused, match="找不到备份文件"):
        restore_sqlite(tmp_path / "nope.sqlite3")


def test_backup_from_an_older_version_restores_and_gains_the_newer_tables(demo_db, tmp_path):
    """A backup made before a table was added (here: login sessions) is still accepted."""
    backup = tmp_path / "old.sqlite3"
    assert manage.main(["backup", "-o", str(backup)]) == 0
    with sqlite3.connect(backup) as conn:
        conn.execute("DROP TABLE usersession")
    values_before = len(queries.current_values())
    counts = check_backup(backup)
    assert "usersession" not in counts and counts["indicatorvalue"] > 500
    restore_sqlite(backup)
    assert len(queries.current_values()) == values_before
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM usersession")).scalar() == 0


def test_backup_without_report_tables_is_refused(fresh_db, tmp_path):
    stranger = tmp_path / "other.sqlite3"
    with sqlite3.connect(stranger) as conn:
        conn.execute("CREATE TABLE department (id INTEGER)")
    with pytest.raises(RestoreRefused, match="缺少表"):
        check_backup(stranger)
