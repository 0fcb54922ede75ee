"""年度考核 in the database: the write transaction with the account re-read inside it, the rows of a
department's year, history and audit; and the SQL reads behind the 年度考核 view.

Who may do what is decided by services.assessment, inside the transaction opened here, on the account
as it is at that moment (session row, expiry, active flag, role and department re-read), never on what
the page saw when it drew the form: Streamlit runs a form's callback before the page script.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

import pandas as pd
from sqlalchemy import delete, select
from sqlmodel import Session

from core import auth
from core.assessment import NOT_STARTED
from core.timeutil import CHINA_TZ
from db import models as m
from db.engine import lock_for_write, session_scope
from db.queries import _frame
from db.users import audit as audit_log
from db.write_identity import account_at_write

LOCK_KEY = "annual-assessment"


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite returns naive UTC
        return value.replace(tzinfo=timezone.utc)
    return value


def account_for_token(session: Session, token: str | None, now: datetime | None = None) -> auth.Identity | None:
    """The account behind a login token as it is now; None when unknown, expired or disabled."""
    if not token:
        return None
    account = account_at_write(session, digest=auth.token_digest(token), need_session=True, now=now)
    return account.identity() if account is not None else None


@contextmanager
def write_transaction(token: str | None) -> Iterator[tuple[Session, auth.Identity | None]]:
    """One write transaction and the account of `token` read inside it. Anything raised rolls it all back."""
    with session_scope() as session:
        lock_for_write(session, LOCK_KEY)
        yield session, account_for_token(session, token)


def department_id(session: Session, name: str) -> int | None:
    return session.execute(select(m.Department.id).where(
        m.Department.name == name, m.Department.kind == "department")).scalar()


def year_record(session: Session, dept_id: int, year: int, create: bool = False) -> m.AnnualAssessment | None:
    rec = session.execute(select(m.AnnualAssessment).where(
        m.AnnualAssessment.department_id == dept_id, m.AnnualAssessment.year == year)).scalar()
    if rec is None and create:
        rec = m.AnnualAssessment(department_id=dept_id, year=year, state=NOT_STARTED)
        session.add(rec)
        session.flush()
    return rec


def live_adjustments(session: Session, assessment_id: int) -> list[m.AssessmentAdjustment]:
    return list(session.execute(select(m.AssessmentAdjustment).where(
        m.AssessmentAdjustment.assessment_id == assessment_id).order_by(m.AssessmentAdjustment.id)).scalars())


def active_veto(session: Session, assessment_id: int) -> m.AssessmentVeto | None:
    return session.execute(select(m.AssessmentVeto).where(
        m.AssessmentVeto.assessment_id == assessment_id, m.AssessmentVeto.lifted.is_(False))
        .order_by(m.AssessmentVeto.id.desc())).scalars().first()


def appeal_of(session: Session, adjustment_id: int) -> m.AssessmentAppeal | None:
    return session.execute(select(m.AssessmentAppeal).where(
        m.AssessmentAppeal.adjustment_id == adjustment_id)).scalar()


def open_appeals(session: Session, assessment_id: int) -> int:
    return len(session.execute(
        select(m.AssessmentAppeal.id).join(m.AssessmentAdjustment,
                                           m.AssessmentAdjustment.id == m.AssessmentAppeal.adjustment_id)
        .where(m.AssessmentAdjustment.assessment_id == assessment_id, m.AssessmentAppeal.outcome == "")).all())


def record_change(session: Session, rec: m.AnnualAssessment, user: str, action: str, admin_reason: str = "",
                  at: datetime | None = None, **detail) -> None:
    """Append to the year's history and the audit log (the audit row carries the reason of a locked change)."""
    rec.updated_at = at or datetime.now(timezone.utc)
    payload = json.dumps(detail, ensure_ascii=False, default=str)
    session.add(m.AssessmentHistory(assessment_id=rec.id, at=rec.updated_at, user_name=user, action=action,
                                    detail=payload, admin_reason=admin_reason))
    extra = {"locked_change_reason": admin_reason} if admin_reason else {}
    audit_log(session, user, f"assessment_{action}", assessment_id=rec.id, year=rec.year, **detail, **extra)


# --- Reads ----------------------------------------------------------------------------------------


def _typed(df: pd.DataFrame, times: tuple[str, ...] = (), flags: tuple[str, ...] = ()) -> pd.DataFrame:
    # Stored in UTC (SQLite as text, booleans as 0/1); shown in Beijing time.
    for col in times:
        df[col] = pd.to_datetime(df[col], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    for col in flags:
        df[col] = df[col].fillna(False).astype(bool)
    return df


def year_records(year: int) -> pd.DataFrame:
    """One row per department with a record for the year (departments without one have not started)."""
    df = _frame("""
        SELECT a.id, d.name AS department, a.year, a.state, a.self_score, a.self_narrative, a.self_by, a.self_at,
               a.findings, a.findings_by, a.findings_at, a.locked, a.decided_by, a.decided_at, a.frozen_quarters,
               a.frozen_items, a.frozen_rollup, a.final_score, a.final_grade, a.is_demo
        FROM annualassessment a JOIN department d ON d.id = a.department_id
        WHERE a.year = :year ORDER BY d.sort_order""", year=year)
    return _typed(df, ("self_at", "findings_at", "decided_at"), ("locked", "is_demo"))


def year_adjustments(year: int) -> pd.DataFrame:
    """Every 加分/扣分 recorded for the year (withdrawn ones too) with its appeal, if any."""
    df = _frame("""
        SELECT j.id, d.name AS department, j.kind, j.code, j.name, j.points, j.reason, j.evidence, j.created_by,
               j.created_at, j.withdrawn, j.withdrawn_by, j.withdrawn_reason,
               p.id AS appeal_id, p.reason AS appeal_reason, p.filed_by AS appeal_by, p.filed_at AS appeal_at,
               p.outcome AS appeal_outcome, p.answer AS appeal_answer, p.answered_by, p.answered_at
        FROM assessmentadjustment j JOIN annualassessment a ON a.id = j.assessment_id
        JOIN department d ON d.id = a.department_id
        LEFT JOIN assessmentappeal p ON p.adjustment_id = j.id
        WHERE a.year = :year ORDER BY d.sort_order, j.id""", year=year)
    return _typed(df, ("appeal_at", "answered_at"), ("withdrawn",))


def year_vetoes(year: int) -> pd.DataFrame:
    df = _frame("""
        SELECT v.id, d.name AS department, v.reason, v.evidence, v.created_by, v.created_at, v.lifted,
               v.lifted_by, v.lifted_reason
        FROM assessmentveto v JOIN annualassessment a ON a.id = v.assessment_id
        JOIN department d ON d.id = a.department_id
        WHERE a.year = :year ORDER BY d.sort_order, v.id""", year=year)
    return _typed(df, flags=("lifted",))


def year_history(year: int) -> pd.DataFrame:
    return _frame("""
        SELECT h.id, d.name AS department, h.at, h.user_name, h.action, h.detail, h.admin_reason
        FROM assessmenthistory h JOIN annualassessment a ON a.id = h.assessment_id
        JOIN department d ON d.id = a.department_id
        WHERE a.year = :year ORDER BY h.id DESC""", year=year)


def year_data(year: int) -> dict[str, pd.DataFrame]:
    """Everything recorded for one year, read together (one cached read on the page)."""
    return {"records": year_records(year), "adjustments": year_adjustments(year), "vetoes": year_vetoes(year),
            "history": year_history(year)}


# --- Demo data -------------------------------------------------------------------------------------


def clear_demo_assessments(session: Session) -> int:
    """Delete the demo years and everything hanging off them, inside the caller's transaction."""
    ids = select(m.AnnualAssessment.id).where(m.AnnualAssessment.is_demo)
    adjustment_ids = select(m.AssessmentAdjustment.id).where(m.AssessmentAdjustment.assessment_id.in_(ids))
    session.execute(delete(m.AssessmentAppeal).where(m.AssessmentAppeal.adjustment_id.in_(adjustment_ids)))
    for table in (m.AssessmentAdjustment, m.AssessmentVeto, m.AssessmentHistory):
        session.execute(delete(table).where(table.assessment_id.in_(ids)))
    return session.execute(delete(m.AnnualAssessment).where(m.AnnualAssessment.is_demo)).rowcount
