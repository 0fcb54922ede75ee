"""The status report behind `manage.py report`: every target's and task's status for a period, from the engine."""
from __future__ import annotations

import math

import pandas as pd

from core.overview import target_statuses, task_statuses
from core.settings import load_settings
from core.status import TargetSpec, effective_comparator, target_text


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) \
        else round(float(value), 4)


def status_report(targets: pd.DataFrame, values: pd.DataFrame, tasks: pd.DataFrame, progress: pd.DataFrame,
                  period: str) -> dict:
    """values/progress: current values (city) and task progress up to `period` (db.queries)."""
    ts = target_statuses(targets, values, period)
    ks = task_statuses(tasks, progress, period)
    trust = _registration(targets)
    return {
        "period": period,
        "targets": [
            {"target_id": r["target_id"], "name": r["name"], "lead_department": r["lead_department"],
             "status": r["status"], "explanation": r["explanation"], "actual": _num(r["actual"]),
             "expected": _num(r["expected"]), **trust.get(r["target_id"], {})}
            for r in ts.to_dict("records")
        ],
        "tasks": [
            {"task_id": int(r["task_id"]), "title": r["title"], "lead_department": r["lead_department"],
             "status": r["status"], "explanation": r["explanation"], "percent": _num(r["percent"])}
            for r in ks.to_dict("records")
        ],
    }


def _registration(targets: pd.DataFrame) -> dict[str, dict]:
    """Per target: its baseline (None when not registered), the department charged, the comparator as
    judged (> for 超过, ≈ for 左右) and the target as the plan words it (基期与责任备案, issue 16)."""
    tolerance = load_settings().about_tolerance
    out = {}
    for t in targets.to_dict("records"):
        spec = TargetSpec.from_row(t)
        registered = bool(t.get("baseline_registered", spec.baseline is not None))
        out[t["id"]] = {
            "responsible_department": t.get("responsible_department") or t["lead_department"],
            "comparator": effective_comparator(spec, tolerance), "target": target_text(spec),
            "baseline": None if not registered else {
                "value": _num(spec.baseline), "year": spec.baseline_year, "source": t.get("baseline_source", ""),
                "confirmed": bool(t.get("baseline_confirmed", False)), "demo": bool(t.get("baseline_demo", False))},
        }
    return out


def report_text(report: dict) -> str:
    """The same report as aligned Chinese lines, with a count per status at the top of each section."""
    lines = [f"湛江质量提升督查 状态报告 · {report['period']}", ""]
    for title, items, key, name in (("指标", report["targets"], "target_id", "name"),
                                    ("任务", report["tasks"], "task_id", "title")):
        counts = pd.Series([i["status"] for i in items], dtype=str).value_counts()
        lines.append(f"【{title}】共 {len(items)} 个：" + "，".join(f"{s} {n}" for s, n in counts.items()))
        for i in items:
            resp = i.get("responsible_department") or i["lead_department"]
            who = i["lead_department"] if resp == i["lead_department"] else f"牵头 {i['lead_department']}，责任 {resp}"
            lines.append(f"  {i[key]!s:>4}  [{i['status']}]  {i[name]}（{who}）— {i['explanation']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
