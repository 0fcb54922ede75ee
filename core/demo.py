"""Deterministic demo data (演示数据): quarterly progress for every target and task.

The same catalogue always gives the same numbers, so screenshots and tests are stable.
Profiles are spread so the dashboard shows every status: most targets on track,
some warning, some lagging, a few cells and departments not reported.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from core.catalogue import Catalogue, Target
from core.periods import Period
from core.timeutil import CHINA_TZ

DEMO_TAG = "演示数据"
PROFILES = ("on_track",) * 6 + ("warning",) * 2 + ("lagging",) * 2
# Departments that skip their report in the last demo quarter, so 未报送 shows up.
MISSING_LAST_PERIOD = 3


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


@dataclass(frozen=True)
class DemoData:
    submissions: list[dict]  # department, period, created_at
    values: list[dict]  # target_id, district (adcode or None), period, value, department
    progress: list[dict]  # task_id, department, period, status, percent, narrative, problems, next_steps


def _start_value(t: Target, rng: random.Random) -> float:
    goal = t.target_value
    if t.kind == "yesno":
        return 0.0
    if t.comparator == "区间":
        return 0.0
    if t.unit == "%" and goal >= 50:
        return round(goal - rng.uniform(6, 18), 1)
    if t.comparator == "≤":
        return round(goal * rng.uniform(1.3, 1.6), 1)
    return round(goal * rng.uniform(0.35, 0.6), 1)


def _value_path(t: Target, periods: list[Period], profile: str, rng: random.Random) -> list[float]:
    start = _start_value(t, rng)
    goal = t.target_value if t.comparator != "区间" else (t.target_value + (t.target_max or t.target_value)) / 2
    reach = {"on_track": rng.uniform(1.0, 1.06), "warning": rng.uniform(0.75, 0.9), "lagging": rng.uniform(0.3, 0.55)}[profile]
    n = len(periods)
    out = []
    for i, _p in enumerate(periods):
        share = (i + 1) / n
        v = start + (goal - start) * min(1.0, share * reach + rng.uniform(-0.03, 0.03))
        if t.kind == "yesno":
            v = 1.0 if share * reach >= 0.9 else 0.0
        elif t.comparator == "区间" or t.unit in ("个", "家", "件", "项", "条"):
            v = float(round(v))
        elif t.unit == "%":
            v = min(round(v, 1), 100.0)
        else:
            v = round(v, 2)
        out.append(v)
    # Cumulative counts never fall.
    if t.kind == "numeric" and t.comparator != "≤":
        for i in range(1, n):
            out[i] = max(out[i], out[i - 1]) if t.unit not in ("%",) else out[i]
    return out


def _submission_time(dept: str, period: Period, deadline_days: int) -> datetime:
    rng = _rng("submit", dept, period.code)
    # Most departments report a few days before the deadline; some are late.
    offset = rng.choice([-8, -6, -5, -3, -2, -1, 0, 2, 5])
    day = period.end + timedelta(days=deadline_days + offset)
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=CHINA_TZ)


def generate_demo(catalogue: Catalogue, periods: list[Period], deadline_days: int) -> DemoData:
    districts = [d.adcode for d in catalogue.districts]
    departments = catalogue.department_names()
    led = {d: sum(t.lead_department == d for t in catalogue.targets) for d in departments}
    # Skippers are departments with few targets, so the city picture stays readable.
    missing_last = set([d for d in sorted(departments, key=lambda d: zlib.crc32(d.encode())) if led[d] <= 2]
                       [:MISSING_LAST_PERIOD])
    last = periods[-1]

    def reports(dept: str, period: Period) -> bool:
        return not (period == last and dept in missing_last)

    values: list[dict] = []
    for t in catalogue.targets:
        rng = _rng("target", t.id)
        profile = rng.choice(PROFILES)
        city = _value_path(t, periods, profile, rng)
        skip = {p.code for p in periods if rng.random() < 0.06}
        for i, p in enumerate(periods):
            if p.code in skip or not reports(t.lead_department, p):
                continue
            values.append({"target_id": t.id, "district": None, "period": p.code, "value": city[i],
                           "department": t.lead_department})
        if not t.district_breakdown:
            continue
        for adcode in districts:
            drng = _rng("district", t.id, adcode)
            dprofile = drng.choice(PROFILES) if profile != "lagging" else drng.choice(("warning", "lagging"))
            path = _value_path(t, periods, dprofile, drng)
            for i, p in enumerate(periods):
                if drng.random() < 0.04 or not reports(t.lead_department, p):
                    continue
                values.append({"target_id": t.id, "district": adcode, "period": p.code, "value": path[i],
                               "department": t.lead_department})

    progress: list[dict] = []
    for task in catalogue.tasks:
        clauses = [c for c in task.content.replace("。", "；").split("；") if c]
        for role, dept in [("牵头", task.lead_department)] + [("参与", d) for d in task.participants]:
            if dept not in departments:
                continue  # groups (市直相关单位…) report through their members
            rng = _rng("task", task.id, dept)
            pace = rng.choice((1.0, 1.0, 1.05, 0.95, 0.8, 0.6))
            for i, p in enumerate(periods):
                if not reports(dept, p):
                    continue
                expected = (i + 1) / len(periods) * 100
                pct = float(min(100, round(expected * pace + rng.uniform(-4, 4))))
                pct = max(pct, progress[-1]["percent"] if progress and progress[-1]["task_id"] == task.id
                          and progress[-1]["department"] == dept else 0.0)
                status = "已完成" if pct >= 100 else ("滞后" if pct < expected - 15 else ("未启动" if pct <= 0 else "推进中"))
                clause = clauses[i % len(clauses)] if clauses else task.title
                progress.append({
                    "task_id": task.id, "department": dept, "period": p.code, "role": role,
                    "status": status, "percent": pct,
                    "narrative": f"【{DEMO_TAG}】围绕“{clause[:40]}”开展工作，累计完成{pct:.0f}%。",
                    "problems": "" if status != "滞后" else f"【{DEMO_TAG}】资金和用地等要素保障不足，进度慢于序时。",
                    "next_steps": f"【{DEMO_TAG}】继续推进“{clauses[(i + 1) % len(clauses)][:30] if clauses else task.title}”。",
                })

    submissions = [
        {"department": dept, "period": p.code, "created_at": _submission_time(dept, p, deadline_days)}
        for p in periods for dept in departments if reports(dept, p)
    ]
    return DemoData(submissions, values, progress)


# --- Demo registrations (issue 16): baselines labelled 演示 and the natural owners of task 12's targets ---

# Task 12's hospital and public-health targets belong to 市卫生健康局 (a named participant), 雪亮工程 to
# 市公安局 (through the participant 市直相关单位); the lead 市政务服务数据管理局 keeps the 政务服务 ones.
DEMO_RESPONSIBLE = {"T47": "市卫生健康局", "T48": "市卫生健康局", "T49": "市卫生健康局", "T50": "市卫生健康局",
                    "T51": "市卫生健康局", "T52": "市公安局"}
DEMO_BASELINE_YEAR = 2017


def _demo_baseline(t: Target, first: float, second: float | None) -> float:
    """One quarter's step before the first demo value, kept in the target's range."""
    if t.kind == "yesno":
        return 0.0
    base = first - ((second - first) if second is not None else 0.0)
    if t.unit == "%":
        base = min(max(base, 0.0), 100.0)
    elif t.unit in ("个", "家", "件", "项", "条"):
        base = float(max(round(base), 0))
    else:
        base = round(max(base, 0.0), 2)
    return round(base, 1) if t.unit == "%" else base


def demo_registrations(catalogue: Catalogue, demo: DemoData, last_period: str) -> tuple[list[dict], list[dict]]:
    """(baselines, office checks) for the demo: a 演示 baseline for every target and district series,
    and complete task reports before the last demo quarter checked by the office (the last quarter's
    new completions stay 待核验)."""
    from core.baseline_rules import DEMO_SOURCE

    series: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for v in demo.values:
        series.setdefault((v["target_id"], v["district"] or ""), []).append((v["period"], v["value"]))
    regs = []
    for t in catalogue.targets:
        cells = [("", None)] + ([(d.adcode, None) for d in catalogue.districts] if t.district_breakdown else [])
        for district, _ in cells:
            path = sorted(series.get((t.id, district), []))
            if not path:
                continue
            base = _demo_baseline(t, path[0][1], path[1][1] if len(path) > 1 else None)
            regs.append({"target_id": t.id, "district": district, "value": base, "year": DEMO_BASELINE_YEAR,
                         "source": DEMO_SOURCE,
                         "responsible": DEMO_RESPONSIBLE.get(t.id, t.lead_department) if not district else None})
    first_done: dict[tuple[int, str], str] = {}
    for p in demo.progress:
        if p["percent"] >= 100:
            key = (p["task_id"], p["department"])
            first_done[key] = min(first_done.get(key, p["period"]), p["period"])
    checks = [{"task_id": tid, "department": dept, "period": period}
              for (tid, dept), period in sorted(first_done.items()) if period < last_period]
    return regs, checks
