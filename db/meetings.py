"""Meeting snapshots and decisions: the live payload read, frozen, listed, reopened; decisions recorded.

A snapshot's payload is inserted once and never updated: there is deliberately no function
here that changes one. Pages read through cached.read(meetings.func, ...).

Writes take the acting identity (`by`): the meeting page passes the logged-in account, which is
re-checked as a current 管理员 inside the write's own transaction (db.users.assert_identity_valid)
and recorded as the saver/recorder; nobody types who they are. A plain name is accepted from
callers that run on the server itself (tests, scripts). A wrong decision or snapshot is withdrawn
with a reason, never deleted: it stays in history, labelled 已撤回, and leaves decks and task details.
"""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
from sqlalchemy import insert, text, update

from core import auth
from core.meeting import MeetingInputs, build_payload
from core.timeutil import CHINA_TZ
from core.user_text import DECISION_MAX, REASON_MAX, SNAPSHOT_NAME_MAX, text_problem
from db import catalogue_versions, queries, scoring_reads
from db import models as m
from db.engine import bump_data_version, get_engine, session_scope
from db.queries import _frame
from db.users import Actor, assert_identity_valid, audit

DECISION_KINDS = ("决定", "批示")


class MeetingError(ValueError):
    """A meeting write that cannot be done as asked; the message is Chinese and nothing was written."""


def _recorder(session, by: Actor) -> str:
    """Inside the write's transaction: the account doing it, re-checked as a current 管理员."""
    if isinstance(by, auth.Identity):
        assert_identity_valid(session, by, roles=(auth.ADMIN,))
        return by.username
    return by


def _checked(label: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    problem = text_problem(label, value, limit, required=True)
    if problem:
        raise MeetingError(problem)
    return value


# --- Live data -----------------------------------------------------------------------------------


def meeting_inputs(period: str, previous_snapshot_id: int | None = None) -> MeetingInputs:
    return MeetingInputs(
        period=period, targets=catalogue_versions.targets_at(period),
        values=queries.current_values(up_to_period=period),
        tasks=catalogue_versions.tasks_at(period), progress=queries.current_progress(up_to_period=period),
        districts=queries.districts(), ranking=scoring_reads.scoreboard(period).ranking,
        decisions=decisions_for_deck(previous_snapshot_id), is_demo=queries.demo_present())


def live_payload(period: str) -> dict:
    """What the meeting shows now for `period`, with what changed since the last frozen meeting."""
    last = latest_snapshot_id()
    previous = load_snapshot(last)["payload"] if last else None
    return build_payload(meeting_inputs(period, last), previous)


# --- Snapshots -----------------------------------------------------------------------------------


def save_snapshot(name: str, meeting_date: date, payload: dict, created_by: Actor = "") -> int:
    """Freeze `payload` exactly as shown under a name and date; decisions recorded during the
    meeting (not yet tied to one) are tied to it. Returns the snapshot id."""
    name = _checked("会议名称", name, SNAPSHOT_NAME_MAX)
    if not isinstance(meeting_date, date):
        raise MeetingError("请填写会议日期")
    frozen = dict(payload, meeting={"name": name, "date": meeting_date.isoformat()})
    body = json.dumps(frozen, ensure_ascii=False)
    with session_scope() as session:
        saver = _recorder(session, created_by)
        snap = m.MeetingSnapshot(name=name, meeting_date=meeting_date, created_by=saver,
                                 period_code=payload["period"], payload=body)
        session.add(snap)
        session.flush()
        session.execute(update(m.Decision).where(m.Decision.meeting_snapshot_id.is_(None))
                        .values(meeting_snapshot_id=snap.id))
        audit(session, saver, "meeting_snapshot", snapshot_id=snap.id, name=name, meeting_date=meeting_date.isoformat())
        bump_data_version(session)
        return snap.id


def withdraw_snapshot(snapshot_id: int, reason: str, by: Actor) -> None:
    """Withdraw a wrong snapshot: kept (and its payload untouched), no longer offered as a meeting."""
    reason = _checked("撤回原因", reason, REASON_MAX)
    with session_scope() as session:
        who = _recorder(session, by)
        snap = session.get(m.MeetingSnapshot, int(snapshot_id))
        if snap is None:
            raise MeetingError(f"没有编号为 {snapshot_id} 的会议快照")
        if snap.withdrawn_at is not None:
            raise MeetingError(f"会议快照“{snap.name}”已于此前撤回")
        session.execute(update(m.MeetingSnapshot).where(m.MeetingSnapshot.id == snap.id).values(
            withdrawn_at=m.utcnow(), withdrawn_by=who, withdraw_reason=reason))
        audit(session, who, "meeting_snapshot_withdraw", snapshot_id=snap.id, name=snap.name, reason=reason)
        bump_data_version(session)


def list_snapshots(include_withdrawn: bool = False) -> pd.DataFrame:
    """Frozen meetings, latest meeting first (without payloads); withdrawn ones only when asked."""
    where = "" if include_withdrawn else "WHERE withdrawn_at IS NULL"
    return _frame(f"""
        SELECT id, name, meeting_date, created_at, created_by, period_code, withdrawn_at, withdrawn_by,
               withdraw_reason
        FROM meetingsnapshot {where} ORDER BY meeting_date DESC, id DESC""")


def latest_snapshot_id() -> int | None:
    with get_engine().connect() as conn:
        row = conn.execute(text("SELECT id FROM meetingsnapshot WHERE withdrawn_at IS NULL "
                                "ORDER BY meeting_date DESC, id DESC LIMIT 1")).first()
    return int(row[0]) if row else None


def load_snapshot(snapshot_id: int) -> dict:
    """{id, name, meeting_date, period_code, created_by, created_at, payload} of one frozen meeting."""
    df = _frame("SELECT id, name, meeting_date, created_at, created_by, period_code, payload "
                "FROM meetingsnapshot WHERE id = :sid", sid=int(snapshot_id))
    if df.empty:
        raise MeetingError(f"没有编号为 {snapshot_id} 的会议快照")
    row = df.iloc[0].to_dict()
    row["payload"] = json.loads(row["payload"])
    return row


# --- Decisions -----------------------------------------------------------------------------------


def add_decision(task_id: int | None, text_: str, kind: str = "决定", decided_by: Actor = "",
                 snapshot_id: int | None = None) -> int:
    """Record a 决定 or 批示 on a task; `decided_by` is the recording account (see the module note)."""
    if kind not in DECISION_KINDS:
        raise MeetingError(f"类型应为 {'、'.join(DECISION_KINDS)} 之一")
    if task_id is None:
        raise MeetingError("请选择任务")
    text_ = _checked("决定或批示的内容", text_, DECISION_MAX)
    with session_scope() as session:
        recorder = _recorder(session, decided_by)
        if session.get(m.Task, int(task_id)) is None:
            raise MeetingError(f"没有任务 {task_id}")
        if snapshot_id is not None and session.get(m.MeetingSnapshot, int(snapshot_id)) is None:
            raise MeetingError(f"没有编号为 {snapshot_id} 的会议快照")
        new_id = session.execute(insert(m.Decision).values(
            meeting_snapshot_id=snapshot_id, task_id=int(task_id), text=text_, kind=kind, decided_by=recorder,
            decided_at=m.utcnow()).returning(m.Decision.id)).scalar_one()
        audit(session, recorder, "meeting_decision", decision_id=new_id, task_id=int(task_id), kind=kind,
              snapshot_id=snapshot_id, text=text_)
        bump_data_version(session)
        return new_id


def withdraw_decision(decision_id: int, reason: str, by: Actor) -> None:
    """Withdraw a decision recorded in error: kept in history, struck through, out of decks and task details."""
    reason = _checked("撤回原因", reason, REASON_MAX)
    with session_scope() as session:
        who = _recorder(session, by)
        row = session.get(m.Decision, int(decision_id))
        if row is None:
            raise MeetingError(f"没有编号为 {decision_id} 的决定或批示")
        if row.withdrawn_at is not None:
            raise MeetingError(f"该{row.kind}已于此前撤回")
        session.execute(update(m.Decision).where(m.Decision.id == row.id).values(
            withdrawn_at=m.utcnow(), withdrawn_by=who, withdraw_reason=reason))
        audit(session, who, "meeting_decision_withdraw", decision_id=row.id, task_id=row.task_id, reason=reason)
        bump_data_version(session)


_DECISIONS = """
    SELECT dc.id, dc.meeting_snapshot_id, ms.name AS meeting_name, ms.meeting_date, dc.task_id,
           t.title AS task_title, dc.kind, dc.text, dc.decided_by, dc.decided_at, dc.withdrawn_at,
           dc.withdrawn_by, dc.withdraw_reason
    FROM decision dc JOIN task t ON t.id = dc.task_id
    LEFT JOIN meetingsnapshot ms ON ms.id = dc.meeting_snapshot_id
    {where}
    ORDER BY dc.decided_at DESC, dc.id DESC"""


def _decisions(where: str, **params) -> pd.DataFrame:
    df = _frame(_DECISIONS.format(where=where), **params)
    df["decided_at"] = pd.to_datetime(df["decided_at"], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    return df


def decisions_for_task(task_id: int) -> pd.DataFrame:
    """Every standing decision and 批示 on one task, newest first (for the task's detail)."""
    return _decisions("WHERE dc.task_id = :tid AND dc.withdrawn_at IS NULL", tid=int(task_id))


def decisions_for_deck(previous_snapshot_id: int | None) -> pd.DataFrame:
    """The last meeting's decisions (to follow up) and those recorded since (this meeting's); none withdrawn."""
    if previous_snapshot_id is None:
        return _decisions("WHERE dc.meeting_snapshot_id IS NULL AND dc.withdrawn_at IS NULL")
    return _decisions("WHERE (dc.meeting_snapshot_id IS NULL OR dc.meeting_snapshot_id = :sid) "
                      "AND dc.withdrawn_at IS NULL", sid=int(previous_snapshot_id))


def all_decisions() -> pd.DataFrame:
    """Every decision ever recorded, the withdrawn ones included (the meeting page's history)."""
    return _decisions("")
