"""Concurrent imports from separate processes: every committed value is there exactly once.

Twenty worker processes wait at a barrier and then call db.imports.commit_import at the
same moment against one database (the test's SQLite file, or PostgreSQL under
tests/pg_support.py). Nothing may fail with "database is locked", nothing may be lost or
doubled, and the data_version counter must count every write.
"""
from __future__ import annotations

import multiprocessing as mp
import traceback

from sqlalchemy import text

from core.importer.model import Change, ChangePlan, ImportResult, IndicatorRow, TaskRow
from db import queries
from db.engine import data_version, dispose_engines, get_engine

WORKERS = 20
PERIODS = ("2019Q1", "2019Q2", "2019Q3", "2019Q4", "2020Q1", "2020Q2", "2020Q3", "2020Q4")


def _plan_for(worker: int, target_ids: list[str], adcodes: list[str], sha: str) -> tuple[ImportResult, ChangePlan]:
    """A worker's own import: every target for one period, city-wide and per district.

    The value encodes (worker, row) so each committed row can be traced to its writer.
    """
    period = PERIODS[worker % len(PERIODS)]
    rows = []
    for t, tid in enumerate(target_ids):
        for d, adcode in enumerate([None, *adcodes]):
            n = len(rows)
            rows.append(IndicatorRow(tid, adcode, period, worker * 100_000 + n, "并发测试", "", "指标进展", 3 + n))
    tasks = [TaskRow(task_id, "市市场监管局", period, "推进中", float(worker), f"worker {worker}", "", "", "任务进展", 3 + i)
             for i, task_id in enumerate(range(1, 31))]
    result = ImportResult(f"并发{worker}.xlsx", sha, indicators=rows, tasks=tasks, rows_read=len(rows) + len(tasks),
                          department="市市场监管局", period=period)
    plan = ChangePlan(new=[Change("new", r.target_id, "", str(r.value), r.sheet, r.row) for r in rows],
                      indicators_to_write=rows, tasks_to_write=tasks)
    return result, plan


def _worker(worker: int, sha: str, target_ids, adcodes, barrier, results) -> None:
    try:
        from db import imports

        result, plan = _plan_for(worker, target_ids, adcodes, sha)
        barrier.wait(timeout=60)
        out = imports.commit_import(result, plan, user=f"用户{worker}", source="upload",
                                    file_bytes=f"file-{worker}".encode(), mime="application/octet-stream",
                                    department=None, period=None)
        results.put((worker, "ok", out))
    except BaseException:  # reported to the parent, which fails the test with the traceback
        results.put((worker, "error", traceback.format_exc()))


def _run_workers(shas: list[str]) -> list[tuple[int, str, object]]:
    target_ids = queries.targets()["id"].tolist()
    adcodes = queries.districts()["adcode"].tolist()
    # Children must open their own connections, never inherit the parent's pool.
    dispose_engines()
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(len(shas)), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(i, sha, target_ids, adcodes, barrier, results))
             for i, sha in enumerate(shas)]
    for p in procs:
        p.start()
    out = [results.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return sorted(out, key=lambda r: r[0])


def _scalar(sql: str):
    with get_engine().connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_twenty_concurrent_imports_lose_nothing(fresh_db):
    version = data_version()
    n_targets, n_districts = len(queries.targets()), len(queries.districts())
    per_worker = n_targets * (n_districts + 1)

    results = _run_workers([f"{i:064x}" for i in range(1, WORKERS + 1)])

    errors = [r for r in results if r[1] != "ok"]
    assert not errors, "\n".join(r[2] for r in errors)
    outs = [r[2] for r in results]
    assert all(not o["duplicate"] and o["inserted"] == per_worker for o in outs)
    assert len({o["submission_id"] for o in outs}) == WORKERS

    assert _scalar("SELECT COUNT(*) FROM submission") == WORKERS
    assert _scalar("SELECT COUNT(*) FROM submissionfile") == WORKERS
    assert _scalar("SELECT COUNT(*) FROM auditlog WHERE action = 'upload'") == WORKERS
    assert _scalar("SELECT COUNT(*) FROM indicatorvalue") == WORKERS * per_worker
    assert _scalar("SELECT COUNT(*) FROM taskprogress") == WORKERS * 30
    # Every value written exactly once, and by the worker whose submission holds it.
    assert _scalar("SELECT COUNT(DISTINCT value) FROM indicatorvalue") == WORKERS * per_worker
    with get_engine().connect() as conn:
        pairs = conn.execute(text(
            "SELECT s.filename, v.value FROM indicatorvalue v JOIN submission s ON s.id = v.submission_id")).all()
    assert all(filename == f"并发{int(value) // 100_000}.xlsx" for filename, value in pairs)
    # The counter is read-modify-write inside each transaction: a lost update would show here.
    assert data_version() == version + WORKERS

    # The value in force per cell is the last committed worker's for that period.
    current = queries.current_values(target_id="T23", city_only=True).set_index("period_code")["value"]
    with get_engine().connect() as conn:
        last = dict(conn.execute(text("""
            SELECT v.period_code, v.value FROM indicatorvalue v
            WHERE v.target_id = 'T23' AND v.district_adcode IS NULL
              AND v.id = (SELECT MAX(id) FROM indicatorvalue w WHERE w.target_id = 'T23'
                          AND w.district_adcode IS NULL AND w.period_code = v.period_code)""")).all())
    assert current.to_dict() == last and len(last) == len(PERIODS)


def test_same_file_uploaded_at_once_is_committed_once(fresh_db):
    """Six officials send the same file at the same moment: one submission, five duplicates."""
    results = _run_workers(["f" * 64] * 6)

    errors = [r for r in results if r[1] != "ok"]
    assert not errors, "\n".join(r[2] for r in errors)
    outs = [r[2] for r in results]
    assert sum(not o["duplicate"] for o in outs) == 1
    assert len({o["submission_id"] for o in outs}) == 1
    assert _scalar("SELECT COUNT(*) FROM submission") == 1
