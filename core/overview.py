"""The 总览 cockpit in numbers: counts by status, the red list, share on track, who has not reported.

Every status here comes from core.status, so the cockpit, the ledgers and the CLI report agree.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence
from urllib.parse import urlencode

import pandas as pd

from core.catalogue_versions import Version, targets_in_force, tasks_in_force
from core.periods import period_range
from core.settings import Settings, load_settings
from core.status import (
    AHEAD,
    DONE,
    DUE_SOON,
    FAILED,
    GOOD_LABELS,
    LAGGING,
    MET,
    MISSING,
    ON_TIME,
    ON_TRACK,
    OVERDUE,
    PENDING_CHECK,
    RED_LABELS,
    TARGET_KINDS,
    TASK_KINDS,
    WARNING,
    StatusKind,
    evaluate_targets,
    evaluate_tasks,
)

TARGET = "指标"
TASK = "任务"


def status_meanings(settings: Settings | None = None) -> dict[str, str]:
    """What each status word means, in the words of settings.toml's current thresholds."""
    s = settings or load_settings()
    on, warn = f"{s.on_track:.0%}", f"{s.warning:.0%}"
    return {
        MET.label: "最新值已达到目标值",
        ON_TRACK.label: f"未达标，但实际进展达到序时进度的 {on} 以上",
        WARNING.label: f"实际进展为序时进度的 {warn}–{on}",
        LAGGING.label: f"实际进展不足序时进度的 {warn}",
        FAILED.label: "目标年已到，仍未达到目标",
        MISSING.label: "本报告期没有报送",
        DONE.label: "牵头部门报告完成 100%，督查办已核验",
        PENDING_CHECK.label: "报告完成 100%，待督查办核验",
        AHEAD.label: "完成比例明显超过序时进度",
        ON_TIME.label: f"完成比例达到序时进度的 {on} 以上",
        DUE_SOON.label: f"进度正常，距计划期结束不足 {s.due_soon_days} 天",
        OVERDUE.label: "计划期已结束，仍未完成",
    }


def target_statuses(targets: pd.DataFrame, values: pd.DataFrame, period: str) -> pd.DataFrame:
    """City-level status of every target with its name and lead department."""
    city = values[values["district_adcode"] == ""] if "district_adcode" in values else values
    st = evaluate_targets(targets, city, period)
    return st.merge(targets[["id", "name", "lead_department"]], left_on="target_id", right_on="id").drop(columns="id")


def task_statuses(tasks: pd.DataFrame, progress: pd.DataFrame, period: str) -> pd.DataFrame:
    st = evaluate_tasks(tasks, progress, period)
    return st.merge(tasks[["id", "title", "lead_department"]], left_on="task_id", right_on="id").drop(columns="id")


def status_count_table(statuses: pd.Series, kinds: tuple[StatusKind, ...]) -> pd.DataFrame:
    """One row per status word in the engine's order (zeros kept), with its colour and meaning."""
    counts = statuses.value_counts()
    meanings = status_meanings()
    return pd.DataFrame({
        "status": [k.label for k in kinds],
        "count": [int(counts.get(k.label, 0)) for k in kinds],
        "color": [k.color for k in kinds],
        "meaning": [meanings[k.label] for k in kinds],
    })


def target_counts(target_status: pd.DataFrame) -> pd.DataFrame:
    return status_count_table(target_status["status"], TARGET_KINDS)


def task_counts(task_status: pd.DataFrame) -> pd.DataFrame:
    return status_count_table(task_status["status"], TASK_KINDS)


def detail_link(kind: str, item_id, period: str | None = None) -> str:
    """Relative link to the detail view, so it also works when the app is served under a path prefix."""
    params = {"target": item_id} if kind == TARGET else {"task": int(item_id)}
    if period:
        params["period"] = period
    return f"{'targets' if kind == TARGET else 'tasks'}?{urlencode(params)}"


def red_list(target_status: pd.DataFrame, task_status: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Everything red (滞后, 未完成, 逾期), worst first, with who answers for it and why."""
    cols = ["kind", "id", "name", "lead_department", "status", "color", "explanation", "rank", "link"]
    t = target_status[target_status["status"].isin(RED_LABELS)]
    k = task_status[task_status["status"].isin(RED_LABELS)]
    rows = pd.concat([
        pd.DataFrame({"kind": TARGET, "id": t["target_id"].astype(str), "name": t["name"],
                      "lead_department": t["lead_department"], "status": t["status"], "color": t["color"],
                      "explanation": t["explanation"], "rank": t["rank"],
                      "link": [detail_link(TARGET, i, period) for i in t["target_id"]]}),
        pd.DataFrame({"kind": TASK, "id": k["task_id"].astype(str), "name": k["title"],
                      "lead_department": k["lead_department"], "status": k["status"], "color": k["color"],
                      "explanation": k["explanation"], "rank": k["rank"],
                      "link": [detail_link(TASK, i, period) for i in k["task_id"]]}),
    ], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(columns=cols)
    # Targets before tasks at equal rank; T09 before T10 and task 9 before task 10.
    rows["_order"] = rows["id"].str.extract(r"(\d+)", expand=False).astype(int)
    rows = rows.sort_values(["rank", "kind", "_order"], ascending=[True, False, True])
    return rows[cols].reset_index(drop=True)


def share_on_track(targets: pd.DataFrame, values: pd.DataFrame, tasks: pd.DataFrame, progress: pd.DataFrame,
                   first_period: str, period: str, versions: Sequence[Version] = ()) -> pd.DataFrame:
    """Per period up to `period`, the share of targets and of tasks whose status counts as on track.

    Each period is judged as it was known then (the engine ignores later reports) and by the catalogue
    version in force then (`versions`, core.catalogue_versions); 未报送 counts as not on track, so the
    denominator is always every target or task.
    """
    rows = []
    city = values[values["district_adcode"] == ""] if "district_adcode" in values else values
    for p in period_range(first_period, period):
        code = p.code
        for kind, statuses in ((TARGET, evaluate_targets(targets_in_force(targets, versions, code), city, code)),
                               (TASK, evaluate_tasks(tasks_in_force(tasks, versions, code), progress, code))):
            good = int(statuses["status"].isin(GOOD_LABELS).sum())
            total = len(statuses)
            rows.append({"period_code": code, "kind": kind, "on_track": good, "total": total,
                         "share": good / total if total else 0.0})
    return pd.DataFrame(rows, columns=["period_code", "kind", "on_track", "total", "share"])


def expected_reporters(targets: pd.DataFrame, task_departments: pd.DataFrame) -> list[str]:
    """Departments that owe a report each period: lead of a target, or lead or participant of a task.

    Department groups (市直相关单位 and the like) report through their members, so they are left out.
    """
    tds = task_departments[task_departments["department_kind"] == "department"]
    names = set(targets["lead_department"]) | set(tds["department"])
    # Keep the catalogue's order of first appearance: targets' leads, then tasks'.
    ordered = list(dict.fromkeys([*targets["lead_department"], *tds["department"]]))
    return [n for n in ordered if n in names]


def reporting_freshness(expected: list[str], reported: pd.DataFrame, period: str,
                        deadline: date | None = None) -> pd.DataFrame:
    """Per expected department: did it report for `period`, when, and when it last reported at all.

    reported: one row per (department, period_code) with first_at/last_at of counted submissions
    (db.overview_reads.reports_by_department). deadline: the period's 报送截止 date, if known.
    """
    mine = reported[reported["period_code"] == period].set_index("department")
    before = reported[reported["period_code"] <= period]
    last_period = before.groupby("department")["period_code"].max()
    out = pd.DataFrame({"department": expected})
    out["reported"] = out["department"].isin(mine.index)
    out["reported_at"] = out["department"].map(mine["first_at"]) if not mine.empty else pd.NaT
    out["last_period"] = out["department"].map(last_period).astype(object).fillna("").astype(str)

    def state(row) -> str:
        if not row["reported"]:
            return "未报送"
        if deadline is not None and pd.notna(row["reported_at"]) and row["reported_at"].date() > deadline:
            return "逾期报送"
        return "按时报送"

    out["state"] = out.apply(state, axis=1) if len(out) else pd.Series(dtype=str)
    # Missing first, then late, so the office sees whom to chase at the top.
    order = {"未报送": 0, "逾期报送": 1, "按时报送": 2}
    return out.sort_values("state", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def freshness_sentence(fresh: pd.DataFrame, period: str) -> str:
    missing = fresh[~fresh["reported"]]
    if missing.empty:
        return f"应报送的 {len(fresh)} 个部门均已报送 {period} 数据。"
    return (f"应报送的 {len(fresh)} 个部门中，{len(missing)} 个尚未报送 {period} 数据："
            + "、".join(missing["department"]) + "。")
