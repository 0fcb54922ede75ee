"""Reads as SQL, returned as DataFrames. Uncached: the CLI and tests use these directly;
pages go through services (services.cache)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import bindparam, text

from core.timeutil import CHINA_TZ
from db.engine import get_engine

_TIME_COLUMNS = ("created_at", "reviewed_at", "undone_at", "at", "locked_until")


def _frame(sql: str, **params) -> pd.DataFrame:
    """A read of the current plan's database as a DataFrame."""
    return _frame_on(get_engine(), sql, **params)


def _frame_on(engine, sql: str, **params) -> pd.DataFrame:
    stmt = text(sql)
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            stmt = stmt.bindparams(bindparam(name, expanding=True))
    with engine.connect() as conn:
        result = conn.execute(stmt, params)
        columns = list(result.keys())
        rows = result.fetchall()
    # Built column by column: pandas makes a frame from columns several times faster than from records
    # (what pd.read_sql does), which counts for the ~300,000 values in force of a province.
    df = pd.DataFrame(dict(zip(columns, zip(*rows)))) if rows else pd.DataFrame(columns=columns)
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
    df["district_baselines"] = df["id"].map(_district_baselines()).astype(object).fillna("").astype(str)
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


# The values in force are kept on write in current_value / current_progress (db.current): these
# reads are plain selects on their keys. Column names as the pages have always had them.
_CURRENT_VALUES = """
    SELECT value_id AS id, target_id, district_adcode, period_code, value, data_source, note, submission_id,
           created_at, is_demo, user_name
    FROM current_value WHERE 1 = 1 {where}
    ORDER BY target_id, period_code, district_adcode
"""


def current_values(up_to_period: str | None = None, target_id: str | None = None,
                   city_only: bool = False) -> pd.DataFrame:
    """The value in force for every (target, district, period): the newest counted report.

    district_adcode is empty for whole-city values.
    """
    clauses, params = [], {}
    if up_to_period:
        clauses.append("AND period_code <= :upto")
        params["upto"] = up_to_period
    if target_id:
        clauses.append("AND target_id = :tid")
        params["tid"] = target_id
    if city_only:
        clauses.append("AND district_adcode = ''")
    return current_values_where(" ".join(clauses), **params)


def current_values_of(period: str) -> pd.DataFrame:
    """current_values of one period only (催办's owed cells): a period's rows, not every period up to it."""
    return current_values_where("AND period_code = :p", p=period)


def current_values_where(where: str, **params) -> pd.DataFrame:
    """current_values narrowed by SQL conditions on current_value's columns ("AND ...")."""
    df = _frame(_CURRENT_VALUES.format(where=where), **params)
    df["is_demo"] = df["is_demo"].astype(bool)
    return df


_VALUES_IN_FORCE = """
    SELECT target_id, district_adcode, period_code, value, is_demo FROM current_value {where}
    ORDER BY target_id, period_code, district_adcode
"""


def values_in_force(up_to_period: str | None = None) -> pd.DataFrame:
    """Every value in force with only the columns the status engines read (target_id, district_adcode,
    period_code, value, is_demo): the wide reads of the map, the scores and the meeting, at a third of
    current_values' cost (no texts, no times)."""
    columns = ["target_id", "district_adcode", "period_code", "value", "is_demo"]
    with get_engine().connect() as conn:
        # Straight to the driver: no parameters to expand, and SQLAlchemy's row objects cost a third more.
        paramstyle = conn.dialect.paramstyle
        mark = {"qmark": "?", "numeric": ":1", "named": ":upto", "format": "%s", "pyformat": "%(upto)s"}[paramstyle]
        sql = _VALUES_IN_FORCE.format(where=f"WHERE period_code <= {mark}" if up_to_period else "")
        args = ({"upto": up_to_period} if paramstyle in ("named", "pyformat") else (up_to_period,)) \
            if up_to_period else ()
        rows = conn.exec_driver_sql(sql, args).fetchall()
    df = pd.DataFrame(dict(zip(columns, zip(*rows)))) if rows else pd.DataFrame(columns=columns)
    df["value"] = df["value"].astype("float64")
    df["is_demo"] = df["is_demo"].astype(bool)
    return df


def latest_values(up_to_period: str | None = None) -> pd.DataFrame:
    """Per (target, district) the value of the latest period up to up_to_period."""
    df = current_values(up_to_period)
    if df.empty:
        return df
    return df.sort_values("period_code").groupby(["target_id", "district_adcode"], as_index=False).last()


# verification: the office's check of a complete report (完成核验, issue 16), "" when none.
_CURRENT_PROGRESS = """
    SELECT p.progress_id AS id, p.task_id, d.name AS department, p.department_id, p.period_code, p.status,
           p.percent, p.narrative, p.problems, p.next_steps, p.submission_id, p.created_at, p.is_demo, p.user_name,
           COALESCE(v.state, '') AS verification, COALESCE(v.reason, '') AS verification_reason
    FROM current_progress p JOIN department d ON d.id = p.department_id
    LEFT JOIN taskverification v
        ON v.task_id = p.task_id AND v.department_id = p.department_id AND v.period_code = p.period_code
    WHERE 1 = 1 {where}
    ORDER BY p.task_id, p.period_code, p.department_id
"""


def current_progress(up_to_period: str | None = None, task_id: int | None = None) -> pd.DataFrame:
    clauses, params = [], {}
    if up_to_period:
        clauses.append("AND p.period_code <= :upto")
        params["upto"] = up_to_period
    if task_id is not None:
        clauses.append("AND p.task_id = :tid")
        params["tid"] = int(task_id)
    return current_progress_where(" ".join(clauses), **params)


def current_progress_where(where: str, **params) -> pd.DataFrame:
    """current_progress narrowed by SQL conditions on current_progress p / department d ("AND ...")."""
    df = _frame(_CURRENT_PROGRESS.format(where=where), **params)
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
