"""An import killed with SIGKILL in the middle of its transaction leaves the database as it was.

A child process starts db.imports.commit_import on a large plan and is killed by the parent
either while its 60,000 value rows are being inserted or after everything was written and only
the commit was left. Afterwards every table has the rows it had before, data_version is
unchanged, SQLite's integrity_check is ok and the next import goes through.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from core.importer.model import ChangePlan, ImportResult, IndicatorRow
from db.engine import data_version, dispose_engines, get_engine

BIG = 60_000
TABLES = ("submission", "submissionfile", "indicatorvalue", "taskprogress", "auditlog", "appmeta")


def _plan(rows: int, sha: str, targets: list[str], adcodes: list[str], periods: list[str]):
    cells = [(t, a, p) for t in targets for a in [None, *adcodes] for p in periods]
    values = [IndicatorRow(*cells[i % len(cells)], float(i), "崩溃测试", "", "指标进展", i + 3) for i in range(rows)]
    result = ImportResult("大文件.xlsx", sha, indicators=values, rows_read=rows, department="市市场监管局",
                          period=periods[-1])
    return result, ChangePlan(indicators_to_write=values)


def _commit(result, plan):
    from db import imports

    return imports.commit_import(result, plan, user="测试", source="upload", file_bytes=b"x" * 200_000,
                                 mime="application/octet-stream", department=None, period=None)


def _child(where: str, plan_args, reached) -> None:
    from db import imports

    insert_rows, bump = imports._insert_rows, imports.bump_data_version

    def signal_then_insert(*args):
        reached.set()  # the submission and its file are flushed; the bulk insert starts now
        insert_rows(*args)

    def signal_then_hang(session):
        bump(session)
        session.flush()
        reached.set()  # every row is written inside the open transaction; only COMMIT is left
        time.sleep(600)

    if where == "mid-insert":
        imports._insert_rows = signal_then_insert
    imports.bump_data_version = signal_then_hang  # in both cases the child must never commit
    _commit(*_plan(*plan_args))


def _snapshot() -> dict:
    with get_engine().connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in TABLES}
        values = conn.execute(text("SELECT id, target_id, district_adcode, period_code, value, submission_id "
                                   "FROM indicatorvalue ORDER BY id")).all()
    return {"counts": counts, "values": values, "data_version": data_version()}


def _sqlite_file() -> Path | None:
    url = get_engine().url
    return Path(url.database) if url.get_backend_name() == "sqlite" else None


@pytest.mark.parametrize("where", ["mid-insert", "before-commit"])
def test_sigkill_during_import_leaves_database_as_before(fresh_db, where):
    with get_engine().connect() as conn:
        targets = [r[0] for r in conn.execute(text("SELECT id FROM target ORDER BY id"))]
        adcodes = [r[0] for r in conn.execute(text("SELECT adcode FROM district ORDER BY adcode"))]
        periods = [r[0] for r in conn.execute(text("SELECT code FROM period ORDER BY code"))]
    _commit(*_plan(500, "1" * 64, targets, adcodes, periods))  # earlier data that must survive
    before = _snapshot()
    db_file = _sqlite_file()
    wal_before = db_file.with_name(db_file.name + "-wal").stat().st_size if db_file else 0

    dispose_engines()
    ctx = mp.get_context("fork")
    reached = ctx.Event()
    child = ctx.Process(target=_child, args=(where, (BIG, "2" * 64, targets, adcodes, periods), reached))
    child.start()
    assert reached.wait(timeout=120), "the child never got inside the transaction"
    if where == "before-commit" and db_file:
        # The killed transaction really reached the disk: uncommitted pages spilled into the WAL.
        assert db_file.with_name(db_file.name + "-wal").stat().st_size > wal_before + 1_000_000
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL

    dispose_engines()
    assert _snapshot() == before
    if db_file:
        with get_engine().connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []

    # The lock the dead writer held is gone: the same file can be imported now.
    out = _commit(*_plan(1_000, "2" * 64, targets, adcodes, periods))
    assert not out["duplicate"] and out["inserted"] == 0  # ChangePlan.new is empty in this plan
    after = _snapshot()
    assert after["counts"]["indicatorvalue"] == before["counts"]["indicatorvalue"] + 1_000
    assert after["counts"]["submission"] == before["counts"]["submission"] + 1
    assert after["data_version"] == before["data_version"] + 1
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submission WHERE sha256 = :s"), {"s": "2" * 64}).scalar() == 1
