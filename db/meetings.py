"""Meeting snapshots and decisions: the live payload read, frozen, listed, reopened; decisions recorded.

A snapshot's payload is inserted once and never updated: there is deliberately no function
here that changes one. Pages read through cached.read(meetings.func, ...).
"""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
from sqlalchemy import insert, text, update

from core.meeting import MeetingInputs, build_payload
from core.timeutil import CHINA_TZ
from db import models as m
from db import queries, scoring_reads
from db.engine import bump_data_version, get_engine, session_scope
from db.queries import _frame

DECISION_KINDS = ("决定", "批示")


class MeetingError(ValueError):
    """A meeting write that cannot be done as asked; the message is Chinese and nothing was written."""


# --- Live data -----------------------------------------------------------------------------------


def meeting_inputs(period: str, previous_snapshot_id: int | None = None) -> MeetingInputs:
    return MeetingInputs(
        period=period, targets=queries.targets(), values=queries.current_values(up_to_period=period),
        tasks=queries.tasks(), progress=queries.current_progress(up_to_period=period),
        districts=queries.districts(), ranking=scoring_reads.scoreboard(period).ranking,
        decisions=decisions_for_deck(previous_snapshot_id), is_demo=queries.demo_present())


def live_payload(period: str) -> dict:
    """What the meeting shows now for `period`, with what changed since the last frozen meeting."""
    last = latest_snapshot_id()
    previous = load_snapshot(last)["payload"] if last else None
    return build_payload(meeting_inputs(period, last), previous)


# --- Snapshots -----------------------------------------------------------------------------------


def save_snapshot(name: str, meeting_date: date, payload: dict, created_by: str = "") -> int:
    """Freeze `payload` exactly as shown under a name and date; decisions recorded during the
    meeting (not yet tied to one) are tied to it. Returns the snapshot id."""
    name = name.strip()
    if not name:
        raise MeetingError("请填写会议名称")
    frozen = dict(payload, meeting={"name": name, "date": meeting_date.isoformat()})
    with session_scope() as session:
        snap = m.MeetingSnapshot(name=name, meeting_date=meeting_date, created_by=created_by,
                                 period_code=payload["period"], payload=json.dumps(frozen, ensure_ascii=False))
        session.add(snap)
        session.flush()
        session.execute(update(m.Decision).where(m.Decision.meeting_snapshot_id.is_(None))
                        .values(meeting_snapshot_id=snap.id))
        session.add(m.AuditLog(user_name=created_by, action="meeting_snapshot",
                               detail=json.dumps({"snapshot_id": snap.id, "name": name}, ensure_ascii=False)))
        bump_data_version(session)
        return snap.id


def list_snapshots() -> pd.DataFrame:
    """Every frozen meeting, latest meeting first (without payloads)."""
    return _frame("""
        SELECT id, name, meeting_date, created_at, created_by, period_code
        FROM meetingsnapshot ORDER BY meeting_date DESC, id DESC""")


def latest_snapshot_id() -> int | None:
    with get_engine().connect() as conn:
        row = conn.execute(text("SELECT id FROM meetingsnapshot ORDER BY meeting_date DESC, id DESC LIMIT 1")).first()
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


def add_decision(task_id: int, text_: str, kind: str = "决定", decided_by: str = "",
                 snapshot_id: int | None = None) -> int:
    text_ = text_.strip()
    if not text_:
        raise MeetingError("请填写决定或批示的内容")
    if kind not in DECISION_KINDS:
        raise MeetingError(f"类型应为 {'、'.join(DECISION_KINDS)} 之一")
    with session_scope() as session:
        if session.get(m.Task, int(task_id)) is None:
            raise MeetingError(f"没有任务 {task_id}")
        new_id = session.execute(insert(m.Decision).values(
            meeting_snapshot_id=snapshot_id, task_id=int(task_id), text=text_, kind=kind, decided_by=decided_by,
            decided_at=m.utcnow()).returning(m.Decision.id)).scalar_one()
        bump_data_version(session)
        return new_id


_DECISIONS = """
    SELECT dc.id, dc.meeting_snapshot_id, ms.name AS meeting_name, ms.meeting_date, dc.task_id,
           t.title AS task_title, dc.kind, dc.text, dc.decided_by, dc.decided_at
    FROM decision dc JOIN task t ON t.id = dc.task_id
    LEFT JOIN meetingsnapshot ms ON ms.id = dc.meeting_snapshot_id
    {where}
    ORDER BY dc.decided_at DESC, dc.id DESC"""


def _decisions(where: str, **params) -> pd.DataFrame:
    df = _frame(_DECISIONS.format(where=where), **params)
    df["decided_at"] = pd.to_datetime(df["decided_at"], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    return df


def decisions_for_task(task_id: int) -> pd.DataFrame:
    """Every decision and 批示 on one task, newest first (for the task's detail)."""
    return _decisions("WHERE dc.task_id = :tid", tid=int(task_id))


def decisions_for_deck(previous_snapshot_id: int | None) -> pd.DataFrame:
    """The last meeting's decisions (to follow up) and those recorded since (this meeting's)."""
    if previous_snapshot_id is None:
        return _decisions("WHERE dc.meeting_snapshot_id IS NULL")
    return _decisions("WHERE dc.meeting_snapshot_id IS NULL OR dc.meeting_snapshot_id = :sid",
                      sid=int(previous_snapshot_id))


def all_decisions() -> pd.DataFrame:
    return _decisions("")
