"""Tables behind the 任务台账 page: the 30 tasks with status and latest report, filters, and a task's history."""
from __future__ import annotations

from datetime import date

import pandas as pd

from core.periods import period_from_code
from core.status import evaluate_task, evaluate_tasks

_REPORT_COLUMNS = ["period_code", "department", "status", "percent", "narrative", "problems", "next_steps", "is_demo"]


def task_ledger(tasks: pd.DataFrame, progress: pd.DataFrame, period: str, today: date | None = None) -> pd.DataFrame:
    """One row per task: catalogue fields, the engine's status for `period`, and the latest report up to it.

    The latest report is the lead department's newest one; a participant's only when the lead never reported.
    progress: db.queries.current_progress(up_to_period=period).
    """
    progress = progress[progress["period_code"] <= period]
    statuses = evaluate_tasks(tasks, progress, period, today=today).set_index("task_id")
    df = tasks.copy()
    for col in ("status", "color", "rank", "explanation", "percent", "expected"):
        df[col] = df["id"].map(statuses[col])
    latest = _latest_reports(tasks, progress)
    for col in _REPORT_COLUMNS:
        df[f"latest_{col}"] = df["id"].map(latest[col]) if not latest.empty else None
    df["latest_is_demo"] = df["latest_is_demo"].fillna(False).astype(bool)
    for col in ("latest_period_code", "latest_department", "latest_status", "latest_narrative", "latest_problems",
                "latest_next_steps"):
        df[col] = df[col].fillna("").astype(str)
    return df


def _latest_reports(tasks: pd.DataFrame, progress: pd.DataFrame) -> pd.DataFrame:
    if progress.empty:
        return pd.DataFrame(columns=_REPORT_COLUMNS)
    lead = progress["task_id"].map(dict(zip(tasks["id"], tasks["lead_department"])))
    ranked = progress.assign(_is_lead=(progress["department"] == lead).astype(int))
    return ranked.sort_values(["_is_lead", "period_code"]).groupby("task_id").last()[_REPORT_COLUMNS]


def task_departments_of(row: pd.Series) -> list[str]:
    parts = [p for p in str(row["participants"]).split("、") if p]
    return [row["lead_department"], *parts]


def department_options(ledger: pd.DataFrame) -> list[str]:
    """Every department that leads or joins a task, leads first."""
    leads = ledger["lead_department"].tolist()
    parts = [p for ps in ledger["participants"] for p in str(ps).split("、") if p]
    return list(dict.fromkeys([*sorted(set(leads)), *sorted(set(parts) - set(leads))]))


def filter_tasks(ledger: pd.DataFrame, department: str | None = None, statuses: list[str] | None = None,
                 measure: int | None = None, query: str = "") -> pd.DataFrame:
    """department matches the lead or any participant."""
    mask = pd.Series(True, index=ledger.index)
    if department:
        mask &= ledger.apply(lambda r: department in task_departments_of(r), axis=1)
    if statuses:
        mask &= ledger["status"].isin(statuses)
    if measure is not None:
        mask &= ledger["measure"] == measure
    q = query.strip()
    if q:
        text = ledger["id"].astype(str) + " " + ledger["title"] + " " + ledger["content"]
        mask &= text.str.contains(q, case=False, regex=False)
    return ledger[mask]


def task_history(progress: pd.DataFrame, task_id: int, lead_department: str, today: date | None = None) -> pd.DataFrame:
    """Every counted report of one task, newest period first, lead first, each with the engine's status."""
    h = progress[progress["task_id"] == task_id].copy()
    cols = ["period_code", "department", "role", "reported_status", "percent", "status", "explanation",
            "narrative", "problems", "next_steps", "is_demo"]
    if h.empty:
        return pd.DataFrame(columns=cols)
    judged = [evaluate_task(None if pd.isna(p) else float(p), s, period_from_code(code), today=today)
              for p, s, code in zip(h["percent"], h["status"], h["period_code"])]
    h["reported_status"] = h["status"]
    h["status"] = [j.label for j in judged]
    h["explanation"] = [j.explanation for j in judged]
    h["role"] = (h["department"] == lead_department).map({True: "牵头", False: "参与"})
    h["_lead_first"] = h["role"] != "牵头"
    return h.sort_values(["period_code", "_lead_first", "department"], ascending=[False, True, True])[cols]


def measure_options(ledger: pd.DataFrame) -> list[int]:
    return sorted(int(m) for m in ledger["measure"].unique())
