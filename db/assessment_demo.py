"""Load the demo 年度考核 (演示数据, core/assessment_demo.py) after the demo quarters are in.

The 2019 years are decided and locked with their quarterly scores frozen, exactly as a real 核定
would leave them, so the view, the export and the CLI show a finished year next to one under way.
"""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import select

from core import assessment as rules
from core.assessment_demo import DECIDED_YEAR, OPEN_YEAR, demo_time, demo_years
from core.demo import DEMO_TAG
from db import models as m
from db import queries, scoring_reads
from db.engine import session_scope


def _inputs() -> dict[tuple[str, int], rules.DepartmentYear]:
    periods = queries.periods()
    depts = queries.departments()
    names = depts.loc[depts["kind"] == "department", "name"].tolist()
    board = scoring_reads.scoreboard(periods["code"].iloc[-1])  # its history holds every quarter so far
    items = board.items.groupby("department").size().to_dict()
    out = {}
    for year in (DECIDED_YEAR, OPEN_YEAR):
        quarters = [c for c, y in zip(periods["code"], periods["year"]) if int(y) == year]
        if not quarters:
            continue
        for d in rules.department_years(year, names, quarters, board.history, items, pd.DataFrame(),
                                        pd.DataFrame(), pd.DataFrame()):
            out[(d.department, year)] = d
    return out


def load_demo_assessments() -> int:
    """Insert the demo years (scores are computed first, outside the write transaction)."""
    rule = rules.load_annual_rule()
    inputs = _inputs()
    plan = demo_years({k: rules.rollup(d.quarter_scores, rule) for k, d in inputs.items()})
    written = 0
    with session_scope() as session:
        dept_id = dict(session.execute(select(m.Department.name, m.Department.id)).all())
        # A year the office already works on (real records) is never overwritten by demo data.
        taken = set(session.execute(select(m.AnnualAssessment.department_id, m.AnnualAssessment.year)).all())
        for d in plan:
            if (dept_id[d.department], d.year) not in taken:
                _write_year(session, d, inputs[(d.department, d.year)], dept_id[d.department], rule)
                written += 1
    return written


def _history(session, rec: m.AnnualAssessment, action: str, at, **detail) -> None:
    session.add(m.AssessmentHistory(assessment_id=rec.id, at=at, user_name=DEMO_TAG, action=action,
                                    detail=json.dumps(detail, ensure_ascii=False)))


def _write_year(session, d, source: rules.DepartmentYear, dept_id: int, rule: rules.AnnualRule) -> None:
    y = d.year
    rec = m.AnnualAssessment(department_id=dept_id, year=y, state=d.state, is_demo=True,
                             updated_at=demo_time(y, 1, 5))
    session.add(rec)
    session.flush()
    if d.self_score is not None:
        rec.self_score, rec.self_narrative, rec.self_by, rec.self_at = d.self_score, d.narrative, DEMO_TAG, \
            demo_time(y, 1, 10)
        _history(session, rec, "self", rec.self_at, score=d.self_score)
    if d.findings:
        rec.findings, rec.findings_by, rec.findings_at = d.findings, DEMO_TAG, demo_time(y, 1, 20)
        _history(session, rec, "findings", rec.findings_at)
    rows = []
    for kind, code, reason, evidence in d.adjustments:
        item = rule.item(kind, code)
        row = m.AssessmentAdjustment(assessment_id=rec.id, kind=kind, code=code, name=item.name, points=item.points,
                                     reason=f"【{DEMO_TAG}】{reason}", evidence=evidence, created_by=DEMO_TAG,
                                     created_at=demo_time(y, 1, 20, 15))
        session.add(row)
        session.flush()
        rows.append(row)
        _history(session, rec, kind, row.created_at, adjustment_id=row.id, code=code, points=item.points)
    if d.veto:
        session.add(m.AssessmentVeto(assessment_id=rec.id, reason=f"【{DEMO_TAG}】{d.veto[0]}", evidence=d.veto[1],
                                     created_by=DEMO_TAG, created_at=demo_time(y, 1, 21)))
        _history(session, rec, "veto", demo_time(y, 1, 21))
    if d.appeal:
        code, reason, outcome, answer = d.appeal
        target = next(r for r in rows if r.code == code)
        session.add(m.AssessmentAppeal(adjustment_id=target.id, reason=f"【{DEMO_TAG}】{reason}", filed_by=DEMO_TAG,
                                       filed_at=demo_time(y, 1, 23), outcome=outcome,
                                       answer=f"【{DEMO_TAG}】{answer}", answered_by=DEMO_TAG,
                                       answered_at=demo_time(y, 1, 28)))
        _history(session, rec, "appeal", demo_time(y, 1, 23), adjustment_id=target.id)
        _history(session, rec, "answer", demo_time(y, 1, 28), outcome=outcome)
    if d.decided:
        adjustments = [rules.Adjustment(r.id, r.kind, r.code, r.name, r.points, r.reason, r.evidence) for r in rows]
        result = rules.assess(rules.DepartmentYear(
            d.department, y, source.quarter_scores, source.items, adjustments, d.veto[0] if d.veto else None,
            d.self_score, d.state, True), rule)
        rec.frozen_quarters = json.dumps(dict(source.quarter_scores), ensure_ascii=False)
        rec.frozen_items, rec.frozen_rollup = source.items, result.rollup
        rec.final_score, rec.final_grade = result.final, result.grade or ""
        rec.locked, rec.decided_by, rec.decided_at = True, DEMO_TAG, demo_time(y, 2, 5)
        _history(session, rec, "decide", rec.decided_at, final=result.final, grade=result.grade)
