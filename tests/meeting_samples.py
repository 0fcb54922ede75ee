"""Hand-built meeting payloads: small, known numbers, no database."""
from __future__ import annotations

import csv

from core.district_views import share_legend
from core.meeting import PAYLOAD_SCHEMA, overview_counts, red_list
from core.paths import PLAN_DIR
from core.status import ALL_KINDS


def target(tid: str, status: str, name: str | None = None, dept: str = "市市场监管局") -> dict:
    return {"id": tid, "name": name or f"指标{tid}", "category": "产品质量", "lead_department": dept,
            "status": status, "color": ALL_KINDS[status].color, "explanation": f"{tid} 的说明：{status}",
            "target_text": "≥90%", "value_text": "80%"}


def task(tid: int, status: str, percent: float | None = 50.0, dept: str = "市发展和改革局") -> dict:
    return {"id": tid, "title": f"任务标题{tid}", "lead_department": dept, "status": status,
            "color": ALL_KINDS[status].color, "explanation": f"任务{tid}：{status}", "percent": percent}


def rank(pos: int, name: str, score: float, grade: str = "B") -> dict:
    return {"rank": pos, "name": name, "score": score, "grade": grade, "change": None, "main_loss": ""}


def districts(shares: list[float | None] | None = None) -> dict:
    with (PLAN_DIR / "districts.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    legend = share_legend()
    shares = shares or [20.0, 40.0, 55.0, 60.0, 80.0, 95.0, 100.0, 45.0, None]
    out = []
    for r, share in zip(rows, shares):
        entry = legend[-1] if share is None else legend[0 if share < 50 else 1 if share < 75 else 2 if share < 90 else 3]
        out.append({"adcode": r["adcode"], "district": r["name"], "value": share,
                    "value_text": "—" if share is None else f"{share:.0f}%", "color": entry.color,
                    "class_label": entry.label, "explanation": "样例"})
    return {"title": "分区县指标中正常及已达标的占比", "rows": out,
            "legend": [{"label": e.label, "color": e.color} for e in legend]}


def payload(targets: list[dict], tasks: list[dict], ranking: list[dict], period: str = "2020Q2",
            meeting: dict | None = None, decisions: list[dict] | None = None, changes: dict | None = None) -> dict:
    return {
        "schema": PAYLOAD_SCHEMA, "period": period, "period_label": f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度",
        "built_at": "2020-07-15 09:00", "is_demo": False, "meeting": meeting,
        "targets": targets, "tasks": tasks, "overview": overview_counts(targets, tasks),
        "red_list": red_list(targets, tasks), "ranking": ranking, "districts": districts(),
        "due_soon": {"deadline": "2020-12-31", "days_left": 184, "rows": []},
        "decisions": decisions or [], "changes": changes,
    }


def two_meetings() -> tuple[dict, dict]:
    """July: T01 lagging, T02 on track, task 3 overdue; October: T01 met, T02 lagging, task 3 still overdue,
    市A局 falls from first to third."""
    before = payload(
        [target("T01", "滞后"), target("T02", "正常"), target("T03", "已达标")],
        [task(1, "按期"), task(3, "逾期", 20.0)],
        [rank(1, "市A局", 95.0, "A"), rank(2, "市B局", 88.0), rank(3, "市C局", 70.0, "C")],
        meeting={"name": "七月督查会", "date": "2020-07-15"})
    after = payload(
        [target("T01", "已达标"), target("T02", "滞后"), target("T03", "已达标")],
        [task(1, "按期"), task(3, "逾期", 30.0)],
        [rank(1, "市B局", 92.0, "A"), rank(2, "市C局", 85.0), rank(3, "市A局", 80.0)],
        period="2020Q3", meeting={"name": "十月督查会", "date": "2020-10-15"})
    return before, after
