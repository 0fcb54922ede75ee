"""Synthetic databases for the benchmarks, at two scales.

city      the plan itself: its catalogue and the demo data (what `make run` shows).
province  about 120 county-level units, 60 targets, 40 departments and 10 years of monthly
          reports: the plan's catalogue plus synthetic units (adcode 49xxxx), targets
          (P01…) and periods back to 2011Q1. The schema's reporting period is the quarter,
          so a monthly report is a new row for its quarter that supersedes the previous
          month's (append-only, as real revisions are): 3 value rows per cell and quarter.

Rows go straight into a SQLite file with bulk inserts into the app's own tables; the
catalogue sync the app runs at start-up keeps the synthetic rows (it never deletes).

    python -m benchmarks.synthetic province /tmp/province   # writes /tmp/province/dashboard.sqlite3
"""
from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select


@dataclass(frozen=True)
class Scale:
    name: str
    units: int  # county-level units with values (the plan has 9)
    targets: int
    years: int
    reports_per_quarter: int  # 3 = monthly


SCALES = {
    "city": Scale("city", units=9, targets=52, years=3, reports_per_quarter=1),
    "province": Scale("province", units=120, targets=60, years=10, reports_per_quarter=3),
}
LAST_YEAR = 2020  # the plan's horizon: the synthetic history ends where the plan's periods end


def point_at(folder: Path) -> None:
    """Make the app's database the SQLite file in `folder` (as the tests do)."""
    os.environ["ZJ_VAR_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    from db.engine import dispose_engines

    dispose_engines()


def build(scale: str, folder: Path) -> dict:
    """Create the database for a scale in `folder`; returns row counts and seconds taken."""
    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "dashboard.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    point_at(folder)
    started = time.perf_counter()
    if scale == "city":
        from db.setup import ensure_ready

        ensure_ready(with_demo=True)
    else:
        from db.setup import init_database

        init_database()
        _fill_province(SCALES[scale])
    return {"scale": scale, "seconds": round(time.perf_counter() - started, 1), **row_counts(),
            "file_mb": round(sum(p.stat().st_size for p in (db_file, Path(f"{db_file}-wal")) if p.exists()) / 2**20, 1)}


def row_counts() -> dict[str, int]:
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return {name: s.execute(select(func.count()).select_from(model)).scalar() for name, model in (
            ("districts", m.District), ("targets", m.Target), ("departments", m.Department),
            ("periods", m.Period), ("submissions", m.Submission), ("values", m.IndicatorValue),
            ("progress", m.TaskProgress))}


def _fill_province(scale: Scale) -> None:
    from core.periods import period_range
    from core.settings import load_settings
    from db import models as m
    from db.engine import bump_data_version, session_scope

    rng = random.Random(20201231)
    deadline_days = load_settings().deadline_days
    periods = period_range(f"{LAST_YEAR - scale.years + 1}Q1", f"{LAST_YEAR}Q4")
    with session_scope() as s:
        have_periods = set(s.execute(select(m.Period.code)).scalars())
        _bulk(s, m.Period, [
            {"code": p.code, "year": p.year, "quarter": p.quarter, "start_date": p.start, "end_date": p.end,
             "deadline": p.deadline(deadline_days)} for p in periods if p.code not in have_periods])
        districts = list(s.execute(select(m.District.adcode).order_by(m.District.sort_order)).scalars())
        _bulk(s, m.District, [
            {"adcode": f"49{i:04d}", "name": f"合成县区{i:03d}", "kind": "县", "sort_order": 100 + i}
            for i in range(1, scale.units - len(districts) + 1)])
        depts = list(s.execute(select(m.Department.id).where(m.Department.kind == "department")
                               .order_by(m.Department.sort_order)).scalars())
        n_targets = s.execute(select(func.count()).select_from(m.Target)).scalar()
        _bulk(s, m.Target, [
            {"id": f"P{i:02d}", "category": "合成指标", "name": f"合成指标{i:02d}", "unit": "%", "comparator": "≥",
             "target_value": 90.0, "target_max": None, "target_year": LAST_YEAR, "kind": "numeric",
             "task_id": (i % 30) + 1, "lead_department_id": depts[i % len(depts)], "lead_basis": "合成",
             "district_breakdown": True, "baseline": 60.0, "source_clause": "合成数据", "sort_order": 1000 + i}
            for i in range(1, scale.targets - n_targets + 1)])
        targets = s.execute(select(m.Target.id, m.Target.lead_department_id, m.Target.target_value)).all()
        units = [None, *s.execute(select(m.District.adcode)).scalars()]
        task_depts = s.execute(select(m.TaskDepartment.task_id, m.TaskDepartment.department_id)).all()
        _reports(s, m, rng, periods, scale.reports_per_quarter, targets, units, task_depts)
        bump_data_version(s)


def _bulk(s, model, rows: list[dict]) -> None:
    if rows:  # an empty executemany would insert one row of defaults
        s.execute(insert(model), rows)


def _reports(s, m, rng, periods, per_quarter, targets, units, task_depts) -> None:
    """One submission per department and month; its value and progress rows in bulk."""
    by_dept: dict[int, list] = {}
    for t in targets:
        by_dept.setdefault(t.lead_department_id, []).append(t)
    for d in {d for _, d in task_depts}:
        by_dept.setdefault(d, [])
    tasks_of: dict[int, list[int]] = {}
    for task_id, d in task_depts:
        tasks_of.setdefault(d, []).append(task_id)
    for qi, p in enumerate(periods):
        values, progress = [], []
        for month in range(per_quarter):
            at = datetime(p.year, p.quarter * 3 - 2 + month, 25, 2, tzinfo=timezone.utc) + timedelta(days=7)
            subs = [{"created_at": at, "user_name": "合成数据", "department_id": d, "period_code": p.code,
                     "source": "upload", "filename": f"合成{p.code}-{month + 1}.xlsx", "sha256": "",
                     "state": "committed", "is_demo": False, "note": "基准测试合成数据"} for d in sorted(by_dept)]
            ids = s.execute(insert(m.Submission).returning(m.Submission.id, m.Submission.department_id),
                            subs).all()
            for sub_id, d in ids:
                share = (qi * per_quarter + month + 1) / (len(periods) * per_quarter)
                for t in by_dept[d]:
                    for u in units:
                        values.append({"target_id": t.id, "district_adcode": u, "period_code": p.code,
                                       "value": round(t.target_value * (0.6 + 0.45 * share) + rng.uniform(-3, 3), 2),
                                       "data_source": "合成数据", "note": "", "submission_id": sub_id,
                                       "created_at": at})
                for task_id in tasks_of.get(d, []):
                    progress.append({"task_id": task_id, "department_id": d, "period_code": p.code,
                                     "status": "推进中" if share < 0.95 else "已完成",
                                     "percent": round(min(100.0, 100 * share), 1), "narrative": "按计划推进",
                                     "problems": "", "next_steps": "继续推进", "submission_id": sub_id,
                                     "created_at": at})
        _bulk(s, m.IndicatorValue, values)
        _bulk(s, m.TaskProgress, progress)
        from db.current import rebuild

        rebuild(s)  # written around the app's commit path, so the values in force are computed once here


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scale", choices=sorted(SCALES))
    ap.add_argument("folder", type=Path)
    args = ap.parse_args()
    print(build(args.scale, args.folder))


if __name__ == "__main__":
    main()
