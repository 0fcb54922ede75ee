"""The values in force kept on write (current_value, current_progress; db.current) always equal what
the append-only log says: checked after random commits, undos, approvals, returns and demo load/clear."""
from __future__ import annotations

import random

import pandas as pd
from sqlalchemy import text

from core.catalogue import load_catalogue
from core.importer.model import ChangePlan, ImportResult, IndicatorRow, TaskRow
from db import current, imports, queries
from db.demo import clear_demo, load_demo
from db.engine import get_engine

_VALUE_KEY = ["target_id", "period_code", "district_adcode"]
_PROGRESS_KEY = ["task_id", "department_id", "period_code"]


def _maintained(table: str, key: list[str]) -> pd.DataFrame:
    with get_engine().connect() as conn:
        df = pd.read_sql(text(f"SELECT * FROM {table}"), conn)
    return df.sort_values(key).reset_index(drop=True)


def _from_log(sql: str, table: str, key: list[str]) -> pd.DataFrame:
    with get_engine().connect() as conn:
        columns = list(pd.read_sql(text(f"SELECT * FROM {table} WHERE 1 = 0"), conn).columns)
        df = pd.read_sql(text(sql), conn)
    df.columns = columns  # the SELECT lists the table's columns in order
    return df.sort_values(key).reset_index(drop=True)


def assert_tables_match_the_log() -> None:
    for table, sql, key in (("current_value", current.VALUES_FROM_LOG, _VALUE_KEY),
                            ("current_progress", current.PROGRESS_FROM_LOG, _PROGRESS_KEY)):
        pd.testing.assert_frame_equal(_maintained(table, key), _from_log(sql, table, key), check_dtype=False)


def _random_submission(rng: random.Random, catalogue, n: int) -> tuple[ImportResult, ChangePlan]:
    targets = [t for t in catalogue.targets]
    districts = [d.adcode for d in catalogue.districts]
    periods = ["2020Q2", "2020Q3", "2020Q4"]
    indicators, tasks, seen = [], [], set()
    for i in range(n):
        t = rng.choice(targets)
        district = rng.choice(districts) if t.district_breakdown and rng.random() < 0.6 else None
        cell = (t.id, district, rng.choice(periods))
        if cell in seen:
            continue
        seen.add(cell)
        indicators.append(IndicatorRow(t.id, district, cell[2], round(rng.uniform(0, 100), 1), "测试", "",
                                       "指标进展", i + 3))
    for i in range(n // 2):
        task = rng.choice(catalogue.tasks)
        cell = (task.id, task.lead_department, rng.choice(periods))
        if cell in seen:
            continue
        seen.add(cell)
        tasks.append(TaskRow(task.id, task.lead_department, cell[2], "推进中", rng.uniform(0, 100), "进展", "", "",
                             "任务进展", i + 3))
    result = ImportResult("随机.xlsx", f"{rng.getrandbits(256):064x}", indicators=indicators, tasks=tasks,
                          rows_read=len(indicators) + len(tasks))
    return result, ChangePlan(indicators_to_write=indicators, tasks_to_write=tasks)


def test_maintained_tables_equal_the_log_after_random_writes_undos_and_reviews(fresh_db):
    catalogue = load_catalogue()
    rng = random.Random(13)
    load_demo(catalogue)
    assert_tables_match_the_log()
    assert len(queries.current_values()) > 1000
    live: list[tuple[int, str]] = []
    for step in range(40):
        roll = rng.random()
        if roll < 0.55 or not live:
            state = rng.choice(["committed", "pending"])
            out = imports.commit_import(*_random_submission(rng, catalogue, rng.randint(1, 12)), user="测试",
                                        source="upload", file_bytes=b"x", mime="text/plain", department=None,
                                        period="2020Q4", state=state)
            live.append((out["submission_id"], state))
        else:
            sid, state = live.pop(rng.randrange(len(live)))
            if state == "pending" and rng.random() < 0.7:
                approve = rng.random() < 0.6
                imports.review_submission(sid, "督查办", approve, "" if approve else "数据有误")
                if approve:
                    live.append((sid, "approved"))
            else:
                imports.undo_submission(sid, "督查办")
        assert_tables_match_the_log()
    clear_demo()
    assert_tables_match_the_log()
    assert not queries.current_values()["is_demo"].any()


def test_rebuild_gives_the_maintained_tables(demo_db):
    from db.engine import session_scope

    before = _maintained("current_value", _VALUE_KEY), _maintained("current_progress", _PROGRESS_KEY)
    with session_scope() as s:
        current.rebuild(s)
    pd.testing.assert_frame_equal(before[0], _maintained("current_value", _VALUE_KEY))
    pd.testing.assert_frame_equal(before[1], _maintained("current_progress", _PROGRESS_KEY))
