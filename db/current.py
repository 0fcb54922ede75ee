"""Values in force (current_value, current_progress), kept up to date inside every write's transaction.

The log tables (indicatorvalue, taskprogress) are append-only; the cell in force is the newest row
(highest id) of a counted submission (core.reporting.COUNTED_STATES). Every write that can change
which row that is (commit, undo, approval, return, demo load/clear) calls one function below in its
own transaction, so readers get an indexed select instead of a GROUP BY over the whole log.
`rebuild` recomputes everything from the log (migration 0003, demo data, tests compare both).
"""
from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlmodel import Session

from core.reporting import COUNTED_STATES
from db.engine import lock_for_write

# Constants of our own vocabulary, not user input: inlined so the same SQL runs on SQLite and PostgreSQL.
_COUNTED = ", ".join(f"'{s}'" for s in COUNTED_STATES)

_VALUE_COLUMNS = ("target_id, period_code, district_adcode, value_id, value, data_source, note, submission_id, "
                  "created_at, is_demo, user_name")
# MAX(id) per cell, grouped in the column order of ix_value_cell (the whole log: rebuild).
_SELECT_VALUES = f"""
    SELECT v.target_id, v.period_code, COALESCE(v.district_adcode, ''), v.id, v.value, v.data_source, v.note,
           v.submission_id, v.created_at, s.is_demo, s.user_name
    FROM indicatorvalue v JOIN submission s ON s.id = v.submission_id
    WHERE v.id IN (
        SELECT MAX(iv.id) FROM indicatorvalue iv JOIN submission s0 ON s0.id = iv.submission_id
        WHERE s0.state IN ({_COUNTED})
        GROUP BY iv.target_id, iv.period_code, iv.district_adcode)
"""
_INSERT_VALUES = f"INSERT INTO current_value ({_VALUE_COLUMNS})" + _SELECT_VALUES
# The cells one submission wrote, each looked up by the cell index (a correlated MAX per cell: a plain
# IN over the cells lets SQLite walk every counted submission instead). In two halves so each is a
# plain equality (a NULL district, the whole city, never equals anything).
_REFRESH_VALUES = f"""
    INSERT INTO current_value ({_VALUE_COLUMNS})
    SELECT v.target_id, v.period_code, COALESCE(v.district_adcode, ''), v.id, v.value, v.data_source, v.note,
           v.submission_id, v.created_at, s.is_demo, s.user_name
    FROM indicatorvalue v JOIN submission s ON s.id = v.submission_id
    WHERE v.id IN (
        SELECT (SELECT MAX(iv.id) FROM indicatorvalue iv JOIN submission s0 ON s0.id = iv.submission_id
                WHERE iv.target_id = c.target_id AND iv.period_code = c.period_code AND {{district}}
                  AND s0.state IN ({_COUNTED}))
        FROM (SELECT DISTINCT target_id, period_code, district_adcode FROM indicatorvalue
              WHERE submission_id = :sid AND district_adcode {{which}}) c)
"""
_REFRESH_CITY = _REFRESH_VALUES.format(district="iv.district_adcode IS NULL", which="IS NULL")
_REFRESH_DISTRICTS = _REFRESH_VALUES.format(district="iv.district_adcode = c.district_adcode", which="IS NOT NULL")
_DELETE_VALUES_OF = """
    DELETE FROM current_value WHERE (target_id, period_code, district_adcode) IN (
        SELECT target_id, period_code, COALESCE(district_adcode, '') FROM indicatorvalue WHERE submission_id = :sid)"""

_PROGRESS_COLUMNS = ("task_id, department_id, period_code, progress_id, status, percent, narrative, problems, "
                     "next_steps, submission_id, created_at, is_demo, user_name")
_SELECT_PROGRESS = f"""
    SELECT p.task_id, p.department_id, p.period_code, p.id, p.status, p.percent, p.narrative, p.problems,
           p.next_steps, p.submission_id, p.created_at, s.is_demo, s.user_name
    FROM taskprogress p JOIN submission s ON s.id = p.submission_id
    WHERE p.id IN (
        SELECT MAX(tp.id) FROM taskprogress tp JOIN submission s0 ON s0.id = tp.submission_id
        WHERE s0.state IN ({_COUNTED})
        GROUP BY tp.task_id, tp.period_code, tp.department_id)
"""
_INSERT_PROGRESS = f"INSERT INTO current_progress ({_PROGRESS_COLUMNS})" + _SELECT_PROGRESS
_REFRESH_PROGRESS = f"""
    INSERT INTO current_progress ({_PROGRESS_COLUMNS})
    SELECT p.task_id, p.department_id, p.period_code, p.id, p.status, p.percent, p.narrative, p.problems,
           p.next_steps, p.submission_id, p.created_at, s.is_demo, s.user_name
    FROM taskprogress p JOIN submission s ON s.id = p.submission_id
    WHERE p.id IN (
        SELECT (SELECT MAX(tp.id) FROM taskprogress tp JOIN submission s0 ON s0.id = tp.submission_id
                WHERE tp.task_id = c.task_id AND tp.period_code = c.period_code AND tp.department_id = c.department_id
                  AND s0.state IN ({_COUNTED}))
        FROM (SELECT DISTINCT task_id, period_code, department_id FROM taskprogress WHERE submission_id = :sid) c)
"""
_DELETE_PROGRESS_OF = """
    DELETE FROM current_progress WHERE (task_id, period_code, department_id) IN (
        SELECT task_id, period_code, department_id FROM taskprogress WHERE submission_id = :sid)"""


def refresh_submission(session: Session, submission_id: int) -> None:
    """Recompute the cells one submission wrote, after it was committed, undone, approved or returned.

    In the caller's transaction; the submission's own log rows name the cells, so the cost follows
    the size of the submission, not of the log.
    """
    # PostgreSQL (READ COMMITTED) lets two commits of the same cell interleave their delete and insert;
    # one at a time, each sees the other's committed rows (SQLite already writes one at a time).
    lock_for_write(session, "current_values")
    params = {"sid": int(submission_id)}
    session.execute(text(_DELETE_VALUES_OF), params)
    session.execute(text(_REFRESH_CITY), params)
    session.execute(text(_REFRESH_DISTRICTS), params)
    session.execute(text(_DELETE_PROGRESS_OF), params)
    session.execute(text(_REFRESH_PROGRESS), params)


def rebuild(session: Session) -> None:
    """Recompute every cell from the log (demo data loaded or removed, bulk loads, repairs)."""
    lock_for_write(session, "current_values")
    session.execute(text("DELETE FROM current_value"))
    session.execute(text(_INSERT_VALUES))
    session.execute(text("DELETE FROM current_progress"))
    session.execute(text(_INSERT_PROGRESS))


# What the tables must hold, computed from the log alone (the test that checks the maintained tables).
VALUES_FROM_LOG = _SELECT_VALUES
PROGRESS_FROM_LOG = _SELECT_PROGRESS


def value_ids(session: Session, target_ids: list[str], periods: list[str]) -> dict[tuple[str, str, str], int]:
    """(target, district or "", period) -> id of the value row in force, for these targets and periods."""
    if not target_ids or not periods:
        return {}
    rows = session.execute(text(
        "SELECT target_id, district_adcode, period_code, value_id FROM current_value "
        "WHERE target_id IN :targets AND period_code IN :periods").bindparams(
            bindparam("targets", expanding=True), bindparam("periods", expanding=True)),
        {"targets": list(target_ids), "periods": list(periods)}).all()
    return {(r[0], r[1], r[2]): r[3] for r in rows}


def progress_ids(session: Session, task_ids: list[int], periods: list[str]) -> dict[tuple[int, str, str], int]:
    """(task, department name, period) -> id of the progress row in force, for these tasks and periods."""
    if not task_ids or not periods:
        return {}
    rows = session.execute(text(
        "SELECT p.task_id, d.name, p.period_code, p.progress_id FROM current_progress p "
        "JOIN department d ON d.id = p.department_id "
        "WHERE p.task_id IN :tasks AND p.period_code IN :periods").bindparams(
            bindparam("tasks", expanding=True), bindparam("periods", expanding=True)),
        {"tasks": [int(t) for t in task_ids], "periods": list(periods)}).all()
    return {(int(r[0]), r[1], r[2]): r[3] for r in rows}
