"""Alembic migrations: baseline + later revisions keep every row, old create_all databases are adopted,
the models and the migrations describe the same schema. Runs on SQLite and, through tests.pg_support,
on PostgreSQL (tests named *sqlite* are skipped there)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import MetaData, inspect, select, text

import manage
from core.catalogue import load_catalogue
from core.importer.preview import plan_changes
from core.importer.reader import read_upload, sha256_of
from core.importer.validate import validate_upload
from db import catalogue_sync, current, queries, supervision
from db import demo as db_demo
from db import imports as db_imports
from db.demo import load_demo
from db.engine import dispose_engines, get_engine
from db.imports import commit_import
from db.migrations import (
    BASELINE,
    SchemaMismatch,
    alembic_config,
    baseline_metadata,
    current_revision,
    head_revision,
    schema_differences,
    script_directory,
    upgrade_database,
)
from db.schema_version import HEAD_REVISION
from db.setup import init_database
from tests.fixtures_excel import department_template, fill_template

NEW_INDEX = "ix_auditlog_user_at"
# Revision 0003's tables: absent before it, filled from the log by it (compared with the log in test_current_values).
KEPT_ON_WRITE = ("current_value", "current_progress")
ROOT = Path(__file__).resolve().parents[1]


# --- helpers -------------------------------------------------------------------------------------


def _empty_database() -> None:
    """Drop every table, so fresh_db's database (SQLite file or PostgreSQL database) starts empty."""
    engine = get_engine()
    with engine.begin() as conn:
        existing = MetaData()
        existing.reflect(conn)
        existing.drop_all(conn)
    dispose_engines()


def _upgrade(revision: str) -> None:
    with get_engine().begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def _fill_with_data(monkeypatch) -> dict:
    """Catalogue, demo data and one real upload, written by the app's own code without touching the schema
    (nor the values in force, whose tables an older schema does not have: the upgrade fills them)."""
    monkeypatch.setattr(catalogue_sync, "create_schema", lambda: None)
    # The tables of 0008_trustworthy do not exist yet at the baseline: the code that fills or joins them
    # is held back while the old database is filled.
    import db.demo

    monkeypatch.setattr(catalogue_sync, "_sync_target_meta", lambda *a: None)
    # catalogue_version (0010) does not exist either: the upgrade records the catalogue as version 1.
    monkeypatch.setattr(catalogue_sync, "_record_version", lambda *a: None)
    monkeypatch.setattr(db.demo, "insert_demo_registrations", lambda *a: None)
    monkeypatch.setattr(db.demo, "open_demo_period", lambda *a: None)  # periodclosure is 0008's too
    # The demo's 督办 notices need tables of a later revision than the baseline this data is written at.
    monkeypatch.setattr(supervision, "load_demo", lambda period: 0)
    # The 年度考核 demo needs tables the baseline does not have (migration 0005_assessment).
    monkeypatch.setattr("db.assessment_demo.load_demo_assessments", lambda: 0)
    if not set(KEPT_ON_WRITE) <= _tables():
        monkeypatch.setattr(db_imports, "refresh_submission", lambda session, sid: None)
        monkeypatch.setattr(db_demo, "rebuild", lambda session: None)
    catalogue = load_catalogue()
    catalogue_sync.sync_catalogue(catalogue)
    demo = load_demo(catalogue)
    content = fill_template(department_template(catalogue), value=91.5, narrative="迁移前上传")
    book = read_upload("进度.xlsx", content)
    result = validate_upload(book, catalogue, filename="进度.xlsx", sha256=sha256_of(content), period="2020Q4",
                             department="市市场监管局", known_periods=list(queries.periods()["code"]))
    assert not result.problems
    plan = plan_changes(result, *_in_force(), catalogue)
    committed = commit_import(result, plan, user="迁移测试", source="upload", file_bytes=content,
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              department=result.department, period=result.period)
    monkeypatch.undo()
    assert demo["values"] > 500 and committed["inserted"] > 0
    return committed


def _fingerprint(*skip: str) -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of the rows, in key order, of every table of the baseline (but `skip`).

    The baseline's tables and columns: the data that existed before any upgrade, which every upgrade must keep
    (tables and columns added by later revisions start empty or at their defaults)."""
    out = {}
    with get_engine().connect() as conn:
        for table in baseline_metadata().sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest() if rows else "")
    return out


# 0012_plans records which plan a database holds (appmeta plan_id, plan_status) and changes no other row.
PLAN_FACTS = {"plan_id": "2018-2020", "plan_status": "active"}


def _appmeta() -> dict[str, str]:
    with get_engine().connect() as conn:
        return dict(conn.execute(text("SELECT key, value FROM appmeta")).all())


def _in_force() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values and task reports in force, computed from the log (any revision; columns as queries' reads)."""
    with get_engine().connect() as conn:
        values = pd.read_sql(text(current.VALUES_FROM_LOG + " ORDER BY 1, 2, 3"), conn)
        progress = pd.read_sql(text(current.PROGRESS_FROM_LOG + " ORDER BY 1, 3, 2"), conn)
    values.columns = ["target_id", "period_code", "district_adcode", "id", "value", "data_source", "note",
                      "submission_id", "created_at", "is_demo", "user_name"]
    progress.columns = ["task_id", "department_id", "period_code", "id", "status", "percent", "narrative", "problems",
                        "next_steps", "submission_id", "created_at", "is_demo", "user_name"]
    names = dict(queries.departments()[["id", "name"]].values)
    progress["department"] = progress["department_id"].map(names)
    return values, progress


def _revision() -> str | None:
    with get_engine().connect() as conn:
        return current_revision(conn)


def _indexes(table: str) -> set[str]:
    with get_engine().connect() as conn:
        return {i["name"] for i in inspect(conn).get_indexes(table)}


def _tables() -> set[str]:
    with get_engine().connect() as conn:
        return set(inspect(conn).get_table_names())


# --- tests ---------------------------------------------------------------------------------------


def test_database_filled_at_the_baseline_upgrades_to_head_without_loss(fresh_db, monkeypatch):
    _empty_database()
    _upgrade(BASELINE)
    assert _revision() == BASELINE and NEW_INDEX not in _indexes("auditlog")
    committed = _fill_with_data(monkeypatch)
    before = _fingerprint(*KEPT_ON_WRITE)
    meta_before = _appmeta()
    values_before = _in_force()[0]
    assert before["indicatorvalue"][0] > 500 and before["submissionfile"][0] == 1 and before["auditlog"][0] >= 1

    result = upgrade_database(get_engine())

    assert (result.route, result.before, result.after) == ("upgraded", BASELINE, head_revision())
    assert _revision() == head_revision() and NEW_INDEX in _indexes("auditlog")
    after = _fingerprint(*KEPT_ON_WRITE)
    # Every old row kept; the tables of later revisions are added empty (the values in force are filled);
    # appmeta gains the plan facts only.
    assert {t: after[t] for t in before if t != "appmeta"} == {t: v for t, v in before.items() if t != "appmeta"}
    assert all(after[t][0] == 0 for t in after.keys() - before.keys())
    assert "plan_id" not in meta_before and _appmeta() == meta_before | PLAN_FACTS
    # The app's reads work on the upgraded database and see the same values, the upload's included.
    values_after = queries.current_values()
    assert len(values_after) == len(values_before)
    assert set(values_after["submission_id"]) >= {committed["submission_id"]}
    assert (values_after["value"].fillna(-1).tolist() == values_before["value"].fillna(-1).tolist())
    assert "迁移前上传" in set(queries.current_progress()["narrative"])
    uploads = queries.submissions(department="市市场监管局")
    assert uploads.loc[uploads["id"] == committed["submission_id"], "user_name"].tolist() == ["迁移测试"]
    with get_engine().connect() as conn:
        assert schema_differences(conn) == []


def test_migrated_database_and_models_agree(fresh_db):
    """Built by the migrations alone, the schema is what the models describe (autogenerate finds nothing)."""
    _empty_database()
    _upgrade("head")
    with get_engine().connect() as conn:
        assert schema_differences(conn) == []
        assert current_revision(conn) == head_revision()


def test_empty_database_fast_route_builds_the_same_schema_as_the_migrations(fresh_db):
    _empty_database()
    result = upgrade_database(get_engine())
    assert (result.route, result.before, result.after) == ("created", None, head_revision())
    with get_engine().connect() as conn:
        assert schema_differences(conn) == []
        assert current_revision(conn) == head_revision()
    assert NEW_INDEX in _indexes("auditlog")
    assert upgrade_database(get_engine()).route == "current"


def test_comparison_notices_a_schema_the_models_do_not_describe(fresh_db):
    """Guards the two tests above: schema_differences is not blind."""
    with get_engine().begin() as conn:
        conn.execute(text(f"DROP INDEX {NEW_INDEX}"))
    with get_engine().connect() as conn:
        diffs = schema_differences(conn)
    assert [(d[0], d[1].name) for d in diffs] == [("add_index", NEW_INDEX)]


def test_database_made_by_the_old_create_all_is_stamped_and_upgraded_without_loss(fresh_db, monkeypatch):
    _empty_database()
    baseline_metadata().create_all(get_engine())  # what create_all built before migrations existed
    _fill_with_data(monkeypatch)
    with get_engine().begin() as conn:
        # An older version still: login sessions did not exist yet.
        conn.execute(text("DROP TABLE usersession"))
    before = _fingerprint("usersession", *KEPT_ON_WRITE)
    assert "alembic_version" not in _tables()

    init_database()

    assert _revision() == head_revision()
    assert {"usersession", "alembic_version"} <= _tables() and NEW_INDEX in _indexes("auditlog")
    # Tables of later revisions are added; init fills targetmeta from targets.csv (and bumps the data version).
    after = _fingerprint("usersession", *KEPT_ON_WRITE)
    assert {t: after[t] for t in before if t != "appmeta"} == {t: v for t, v in before.items() if t != "appmeta"}
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM usersession")).scalar() == 0
        assert schema_differences(conn) == []


def test_old_database_that_differs_from_the_baseline_is_refused_untouched(fresh_db):
    _empty_database()
    baseline_metadata().create_all(get_engine())
    with get_engine().begin() as conn:
        conn.execute(text("ALTER TABLE submission ADD COLUMN extra_note VARCHAR"))
        conn.execute(text("DROP TABLE usersession"))
    tables_before = _tables()

    with pytest.raises(SchemaMismatch, match="extra_note"):
        upgrade_database(get_engine())

    # The transaction was rolled back: not stamped, and the missing table was not added either.
    assert _tables() == tables_before and "alembic_version" not in tables_before


def test_downgrade_and_upgrade_of_the_audit_index_keep_the_rows(fresh_db):
    with get_engine().begin() as conn:
        conn.execute(text("INSERT INTO auditlog (at, user_name, action, detail) "
                          "VALUES ('2024-01-02 03:04:05', '审计员', 'login', '')"))
    # targetmeta (0008) mirrors targets.csv: dropped by the downgrade, refilled by the next catalogue sync.
    before = _fingerprint("targetmeta", "appmeta")
    meta_before = _appmeta()
    with get_engine().begin() as conn:
        command.downgrade(alembic_config(conn), BASELINE)
    assert _revision() == BASELINE and NEW_INDEX not in _indexes("auditlog")
    upgrade_database(get_engine())
    assert _revision() == head_revision() and NEW_INDEX in _indexes("auditlog")
    assert _fingerprint("targetmeta", "appmeta") == before
    assert _appmeta() == meta_before | PLAN_FACTS


def test_manage_migrate_prints_current_and_head_and_upgrades(fresh_db, capsys):
    with get_engine().begin() as conn:
        command.downgrade(alembic_config(conn), BASELINE)
    head = head_revision()

    assert manage.main(["migrate", "--status"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == f"数据库结构：当前版本 {BASELINE}，最新版本 {head}"
    assert _revision() == BASELINE

    assert manage.main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert f"数据库结构已从 {BASELINE} 升级到 {head}" in out
    assert _revision() == head

    assert manage.main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"数据库结构：当前版本 {head}，最新版本 {head}"
    assert manage.main(["migrate", "--status"]) == 0


def test_manage_migrate_backs_up_sqlite_before_upgrading(fresh_db, capsys):
    with get_engine().begin() as conn:
        command.downgrade(alembic_config(conn), BASELINE)
        departments = conn.execute(text("SELECT COUNT(*) FROM department")).scalar()
    assert manage.main(["migrate"]) == 0
    backups = sorted((fresh_db / "backups").glob("before-migrate-*.sqlite3"))
    assert len(backups) == 1 and f"升级前已备份到 {backups[0]}" in capsys.readouterr().out
    import sqlite3

    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(BASELINE,)]
        assert conn.execute("SELECT COUNT(*) FROM department").fetchone()[0] == departments > 0


def test_migrations_folder_is_found_from_any_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    script_directory.cache_clear()
    assert head_revision() == HEAD_REVISION
    assert Path(alembic_config().get_main_option("script_location")).is_dir()


def test_head_constant_names_the_newest_migration():
    """db.schema_version.HEAD_REVISION lets start-up skip Alembic; a new migration must update it."""
    script_directory.cache_clear()
    assert HEAD_REVISION == head_revision()


def test_start_up_on_a_current_database_does_not_import_alembic(fresh_db):
    """The cold start pays for Alembic only when there is something to migrate."""
    code = ("import sys; from db.setup import init_database; init_database(); "
            "print('alembic' in sys.modules)")
    env = {**os.environ, "ZJ_VAR_DIR": str(fresh_db)}
    current = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip() == "False"
    with get_engine().begin() as conn:
        command.downgrade(alembic_config(conn), BASELINE)
    dispose_engines()
    behind = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert behind.stdout.strip() == "True" and _revision() == head_revision()


def test_database_from_a_newer_program_is_refused_untouched(fresh_db):
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    dispose_engines()
    with pytest.raises(SchemaMismatch, match="0099_from_the_future"):
        upgrade_database(get_engine())
    assert _revision() == "0099_from_the_future"


def _start_up(queue, barrier) -> None:
    try:
        from db.setup import ensure_ready

        barrier.wait(timeout=120)  # imports done: all start migrating at the same moment
        ensure_ready(with_demo=True)
        queue.put("ok")
    except BaseException as exc:  # reported to the parent, which asserts on it
        queue.put(repr(exc))


def test_app_instances_starting_at_once_on_an_empty_database_set_it_up_once(fresh_db):
    """Several processes (app instances, `manage.py init --demo`) meet the same empty database: one
    migrates, writes the catalogue and the demo data; the others wait, then find it ready."""
    import multiprocessing

    _empty_database()
    ctx = multiprocessing.get_context("spawn")
    queue, barrier = ctx.Queue(), ctx.Barrier(4)
    procs = [ctx.Process(target=_start_up, args=(queue, barrier)) for _ in range(4)]
    for p in procs:
        p.start()
    outcomes = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert outcomes == ["ok"] * 4
    assert _revision() == head_revision()
    with get_engine().connect() as conn:
        assert schema_differences(conn) == []
        assert conn.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(text("SELECT COUNT(*) FROM department")).scalar() > 30
        demo = conn.execute(text("SELECT COUNT(*) FROM submission WHERE is_demo")).scalar()
        twice = conn.execute(text("SELECT department_id, period_code FROM submission WHERE is_demo "
                                  "GROUP BY department_id, period_code HAVING COUNT(*) > 1")).all()
    assert demo > 50 and twice == []


def test_sqlite_migration_that_breaks_a_foreign_key_is_rolled_back(fresh_db):
    """Batch migrations run with foreign keys off; what they break is found before commit."""
    from db.migrations import _write_transaction

    orphan = ("INSERT INTO indicatorvalue (target_id, period_code, value, data_source, note, submission_id, created_at) "
              "VALUES ('T01', '2020Q4', 1.0, '', '', 999999, '2024-01-01 00:00:00')")
    with pytest.raises(RuntimeError, match="外键检查未通过"):
        with _write_transaction(get_engine()) as conn:
            conn.execute(text(orphan))
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM indicatorvalue WHERE submission_id = 999999")).scalar() == 0
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # switched back on


def test_sqlite_backup_from_a_newer_program_is_refused_before_restoring(fresh_db, tmp_path, capsys):
    import sqlite3

    backup = tmp_path / "newer.sqlite3"
    assert manage.main(["backup", "-o", str(backup)]) == 0
    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    capsys.readouterr()
    assert manage.main(["restore", str(backup)]) == 1
    assert "0099_from_the_future" in capsys.readouterr().err
    assert _revision() == head_revision()
    assert not (fresh_db / "backups").exists()  # refused before the safety copy


def _shape_like_baseline(conn) -> None:
    """Remove what later revisions added (tables, columns and their indexes): the old program's database."""
    baseline = baseline_metadata()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        if table not in baseline.tables:
            conn.execute(f'DROP TABLE "{table}"')
            continue
        keep = {c.name for c in baseline.tables[table].columns}
        for index, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                   "AND sql IS NOT NULL", (table,)).fetchall():
            cols = {r[2] for r in conn.execute(f'PRAGMA index_info("{index}")')}
            if cols - keep:
                conn.execute(f'DROP INDEX "{index}"')
        for col in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[1] not in keep]:
            conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{col}"')


def test_sqlite_backup_from_before_migrations_is_restored_and_adopted(fresh_db, tmp_path, monkeypatch):
    """A backup taken by the pre-migration program (no alembic_version) restores and is upgraded."""
    import sqlite3

    committed = _fill_with_data(monkeypatch)
    backup = tmp_path / "old.sqlite3"
    assert manage.main(["backup", "-o", str(backup)]) == 0
    with sqlite3.connect(backup) as conn:
        conn.execute("DROP TABLE alembic_version")
        conn.execute(f"DROP INDEX {NEW_INDEX}")
        _shape_like_baseline(conn)
    before = _fingerprint()
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM submissionfile"))
    from db.setup import restore_sqlite

    restore_sqlite(backup)
    assert _revision() == head_revision() and NEW_INDEX in _indexes("auditlog")
    after = _fingerprint()
    # appmeta: the data version moves on; auditlog: the restore adds its own row.
    assert ({t: v for t, v in after.items() if t not in ("appmeta", "auditlog")}
            == {t: v for t, v in before.items() if t not in ("appmeta", "auditlog")})
    assert after["auditlog"][0] == before["auditlog"][0] + 1
    assert after["submissionfile"][0] == 1 and committed["submission_id"] > 0
