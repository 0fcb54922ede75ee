"""年度考核: the one door for the page and the CLI — the annual view, the export, and every write.

Each write checks its input first (nothing is opened for bad input), then opens one transaction
(db.assessment.write_transaction), re-reads the account behind the login token inside it and decides
there whether this account may make this change: the office (管理员) records 加分/扣分, 一票否决,
核查 findings, answers appeals and 核定; only the department's own 填报员 enters its 自评 and files
its 申诉. Once a department's year is 核定 it is locked: the office can still change it but must give
a reason, which goes to the year's history and the audit log; the department can no longer change it.
A refused or failed write leaves nothing behind (the transaction is rolled back).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import pandas as pd
from sqlmodel import Session

from core import assessment as rules
from core.assessment import (
    APPEAL_OUTCOMES,
    BONUS,
    CHECKED,
    DECIDED,
    KIND_LABELS,
    NOT_STARTED,
    PENALTY,
    SELF,
    WITHDRAWN,
    AnnualResult,
    AssessmentInputError,
    DepartmentYear,
    clean_score,
    clean_text,
)
from core.assessment_export import build_annual_workbook
from core.auth import ADMIN, REPORTER, Identity
from core.timeutil import CHINA_TZ
from db import assessment as store
from db import models as m
from db import queries, scoring_reads
from db.engine import PlanArchived

LOGIN_AGAIN = "登录已失效或账号已停用，请重新登录后再提交"


class AssessmentRefused(Exception):
    """This account may not make this change now; the message is Chinese and nothing was written."""


@contextmanager
def _write_transaction(token: str | None):
    """db.assessment.write_transaction, with an archived plan's refusal (db.engine) worded as ours."""
    try:
        with store.write_transaction(token) as opened:
            yield opened
    except PlanArchived as exc:
        raise AssessmentRefused(str(exc)) from exc


def _direct(func: Callable, *args):
    return func(*args)


# --- The annual view -------------------------------------------------------------------------------


@dataclass
class AnnualView:
    year: int
    quarters: list[str]
    results: list[AnnualResult]
    records: pd.DataFrame
    adjustments: pd.DataFrame
    vetoes: pd.DataFrame
    history: pd.DataFrame
    rule_lines: list[str] = field(default_factory=list)
    demo: bool = False

    def result(self, department: str) -> AnnualResult | None:
        return next((r for r in self.results if r.department == department), None)

    def record(self, department: str) -> dict | None:
        rows = self.records[self.records["department"] == department].to_dict("records")
        return rows[0] if rows else None


def years(read: Callable = _direct) -> list[int]:
    periods = read(queries.periods)
    return sorted({int(y) for y in periods["year"]})


def _quarters(year: int, read: Callable) -> list[str]:
    periods = read(queries.periods)
    quarters = [c for c, y in zip(periods["code"], periods["year"]) if int(y) == year]
    if not quarters:
        known = sorted({int(y) for y in periods["year"]})
        span = f"{known[0]}–{known[-1]}" if known else "无"
        raise AssessmentInputError(f"{year} 年不在报告期内（可选 {span} 年）")
    return quarters


def annual_view(year: int, read: Callable = _direct) -> AnnualView:
    """Every department's year; `read` is services.cache.read on the page (cached reads), a plain call elsewhere."""
    rule = rules.load_annual_rule()
    quarters = _quarters(year, read)
    board = read(scoring_reads.scoreboard, quarters[-1])
    depts = read(queries.departments)
    names = depts.loc[depts["kind"] == "department", "name"].tolist()
    items = board.items.groupby("department").size().to_dict()
    data = read(store.year_data, year)
    inputs = rules.department_years(year, names, quarters, board.history, items, data["records"],
                                    data["adjustments"], data["vetoes"])
    demo = bool(read(queries.demo_present)) or bool(data["records"]["is_demo"].astype(bool).any())
    return AnnualView(year, quarters, rules.assess_year(inputs, rule), data["records"], data["adjustments"],
                      data["vetoes"], data["history"], rules.annual_rule_text(rule), demo)


def view_records(view: AnnualView) -> list[dict]:
    """Per department as plain data (CLI JSON)."""
    return [rules.result_record(r) for r in view.results]


def annual_workbook(view: AnnualView) -> bytes:
    """The year as an Excel workbook (core.assessment_export), dated today in Beijing."""
    return build_annual_workbook(view.year, view.quarters, view.results, view.adjustments, view.vetoes,
                                 view.rule_lines, datetime.now(CHINA_TZ).date(), view.demo)


def annual_document(view: AnnualView) -> bytes:
    """The year as a 公文 .docx (core.assessment_docx), dated today in Beijing."""
    from core.assessment_docx import annual_docx

    return annual_docx(view.year, view.results, view.adjustments, view.vetoes, view.rule_lines,
                       datetime.now(CHINA_TZ).date(), view.demo)


# --- Authorisation, inside the transaction ---------------------------------------------------------


def _office(who: Identity | None, what: str) -> Identity:
    if who is None:
        raise AssessmentRefused(LOGIN_AGAIN)
    if who.role != ADMIN:
        raise AssessmentRefused(f"您的账号（{who.role}）无权{what}：须由督查办管理员操作")
    return who


def _own_department(who: Identity | None, department: str, what: str) -> Identity:
    if who is None:
        raise AssessmentRefused(LOGIN_AGAIN)
    if who.role != REPORTER or who.department != department:
        raise AssessmentRefused(f"只有{department}的填报员可以{what}；您的账号是{who.label}")
    return who


def _locked_reason(rec: m.AnnualAssessment, department: str, admin_reason: str) -> str:
    """'' for an unlocked year; the reason for a locked one, refused without it."""
    if not rec.locked:
        return ""
    if not admin_reason:
        raise AssessmentRefused(f"{department} {rec.year} 年度考核已核定锁定：修改须填写修改理由（记入审计日志）")
    return admin_reason


def _refuse_if_locked(rec: m.AnnualAssessment, department: str, what: str) -> None:
    if rec.locked:
        raise AssessmentRefused(f"{department} {rec.year} 年度考核已核定锁定，不能再{what}；如有异议请联系督查办")


def _record(session: Session, department: str, year: int, create: bool = True) -> m.AnnualAssessment:
    dept_id = store.department_id(session, department)
    if dept_id is None:
        raise AssessmentInputError(f"“{department}”不是计划目录中的部门")
    rec = store.year_record(session, dept_id, year, create=create)
    if rec is None:
        raise AssessmentInputError(f"{department} {year} 年尚无考核记录")
    return rec


def _refresh_final(session: Session, rec: m.AnnualAssessment, department: str) -> None:
    """A locked year keeps its decided score in step with reasoned changes (frozen quarters, current items)."""
    if not rec.locked or not rec.frozen_quarters:
        return
    result = rules.assess(_frozen_input(session, rec, department))
    rec.final_score, rec.final_grade = result.final, result.grade or ""


def _frozen_input(session: Session, rec: m.AnnualAssessment, department: str,
                  quarters: dict | None = None, items: int | None = None) -> DepartmentYear:
    adjustments = [rules.Adjustment(a.id, a.kind, a.code, a.name, a.points, a.reason, a.evidence, a.withdrawn)
                   for a in store.live_adjustments(session, rec.id)]
    veto = store.active_veto(session, rec.id)
    return DepartmentYear(department, rec.year, quarters if quarters is not None else json.loads(rec.frozen_quarters),
                          items if items is not None else int(rec.frozen_items or 0), adjustments,
                          veto.reason if veto else None, rec.self_score, rec.state, rec.locked)


def _check_year(year: int) -> None:
    _quarters(int(year), _direct)


# --- Writes ----------------------------------------------------------------------------------------


def submit_self_assessment(token: str | None, department: str, year: int, score: object, narrative: str) -> str:
    score_value = clean_score(score)
    text = clean_text(narrative, "narrative")
    _check_year(year)
    with _write_transaction(token) as (session, who):
        who = _own_department(who, department, "提交本部门的自评")
        rec = _record(session, department, year)
        _refuse_if_locked(rec, department, "修改自评")
        if rec.state not in (NOT_STARTED, SELF):
            raise AssessmentRefused(f"督查办已开始核查（当前状态：{rec.state}），自评不能再修改；如需补充请联系督查办")
        before = rec.self_score
        rec.self_score, rec.self_narrative, rec.self_by = score_value, text, who.username
        rec.self_at, rec.state = datetime.now(timezone.utc), SELF
        store.record_change(session, rec, who.username, "self", department=department, score=score_value,
                            previous=before)
    return f"已提交 {department} {year} 年度自评：{score_value:.1f} 分"


def record_findings(token: str | None, department: str, year: int, findings: str, admin_reason: str = "") -> str:
    text = clean_text(findings, "findings")
    reason = clean_text(admin_reason, "admin_reason", required=False)
    _check_year(year)
    with _write_transaction(token) as (session, who):
        who = _office(who, "记录核查意见")
        rec = _record(session, department, year)
        locked_reason = _locked_reason(rec, department, reason)
        rec.findings, rec.findings_by, rec.findings_at = text, who.username, datetime.now(timezone.utc)
        if rec.state in (NOT_STARTED, SELF):
            rec.state = CHECKED
        store.record_change(session, rec, who.username, "findings", locked_reason, department=department)
    return f"已记录 {department} {year} 年度核查意见"


def add_adjustment(token: str | None, department: str, year: int, kind: str, code: str, reason: str,
                   evidence: str = "", admin_reason: str = "") -> int:
    if kind not in (BONUS, PENALTY):
        raise AssessmentInputError("类别应为加分或扣分")
    item = rules.load_annual_rule().item(kind, code)
    why = clean_text(reason, "reason")
    note = clean_text(evidence, "evidence", required=False)
    locked = clean_text(admin_reason, "admin_reason", required=False)
    _check_year(year)
    with _write_transaction(token) as (session, who):
        who = _office(who, f"记录{KIND_LABELS[kind]}")
        rec = _record(session, department, year)
        locked_reason = _locked_reason(rec, department, locked)
        row = m.AssessmentAdjustment(assessment_id=rec.id, kind=kind, code=item.code, name=item.name,
                                     points=item.points, reason=why, evidence=note, created_by=who.username)
        session.add(row)
        session.flush()
        _refresh_final(session, rec, department)
        store.record_change(session, rec, who.username, kind, locked_reason, department=department,
                            adjustment_id=row.id, code=item.code, points=item.points)
        return row.id


def _adjustment(session: Session, adjustment_id: int) -> tuple[m.AssessmentAdjustment, m.AnnualAssessment, str]:
    row = session.get(m.AssessmentAdjustment, int(adjustment_id))
    if row is None:
        raise AssessmentInputError(f"没有编号为 {adjustment_id} 的加分/扣分记录")
    rec = session.get(m.AnnualAssessment, row.assessment_id)
    department = session.get(m.Department, rec.department_id).name
    return row, rec, department


def withdraw_adjustment(token: str | None, adjustment_id: int, reason: str, admin_reason: str = "") -> str:
    why = clean_text(reason, "reason")
    locked = clean_text(admin_reason, "admin_reason", required=False)
    with _write_transaction(token) as (session, who):
        who = _office(who, "撤销加分/扣分")
        row, rec, department = _adjustment(session, adjustment_id)
        locked_reason = _locked_reason(rec, department, locked)
        if row.withdrawn:
            raise AssessmentRefused("该项已撤销")
        row.withdrawn, row.withdrawn_by, row.withdrawn_reason = True, who.username, why
        row.withdrawn_at = datetime.now(timezone.utc)
        _refresh_final(session, rec, department)
        store.record_change(session, rec, who.username, "withdraw", locked_reason, department=department,
                            adjustment_id=row.id, reason=why)
    return f"已撤销 {department} 的{KIND_LABELS[row.kind]}项 {row.code}"


def set_veto(token: str | None, department: str, year: int, reason: str, evidence: str = "",
             admin_reason: str = "") -> str:
    why = clean_text(reason, "reason")
    note = clean_text(evidence, "evidence", required=False)
    locked = clean_text(admin_reason, "admin_reason", required=False)
    _check_year(year)
    with _write_transaction(token) as (session, who):
        who = _office(who, "一票否决")
        rec = _record(session, department, year)
        locked_reason = _locked_reason(rec, department, locked)
        if store.active_veto(session, rec.id) is not None:
            raise AssessmentRefused(f"{department} {year} 年已被一票否决")
        session.add(m.AssessmentVeto(assessment_id=rec.id, reason=why, evidence=note, created_by=who.username))
        session.flush()
        _refresh_final(session, rec, department)
        store.record_change(session, rec, who.username, "veto", locked_reason, department=department, reason=why)
    return f"已对 {department} {year} 年度考核一票否决（等级为 {rules.load_annual_rule().veto_grade}）"


def lift_veto(token: str | None, department: str, year: int, reason: str, admin_reason: str = "") -> str:
    why = clean_text(reason, "reason")
    locked = clean_text(admin_reason, "admin_reason", required=False)
    _check_year(year)
    with _write_transaction(token) as (session, who):
        who = _office(who, "撤销一票否决")
        rec = _record(session, department, year)
        locked_reason = _locked_reason(rec, department, locked)
        veto = store.active_veto(session, rec.id)
        if veto is None:
            raise AssessmentRefused(f"{department} {year} 年没有一票否决")
        veto.lifted, veto.lifted_by, veto.lifted_reason = True, who.username, why
        veto.lifted_at = datetime.now(timezone.utc)
        _refresh_final(session, rec, department)
        store.record_change(session, rec, who.username, "lift_veto", locked_reason, department=department,
                            reason=why)
    return f"已撤销 {department} {year} 年的一票否决"


def file_appeal(token: str | None, adjustment_id: int, reason: str) -> int:
    why = clean_text(reason, "appeal")
    with _write_transaction(token) as (session, who):
        row, rec, department = _adjustment(session, adjustment_id)
        who = _own_department(who, department, "对本部门的扣分提出申诉")
        _refuse_if_locked(rec, department, "提出申诉")
        if row.kind != PENALTY or row.withdrawn:
            raise AssessmentRefused("只能对有效的扣分项提出申诉")
        if store.appeal_of(session, row.id) is not None:
            raise AssessmentRefused(f"扣分项 {row.code}（编号 {row.id}）已申诉过；每项扣分只能申诉一次")
        appeal = m.AssessmentAppeal(adjustment_id=row.id, reason=why, filed_by=who.username)
        session.add(appeal)
        session.flush()
        store.record_change(session, rec, who.username, "appeal", department=department, adjustment_id=row.id,
                            appeal_id=appeal.id)
        return appeal.id


def answer_appeal(token: str | None, appeal_id: int, outcome: str, answer: str, admin_reason: str = "") -> str:
    if outcome not in APPEAL_OUTCOMES:
        raise AssessmentInputError(f"答复结果应为 {'或'.join(APPEAL_OUTCOMES)}")
    text = clean_text(answer, "answer")
    locked = clean_text(admin_reason, "admin_reason", required=False)
    with _write_transaction(token) as (session, who):
        who = _office(who, "答复申诉")
        appeal = session.get(m.AssessmentAppeal, int(appeal_id))
        if appeal is None:
            raise AssessmentInputError(f"没有编号为 {appeal_id} 的申诉")
        row, rec, department = _adjustment(session, appeal.adjustment_id)
        locked_reason = _locked_reason(rec, department, locked)
        if appeal.outcome:
            raise AssessmentRefused(f"该申诉已于此前答复（{appeal.outcome}），答复不能覆盖")
        now = datetime.now(timezone.utc)
        appeal.outcome, appeal.answer, appeal.answered_by, appeal.answered_at = outcome, text, who.username, now
        if outcome == WITHDRAWN and not row.withdrawn:
            row.withdrawn, row.withdrawn_by, row.withdrawn_at = True, who.username, now
            row.withdrawn_reason = f"申诉成立：{text}"
        _refresh_final(session, rec, department)
        store.record_change(session, rec, who.username, "answer", locked_reason, department=department,
                            appeal_id=appeal.id, outcome=outcome)
    return f"已答复 {department} 对扣分项 {row.code} 的申诉：{outcome}"



def decide(token: str | None, department: str, year: int, view: AnnualView | None = None) -> str:
    """核定: freeze the quarterly scores and roll-up as they are now, decide the final score, lock."""
    # The scores are computed before the write lock is taken (slow work first).
    view = view if view is not None and view.year == year else annual_view(year)
    current = view.result(department)
    if current is None:
        raise AssessmentInputError(f"“{department}”不是计划目录中的部门")
    if current.rollup is None:
        raise AssessmentRefused(f"{department} {year} 年没有可考核的内容，无需核定")
    with _write_transaction(token) as (session, who):
        who = _office(who, "核定年度考核")
        rec = _record(session, department, year)
        if rec.locked:
            raise AssessmentRefused(f"{department} {year} 年度考核已核定；核定后的修改请逐项填写修改理由")
        if rec.state != CHECKED:
            raise AssessmentRefused(f"请先记录 {department} {year} 年的核查意见，再核定（当前状态：{rec.state}）")
        pending = store.open_appeals(session, rec.id)
        if pending:
            raise AssessmentRefused(f"{department} 尚有 {pending} 项申诉未答复，答复后才能核定")
        result = rules.assess(_frozen_input(session, rec, department, dict(current.quarter_scores), current.items))
        rec.frozen_quarters = json.dumps(dict(current.quarter_scores), ensure_ascii=False)
        rec.frozen_items, rec.frozen_rollup = current.items, result.rollup
        rec.final_score, rec.final_grade = result.final, result.grade or ""
        rec.state, rec.locked, rec.decided_by = DECIDED, True, who.username
        rec.decided_at = datetime.now(timezone.utc)
        store.record_change(session, rec, who.username, "decide", department=department,
                            final=result.final, grade=result.grade)
    return f"已核定 {department} {year} 年度考核：{result.final:.1f} 分，等级 {result.grade_text}；本年度已锁定"
