"""Reads as SQL, returned as DataFrames. Uncached: the CLI and tests use these directly;
pages go through db.cached."""
from __future__ import annotations

import threading

import pandas as pd
from sqlalchemy import bindparam, text

from core.reporting import COUNTED_STATES
from core.timeutil import CHINA_TZ
from db.engine import data_version, get_engine


_TIME_COLUMNS = ("created_at", "reviewed_at", "undone_at", "at", "locked_until")


def _frame(sql: str, **params) -> pd.DataFrame:
    stmt = text(sql)
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            stmt = stmt.bindparams(bindparam(name, expanding=True))
    with get_engine().connect() as conn:
        df = pd.read_sql(stmt, conn, params=params)
    # Stored in UTC (SQLite as text); shown in Beijing time.
    for col in _TIME_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_datetime(df[col], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    return df


def departments() -> pd.DataFrame:
    return _frame("SELECT id, name, kind, aliases FROM department ORDER BY sort_order")


def districts() -> pd.DataFrame:
    return _frame("SELECT adcode, name, kind FROM district ORDER BY sort_order")


def periods() -> pd.DataFrame:
    return _frame("SELECT code, year, quarter, start_date, end_date, deadline FROM period ORDER BY code")


def targets() -> pd.DataFrame:
    """The targets with their metadata and registration (基期与责任备案, issue 16): baseline is the
    registered city baseline (else the catalogue's), responsible_department the department scoring
    charges (the registered one, else the plan's lead)."""
    df = _frame("""
        SELECT t.id, t.category, t.name, t.unit, t.comparator, t.target_value, t.target_max, t.target_year,
               t.kind, t.task_id, k.title AS task_title, d.name AS lead_department, t.lead_basis,
               t.district_breakdown, COALESCE(b.value, t.baseline) AS baseline, t.source_clause,
               COALESCE(mt.qualifier, '') AS qualifier, COALESCE(mt.definition, '') AS definition,
               COALESCE(mt.data_source, '') AS data_source, COALESCE(mt.frequency, 'quarterly') AS frequency,
               b.year AS baseline_year, COALESCE(b.source, '') AS baseline_source,
               COALESCE(b.confirmed, FALSE) AS baseline_confirmed, COALESCE(b.is_demo, FALSE) AS baseline_demo,
               (b.value IS NOT NULL OR t.baseline IS NOT NULL) AS baseline_registered,
               COALESCE(r.name, d.name) AS responsible_department
        FROM target t JOIN department d ON d.id = t.lead_department_id LEFT JOIN task k ON k.id = t.task_id
        LEFT JOIN targetmeta mt ON mt.target_id = t.id
        LEFT JOIN targetbaseline b ON b.target_id = t.id AND b.district_adcode = ''
        LEFT JOIN department r ON r.id = b.responsible_department_id
        ORDER BY t.sort_order""")
    for col in ("district_breakdown", "baseline_confirmed", "baseline_demo", "baseline_registered"):
        df[col] = df[col].astype(bool)
    df["task_id"] = df["task_id"].astype("Int64")
    df["baseline_year"] = df["baseline_year"].astype("Int64")
    df["district_baselines"] = df["id"].map(_district_baselines()).fillna("").astype(str)
    return df


def _district_baselines() -> dict[str, str]:
    """Per target, its registered district baselines as JSON {adcode: [value, year]} (core.status reads it)."""
    import json

    rows = _frame("SELECT target_id, district_adcode, value, year FROM targetbaseline WHERE district_adcode <> ''")
    out: dict[str, dict] = {}
    for tid, dist, value, year in rows.itertuples(index=False):
        out.setdefault(tid, {})[dist] = [None if pd.isna(value) else float(value), None if pd.isna(year) else int(year)]
    return {tid: json.dumps(cells, sort_keys=True) for tid, cells in out.items()}


def tasks() -> pd.DataFrame:
    """The 30 tasks with lead and participants as text, in the annex's order."""
    df = _frame("SELECT id, title, measure, content FROM task ORDER BY id")
    roles = task_departments()
    lead = roles[roles.role == "牵头"].groupby("task_id")["department"].first()
    parts = roles[roles.role == "参与"].groupby("task_id")["department"].agg("、".join)
    df["lead_department"] = df["id"].map(lead).fillna("")
    df["participants"] = df["id"].map(parts).fillna("")
    return df


def task_departments() -> pd.DataFrame:
    return _frame("""
        SELECT td.task_id, d.name AS department, d.kind AS department_kind, td.role
        FROM taskdepartment td JOIN department d ON d.id = td.department_id
        ORDER BY td.task_id, td.sort_order""")


def places() -> pd.DataFrame:
    df = _frame("""
        SELECT p.id, p.name, d.name AS district, p.district_adcode, p.task_id, p.lon, p.lat, p.approximate,
               p.source_clause
        FROM place p JOIN district d ON d.adcode = p.district_adcode ORDER BY p.id""")
    df["approximate"] = df["approximate"].astype(bool)
    return df


# The newest counted report per cell. MAX(id) over a GROUP BY is about twice as fast in SQLite
# as ROW_NUMBER() and means the same: ids grow with every report. The GROUP BY follows the
# column order of ix_value_cell. {where} narrows the reports looked at (db.upload_reads).
_CURRENT_VALUES = """
    SELECT v.id, v.target_id, v.district_adcode, v.period_code, v.value, v.data_source, v.note,
           v.submission_id, v.created_at, s.is_demo, s.user_name
    FROM indicatorvalue v JOIN submission s ON s.id = v.submission_id
    WHERE v.id IN (
        SELECT MAX(iv.id) FROM indicatorvalue iv JOIN submission s0 ON s0.id = iv.submission_id
        WHERE s0.state IN :counted {where}
        GROUP BY iv.target_id, iv.period_code, iv.district_adcode)
    ORDER BY v.target_id, v.period_code, v.district_adcode
"""

# Every value in force, read once per database and data version and filtered in memory: a page
# at province scale asks for them up to several periods, and each SQL pass reads every report.
_current_memo: dict[str, tuple[int, pd.DataFrame]] = {}
_current_lock = threading.Lock()


def current_values(up_to_period: str | None = None, target_id: str | None = None,
                   city_only: bool = False) -> pd.DataFrame:
    """The value in force for every (target, district, period): the newest counted report.

    district_adcode is empty for whole-city values.
    """
    df = _all_current_values(read_if_stale=not (target_id or city_only))
    if df is None:
        # Nothing in memory for this version, and a narrow question: SQL answers it without
        # reading the districts' hundreds of thousands of values.
        return _current_values_sql(up_to_period, target_id, city_only)
    keep = pd.Series(True, index=df.index)
    if up_to_period:
        keep &= df["period_code"] <= up_to_period
    if target_id:
        keep &= df["target_id"] == target_id
    if city_only:
        keep &= df["district_adcode"] == ""
    return df[keep].reset_index(drop=True)


def _current_values_sql(up_to_period: str | None, target_id: str | None, city_only: bool) -> pd.DataFrame:
    clauses, params = [], {"counted": list(COUNTED_STATES)}
    if up_to_period:
        clauses.append("AND iv.period_code <= :upto")
        params["upto"] = up_to_period
    if target_id:
        clauses.append("AND iv.target_id = :tid")
        params["tid"] = target_id
    if city_only:
        clauses.append("AND iv.district_adcode IS NULL")
    df = _frame(_CURRENT_VALUES.format(where=" ".join(clauses)), **params)
    df["district_adcode"] = df["district_adcode"].fillna("").astype(str)
    df["is_demo"] = df["is_demo"].astype(bool)
    return df


def _all_current_values(read_if_stale: bool = True) -> pd.DataFrame | None:
    """Every value in force, from memory when it was read at this data version; else read now,
    or None when read_if_stale is False."""
    url = get_engine().url.render_as_string(hide_password=False)
    version = data_version()
    held = _current_memo.get(url)
    if held is not None and held[0] == version:
        return held[1]
    if not read_if_stale:
        return None
    with _current_lock:
        held = _current_memo.get(url)
        if held is None or held[0] != version:
            held = _current_memo[url] = (version, _current_values_sql(None, None, False))
    return held[1]


def forget_current_values() -> None:
    """Drop the in-memory copy: after a write (it is stale) and when the engines were disposed
    (another database may sit at the same URL)."""
    with _current_lock:
        _current_memo.clear()


def latest_values(up_to_period: str | None = None) -> pd.DataFrame:
    """Per (target, district) the value of the latest period up to up_to_period."""
    df = current_values(up_to_period)
    if df.empty:
        return df
    return df.sort_values("period_code").groupby(["target_id", "district_adcode"], as_index=False).last()


# verification: the office's check of a complete report (完成核验, issue 16), "" when none.
_CURRENT_PROGRESS = """
    SELECT p.id, p.task_id, d.name AS department, p.department_id, p.period_code, p.status, p.percent,
           p.narrative, p.problems, p.next_steps, p.submission_id, p.created_at, s.is_demo, s.user_name,
           COALESCE(v.state, '') AS verification, COALESCE(v.reason, '') AS verification_reason
    FROM (
        SELECT tp.*, ROW_NUMBER() OVER (
            PARTITION BY tp.task_id, tp.department_id, tp.period_code ORDER BY tp.id DESC) AS rn
        FROM taskprogress tp JOIN submission s0 ON s0.id = tp.submission_id
        WHERE s0.state IN :counted {where}
    ) p JOIN submission s ON s.id = p.submission_id JOIN department d ON d.id = p.department_id
    LEFT JOIN taskverification v
        ON v.task_id = p.task_id AND v.department_id = p.department_id AND v.period_code = p.period_code
    WHERE p.rn = 1
    ORDER BY p.task_id, p.period_code, p.department_id
"""


def current_progress(up_to_period: str | None = None, task_id: int | None = None) -> pd.DataFrame:
    clauses, params = [], {"counted": list(COUNTED_STATES)}
    if up_to_period:
        clauses.append("AND tp.period_code <= :upto")
        params["upto"] = up_to_period
    if task_id is not None:
        clauses.append("AND tp.task_id = :tid")
        params["tid"] = int(task_id)
    df = _frame(_CURRENT_PROGRESS.format(where=" ".join(clauses)), **params)
    df["is_demo"] = df["is_demo"].astype(bool)
    return df


def submissions(department: str | None = None) -> pd.DataFrame:
    sql = """
        SELECT s.id, s.created_at, s.user_name, d.name AS department, s.period_code, s.source, s.filename,
               s.sha256, s.state, s.rows_read, s.inserted, s.updated, s.unchanged, s.rejected, s.is_demo,
               s.note, s.reviewed_by, s.reviewed_at, s.review_reason, s.undone_by, s.undone_at
        FROM submission s LEFT JOIN department d ON d.id = s.department_id {where}
        ORDER BY s.id DESC"""
    if department:
        return _frame(sql.format(where="WHERE d.name = :dept"), dept=department)
    return _frame(sql.format(where=""))


def demo_present() -> bool:
    with get_engine().connect() as conn:
        return conn.execute(text("SELECT 1 FROM submission WHERE is_demo LIMIT 1")).first() is not None
