"""Writes of trustworthy data (issue 16): 基期与责任备案, 报告期关闭 and lock exceptions, 完成核验.

Every write checks who is writing inside its own transaction (account active, web session valid
and its own, role and department), because Streamlit runs widget callbacks before the page script:
a check on the page alone is not enough. Every write is audited; registrations keep their history.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import delete, select
from sqlmodel import Session

from core import auth
from core.baseline_rules import MAX_REASON, Registration, assignment_basis, registration_problems
from core.catalogue import Catalogue, load_catalogue
from core.period_lock import CLOSE, OPEN
from core.status import RETURNED, VERIFIED
from db import models as m
from db.engine import bump_data_version, session_scope
from db.queries import _frame
from db.users import audit
from db.write_identity import account_at_write

CLI = "cli"
DEMO_USER = "演示数据"  # who the demo's rows name (submissions, checks, the demo's period opening)


class TrustRefused(ValueError):
    """The write cannot be made; the Chinese message says why; nothing was written."""


@dataclass(frozen=True)
class Actor:
    """Who asks for a write. The web passes its session token; the CLI (a shell on the server)
    passes via="cli" and is checked for an active account of the right role."""

    username: str
    token: str | None = None
    via: str = "web"


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _authorise(session: Session, actor: Actor, *, office_only: bool = True) -> auth.Identity:
    """The writer's identity as the database knows it now; TrustRefused when it may not write."""
    if account_at_write(session, actor.username) is None:
        raise TrustRefused("账号不存在或已停用，未写入")
    cli = actor.via == CLI
    digest = auth.token_digest(actor.token) if actor.token and not cli else None
    account = account_at_write(session, actor.username, digest=digest, need_session=not cli)
    if account is None:
        raise TrustRefused("登录已失效，请重新登录后再操作，未写入")
    identity = auth.Identity(account.username, account.role, account.department, account.display_name)
    if office_only and identity.role != auth.ADMIN:
        raise TrustRefused("只有督查办管理员可以执行此操作，未写入")
    if identity.role not in (auth.ADMIN, auth.REPORTER):
        raise TrustRefused("浏览账号不能修改数据，未写入")
    return identity


def _dept_id(session: Session, name: str) -> int:
    found = session.execute(select(m.Department.id).where(m.Department.name == name)).scalar()
    if found is None:
        raise TrustRefused(f"部门“{name}”不在计划目录中")
    return found


def _known_period(session: Session, code: str) -> None:
    if session.get(m.Period, code) is None:
        raise TrustRefused(f"不是报告期：{code}")


def _bounded(text: str, limit: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise TrustRefused(f"{what}不能超过 {limit} 字")
    return text


# --- 基期与责任备案 ----------------------------------------------------------------------------------


def set_baseline(actor: Actor, target_id: str, *, district: str = "", value: float | None = None,
                 year: int | None = None, source: str = "", responsible: str | None = None, reason: str = "",
                 confirm: bool = False, catalogue: Catalogue | None = None) -> dict:
    """Register (or change) a target's baseline and responsible department; confirm it (office only).

    The plan's lead department may register while unconfirmed; a confirmed registration is changed by
    the office only, with a reason. Returns the registration as written."""
    catalogue = catalogue or load_catalogue()
    target = next((t for t in catalogue.targets if t.id == target_id), None)
    if target is None:
        raise TrustRefused(f"指标“{target_id}”不在计划目录中")
    district = district or ""
    with session_scope() as session:
        identity = _authorise(session, actor, office_only=False)
        row = session.execute(select(m.TargetBaseline).where(
            m.TargetBaseline.target_id == target_id, m.TargetBaseline.district_adcode == district)).scalar()
        before = _registration(session, row) if row is not None else None
        # A demo registration (演示) binds no one: a real one replaces it without a reason.
        binding = bool(row is not None and row.confirmed and not row.is_demo)
        if identity.role != auth.ADMIN:
            if identity.department != target.lead_department:
                raise TrustRefused(f"指标 {target_id} 由“{target.lead_department}”牵头，只有牵头部门或督查办可以备案")
            if confirm or binding:
                raise TrustRefused("备案确认及确认后的修改由督查办办理")
        reg = Registration(value, year, (source or "").strip(),
                           responsible if responsible is not None else (before.responsible if before else None))
        problems = registration_problems(target, district or None, reg, catalogue, before=before,
                                         confirmed=binding, reason=reason)
        if problems:
            raise TrustRefused("；".join(problems))
        if row is None:
            row = m.TargetBaseline(target_id=target_id, district_adcode=district)
            session.add(row)
        row.value, row.year, row.source = reg.value, reg.year, reg.source
        row.responsible_department_id = _dept_id(session, reg.responsible) if reg.responsible else None
        was_confirmed = binding
        row.confirmed = bool(binding or confirm)
        row.is_demo = False
        row.updated_by, row.updated_at = identity.username, datetime.now(timezone.utc)
        action = "confirm" if confirm and not was_confirmed and before == reg else "set"
        after = {**asdict(reg), "confirmed": row.confirmed}
        if reg.responsible:
            after["basis"] = assignment_basis(target, reg.responsible, catalogue)
        session.add(m.TargetBaselineChange(
            target_id=target_id, district_adcode=district, user_name=identity.username, action=action,
            before=json.dumps({**asdict(before), "confirmed": was_confirmed} if before else {}, ensure_ascii=False),
            after=json.dumps(after, ensure_ascii=False), reason=_bounded(reason, MAX_REASON, "变更原因")))
        audit(session, identity.username, "baseline_set", target=target_id, district=district, **after,
              reason=reason.strip())
        bump_data_version(session)
        return after


def _registration(session: Session, row: m.TargetBaseline) -> Registration:
    dept = session.get(m.Department, row.responsible_department_id).name if row.responsible_department_id else None
    return Registration(row.value, row.year, row.source, dept)


def assignments(session: Session | None = None) -> dict[str, str]:
    """Targets registered to a responsible department (city rows): target id -> department name. With
    `session`, as the write transaction sees them (services.submissions re-checks who may report)."""
    if session is not None:
        return dict(session.execute(
            select(m.TargetBaseline.target_id, m.Department.name)
            .join(m.Department, m.Department.id == m.TargetBaseline.responsible_department_id)
            .where(m.TargetBaseline.district_adcode == "")).all())
    df = _frame("""SELECT b.target_id, d.name FROM targetbaseline b
                   JOIN department d ON d.id = b.responsible_department_id WHERE b.district_adcode = ''""")
    return dict(zip(df["target_id"], df["name"]))


def baselines() -> pd.DataFrame:
    """Every registration, city rows first per target."""
    df = _frame("""
        SELECT b.target_id, b.district_adcode, COALESCE(ds.name, '') AS district, b.value, b.year, b.source,
               COALESCE(d.name, '') AS responsible_department, b.confirmed, b.is_demo, b.updated_by, b.updated_at
        FROM targetbaseline b LEFT JOIN department d ON d.id = b.responsible_department_id
        LEFT JOIN district ds ON ds.adcode = b.district_adcode
        ORDER BY b.target_id, b.district_adcode""")
    df["updated_at"] = pd.to_datetime(df["updated_at"], utc=True, format="mixed")
    for col in ("confirmed", "is_demo"):
        df[col] = df[col].astype(bool)
    df["year"] = df["year"].astype("Int64")
    return df


def baseline_history(target_id: str) -> pd.DataFrame:
    return _frame("""
        SELECT id, target_id, district_adcode, at, user_name, action, before, after, reason, is_demo
        FROM targetbaselinechange WHERE target_id = :tid ORDER BY id DESC""", tid=target_id)


# --- 报告期关闭 ----------------------------------------------------------------------------------------


def set_period_state(actor: Actor, period_code: str, action: str, reason: str = "") -> None:
    """The office closes (close) or reopens (open) a period; the newest action wins."""
    if action not in (CLOSE, OPEN):
        raise TrustRefused("操作应为 close 或 open")
    with session_scope() as session:
        identity = _authorise(session, actor)
        _known_period(session, period_code)
        session.add(m.PeriodClosure(period_code=period_code, action=action, user_name=identity.username,
                                    reason=_bounded(reason, MAX_REASON, "原因")))
        audit(session, identity.username, "period_close" if action == CLOSE else "period_open",
              period=period_code, reason=reason.strip())
        bump_data_version(session)


def grant_lock_exception(actor: Actor, department: str, period_code: str, until: datetime, reason: str = "") -> int:
    """Let one department write a closed period until `until` (aware datetime)."""
    if until.tzinfo is None:
        raise TrustRefused("截止时间须带时区")
    if until <= datetime.now(timezone.utc):
        raise TrustRefused("解锁截止时间须晚于现在")
    until = until.astimezone(timezone.utc)  # stored as UTC like every timestamp (SQLite keeps no offset)
    with session_scope() as session:
        identity = _authorise(session, actor)
        _known_period(session, period_code)
        grant = m.LockException(department_id=_dept_id(session, department), period_code=period_code, until=until,
                                granted_by=identity.username, reason=_bounded(reason, MAX_REASON, "原因"))
        session.add(grant)
        session.flush()
        audit(session, identity.username, "lock_exception", id=grant.id, department=department, period=period_code,
              until=until.isoformat(), reason=reason.strip())
        bump_data_version(session)
        return grant.id


def revoke_lock_exception(actor: Actor, exception_id: int) -> None:
    with session_scope() as session:
        identity = _authorise(session, actor)
        grant = session.get(m.LockException, exception_id)
        if grant is None or grant.revoked_at is not None:
            raise TrustRefused(f"锁定例外 #{exception_id} 不存在或已撤销")
        grant.revoked_by, grant.revoked_at = identity.username, datetime.now(timezone.utc)
        audit(session, identity.username, "lock_exception_revoke", id=exception_id)
        bump_data_version(session)


def period_closures() -> pd.DataFrame:
    df = _frame("SELECT id, period_code, action, at, user_name, reason FROM periodclosure ORDER BY id")
    df["at"] = pd.to_datetime(df["at"], utc=True, format="mixed")
    return df


def lock_facts_in(session: Session) -> tuple[list[tuple[str, str, datetime]], list[tuple[str, str, datetime, bool]]]:
    """The office's period actions (period, action, at) and lock exceptions (department, period, until,
    revoked) as they are inside the write transaction `session`: a commit re-checks closed periods with
    these, so a period closed (or an exception revoked) after the preview still refuses the write."""
    closures = [(p, a, _utc(at)) for p, a, at in session.execute(
        select(m.PeriodClosure.period_code, m.PeriodClosure.action, m.PeriodClosure.at)).all()]
    grants = [(d, p, _utc(u), r is not None) for d, p, u, r in session.execute(
        select(m.Department.name, m.LockException.period_code, m.LockException.until, m.LockException.revoked_at)
        .join(m.Department, m.Department.id == m.LockException.department_id)).all()]
    return closures, grants


def lock_exceptions() -> pd.DataFrame:
    df = _frame("""
        SELECT e.id, d.name AS department, e.period_code, e.until, e.granted_by, e.granted_at, e.reason,
               e.revoked_by, e.revoked_at
        FROM lockexception e JOIN department d ON d.id = e.department_id ORDER BY e.id""")
    for col in ("until", "granted_at", "revoked_at"):
        df[col] = pd.to_datetime(df[col], utc=True, format="mixed")
    return df


# --- 完成核验 ------------------------------------------------------------------------------------------


def verify_task(actor: Actor, task_id: int, department: str, period_code: str, approve: bool,
                reason: str = "") -> str:
    """The office marks a complete report 已核验, or returns it (退回) with a reason. Only a report in
    force at 100% can be checked, and 已核验 needs its 佐证材料: the ids of the files looked at are kept."""
    from db.evidence import task_cell_evidence_ids

    reason = _bounded(reason, MAX_REASON, "原因")
    if not approve and not reason:
        raise TrustRefused("退回须填写原因")
    with session_scope() as session:
        identity = _authorise(session, actor)
        _known_period(session, period_code)
        dept_id = _dept_id(session, department)
        percent = _progress_percent(session, task_id, dept_id, period_code)
        if percent is None or percent < 100:
            raise TrustRefused(f"任务{task_id}（{department}）{period_code} 没有 100% 完成的报送，无需核验")
        evidence_ids = task_cell_evidence_ids(session, task_id, dept_id, period_code)
        if approve and not evidence_ids:
            raise TrustRefused(f"任务{task_id}（{department}）{period_code} 没有佐证材料，不能核验通过；"
                               "可退回并写明须补充的材料")
        row = session.execute(select(m.TaskVerification).where(
            m.TaskVerification.task_id == task_id, m.TaskVerification.department_id == dept_id,
            m.TaskVerification.period_code == period_code)).scalar()
        if row is None:
            row = m.TaskVerification(task_id=task_id, department_id=dept_id, period_code=period_code, state="")
            session.add(row)
        row.state = VERIFIED if approve else RETURNED
        row.reason, row.evidence_ids = reason, ",".join(str(i) for i in evidence_ids)
        row.user_name, row.at = identity.username, datetime.now(timezone.utc)
        audit(session, identity.username, "task_verify" if approve else "task_verify_return", task=task_id,
              department=department, period=period_code, reason=reason, evidence_ids=evidence_ids)
        bump_data_version(session)
        return row.state


def _progress_percent(session: Session, task_id: int, dept_id: int, period_code: str) -> float | None:
    from core.reporting import COUNTED_STATES

    row = session.execute(
        select(m.TaskProgress.percent).join(m.Submission, m.Submission.id == m.TaskProgress.submission_id)
        .where(m.TaskProgress.task_id == task_id, m.TaskProgress.department_id == dept_id,
               m.TaskProgress.period_code == period_code, m.Submission.state.in_(COUNTED_STATES))
        .order_by(m.TaskProgress.id.desc()).limit(1)).first()
    return None if row is None or row[0] is None else float(row[0])


def completions_to_check(period_code: str | None = None) -> pd.DataFrame:
    """Complete reports in force (100%) with their check state ("" = 待核验), newest period first."""
    from db.queries import current_progress

    df = current_progress(up_to_period=period_code)
    df = df[pd.to_numeric(df["percent"], errors="coerce") >= 100]
    return df[["task_id", "department", "period_code", "status", "percent", "verification", "verification_reason",
               "is_demo"]].sort_values(["period_code", "task_id"], ascending=[False, True]).reset_index(drop=True)


# --- Demo ---------------------------------------------------------------------------------------------


def insert_demo_registrations(session: Session, registrations: list[dict], verifications: list[dict]) -> None:
    """Demo baselines (演示) and the office's demo checks, inside load_demo's transaction."""
    dept_id = dict(session.execute(select(m.Department.name, m.Department.id)).all())
    for r in registrations:
        session.add(m.TargetBaseline(
            target_id=r["target_id"], district_adcode=r["district"], value=r["value"], year=r["year"],
            source=r["source"], responsible_department_id=dept_id.get(r["responsible"]) if r["responsible"] else None,
            confirmed=True, is_demo=True, updated_by="演示数据"))
    for v in verifications:
        session.add(m.TaskVerification(task_id=v["task_id"], department_id=dept_id[v["department"]],
                                       period_code=v["period"], state=VERIFIED,
                                       user_name="演示数据"))


DEMO_OPEN_REASON = "演示数据：载入演示数据时开放最后一期，便于试用进度填报（manage.py demo clear 时撤去）"


def open_demo_period(session: Session, period_code: str) -> None:
    """The demo's one office action on periods, inside load_demo's transaction: reopen its last period.

    Every demo period ended years ago and has closed by itself (close_days after its deadline), so
    without this a newcomer trying 进度填报 on the demo would see every row refused. It is recorded
    like the office's own action (period table, audit log), by 演示数据 and labelled so."""
    session.add(m.PeriodClosure(period_code=period_code, action=OPEN, user_name=DEMO_USER, reason=DEMO_OPEN_REASON))
    audit(session, DEMO_USER, "period_open", period=period_code, reason=DEMO_OPEN_REASON)


def clear_demo_registrations(session: Session) -> int:
    n = session.execute(delete(m.TargetBaseline).where(m.TargetBaseline.is_demo)).rowcount
    # The demo's reopening goes with it: the period falls back to the office's own actions and the
    # automatic rule (the audit log keeps both the opening and the clearing).
    session.execute(delete(m.PeriodClosure).where(m.PeriodClosure.user_name == DEMO_USER))
    session.execute(delete(m.TargetBaselineChange).where(m.TargetBaselineChange.is_demo))
    session.execute(delete(m.TaskVerification).where(m.TaskVerification.user_name == "演示数据"))
    return n


# --- 修订历史 --------------------------------------------------------------------------------------------


def value_history(target_id: str) -> pd.DataFrame:
    """Every report of every cell of a target, newest first, with its state (core.revision_history)."""
    from core.revision_history import label_states

    df = _frame("""
        SELECT v.id, v.period_code, COALESCE(di.name, '全市') AS district, v.value, v.note, v.submission_id,
               s.user_name, s.created_at, s.state AS submission_state, s.is_demo, COALESCE(d.name, '') AS department
        FROM indicatorvalue v JOIN submission s ON s.id = v.submission_id
        LEFT JOIN district di ON di.adcode = v.district_adcode LEFT JOIN department d ON d.id = s.department_id
        WHERE v.target_id = :tid ORDER BY v.id DESC""", tid=target_id)
    df["state"] = label_states(df, ["period_code", "district"]) if not df.empty else pd.Series(dtype=str)
    df["is_demo"] = df["is_demo"].astype(bool)
    return df


def progress_history(task_id: int) -> pd.DataFrame:
    """Every progress report of a task, newest first, with its state."""
    from core.revision_history import label_states

    df = _frame("""
        SELECT p.id, p.period_code, d.name AS department, p.status, p.percent, p.submission_id, s.user_name,
               s.created_at, s.state AS submission_state, s.is_demo
        FROM taskprogress p JOIN submission s ON s.id = p.submission_id JOIN department d ON d.id = p.department_id
        WHERE p.task_id = :tid ORDER BY p.id DESC""", tid=int(task_id))
    df["state"] = label_states(df, ["period_code", "department"]) if not df.empty else pd.Series(dtype=str)
    df["is_demo"] = df["is_demo"].astype(bool)
    return df
