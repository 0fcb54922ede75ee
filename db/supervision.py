"""督办事项 writes and reads. Every write re-checks who is writing inside its own transaction.

Streamlit runs widget callbacks before the page script, and a CLI user may have been disabled since,
so the page's or the command's idea of the user is not trusted here: the account must still exist and
be active, a browser session's token must still be valid, and the role and department are read from
the account row (services pass the identity and token; core.supervision says what each role may do).
An SSO identity has no account row: Streamlit checks st.user on every run and maps it by settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from core import auth
from core import supervision as sv
from core.evidence import CheckedFile
from core.timeutil import CHINA_TZ
from db import evidence, queries
from db import models as m
from db.engine import home_engine, lock_for_write, session_scope
from db.queries import _frame, _frame_on
from db.users import audit
from db.write_identity import account_at_write

WEB, CLI = "web", "cli"


@dataclass(frozen=True)
class Actor:
    """Who asks for a write: the identity the page or the CLI holds, the browser session's token
    (channel web) or none (channel cli: the command runs on the server with local admin rights)."""

    identity: auth.Identity
    token: str | None = None
    channel: str = WEB


@dataclass(frozen=True)
class Writer:
    username: str
    role: str
    department: str | None


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def authorise(session: Session, actor: Actor, now: datetime | None = None) -> Writer:
    """The writer as the database knows it now, or SupervisionRefused."""
    ident = actor.identity
    if ident.via == "sso":
        return Writer(ident.username, ident.role, ident.department)
    cli = actor.channel == CLI
    if account_at_write(session, ident.username, now=now) is None:
        raise sv.SupervisionRefused("账号不存在或已停用，不能办理督办事项")
    digest = auth.token_digest(actor.token) if actor.token and not cli else None
    user = account_at_write(session, ident.username, digest=digest, need_session=not cli, now=now)
    if user is None:
        raise sv.SupervisionRefused("登录已失效，请重新登录后再操作")
    return Writer(user.username, user.role, user.department if user.role == auth.REPORTER else None)


def _department_id(session: Session, name: str) -> int:
    dept_id = session.execute(select(m.Department.id).where(m.Department.name == name)).scalar()
    if dept_id is None:
        raise sv.SupervisionRefused(f"部门“{name}”不在计划目录中")
    return dept_id


# --- Issue ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewNotice:
    kind: str  # target | task | decision
    department: str
    requirement: str
    due: date
    label: str = ""
    status: str = ""
    explanation: str = ""
    target_id: str | None = None
    district_adcode: str | None = None
    task_id: int | None = None
    decision_id: int | None = None
    period: str | None = None

    @property
    def key(self) -> str:
        item = {sv.TARGET: self.target_id, sv.TASK: self.task_id, sv.DECISION: self.decision_id}[self.kind]
        return sv.item_key(self.kind, item, self.district_adcode)


def issue_notices(actor: Actor, items: list[NewNotice], *, is_demo: bool = False,
                  now: datetime | None = None) -> dict:
    """Issue a notice for every item without an open one; the others are skipped (idempotent).

    Returns {"created": [{"id", "number", "key"}], "skipped": [key]}.
    """
    now = now or datetime.now(timezone.utc)
    year = now.astimezone(CHINA_TZ).year
    created, skipped = [], []
    with session_scope() as session:
        writer = authorise(session, actor, now)
        if writer.role != auth.ADMIN:
            raise sv.SupervisionRefused("只有督查办管理员可以交办督办单")
        lock_for_write(session, "supervision_issue")  # numbers and open keys are read, then written
        open_keys = set(session.execute(select(m.SupervisionNotice.open_item_key).where(
            m.SupervisionNotice.open_item_key.is_not(None))).scalars())
        seq = session.execute(select(func.max(m.SupervisionNotice.seq)).where(
            m.SupervisionNotice.year == year)).scalar() or 0
        for item in items:
            key = item.key
            if key in open_keys:
                skipped.append(key)
                continue
            requirement = sv.bounded_text(item.requirement, sv.MAX_REQUIREMENT, "督办要求")
            seq += 1
            notice = m.SupervisionNotice(
                number=sv.notice_number(year, seq), year=year, seq=seq,
                department_id=_department_id(session, item.department), item_kind=item.kind,
                target_id=item.target_id, district_adcode=item.district_adcode, task_id=item.task_id,
                decision_id=item.decision_id, period_code=item.period, item_label=item.label[:200],
                item_status=item.status, item_explanation=item.explanation[:1000], requirement=requirement,
                due_date=item.due, state=sv.PENDING_ACK, open_item_key=key, created_at=now,
                created_by=writer.username, is_demo=is_demo)
            session.add(notice)
            session.flush()
            session.add(m.NoticeEvent(notice_id=notice.id, at=now, user_name=writer.username, action=sv.ISSUE,
                                      to_state=sv.PENDING_ACK, text=requirement))
            open_keys.add(key)
            created.append({"id": notice.id, "number": notice.number, "key": key})
        if created:
            audit(session, writer.username, "notice_issue", count=len(created),
                  numbers=[c["number"] for c in created][:50], skipped=len(skipped))
    return {"created": created, "skipped": skipped}


# --- Transitions ------------------------------------------------------------------------------------


def transition(actor: Actor, notice_id: int, action: str, text: str = "", files: list[CheckedFile] = (),
               now: datetime | None = None) -> dict:
    """签收, 反馈 (with evidence), 销号 or 退回 one notice; refused (nothing written) when not allowed."""
    now = now or datetime.now(timezone.utc)
    if action == sv.REPLY:
        text = sv.bounded_text(text, sv.MAX_REPLY, "反馈内容")
    elif action == sv.RETURN:
        text = sv.bounded_text(text, sv.MAX_REASON, "退回理由")
    else:
        text = sv.bounded_text(text, sv.MAX_NOTE, "意见", required=False)
    if files and action != sv.REPLY:
        raise sv.SupervisionRefused("佐证材料只能随反馈提交")
    with session_scope() as session:
        writer = authorise(session, actor, now)
        notice = session.execute(select(m.SupervisionNotice).where(m.SupervisionNotice.id == int(notice_id))
                                 .with_for_update()).scalar()
        if notice is None:
            raise sv.SupervisionRefused(f"没有编号为 {notice_id} 的督办单")
        dept = session.get(m.Department, notice.department_id).name
        problem = sv.transition_problem(action, notice.state, writer.role, writer.department, dept)
        if problem:
            raise sv.SupervisionRefused(f"{notice.number}：{problem}")
        before, after = notice.state, sv.next_state(action)
        notice.state = after
        if action == sv.ACK:
            notice.acknowledged_at, notice.acknowledged_by = now, writer.username
        elif action == sv.REPLY:
            notice.replied_at, notice.replied_by, notice.reply_text = now, writer.username, text
        elif action == sv.CLOSE:
            notice.closed_at, notice.closed_by, notice.open_item_key = now, writer.username, None
        elif action == sv.RETURN:
            notice.returned_count += 1
            notice.return_reason = text
        event = m.NoticeEvent(notice_id=notice.id, at=now, user_name=writer.username, action=action,
                              from_state=before, to_state=after, text=text)
        session.add(event)
        session.flush()
        file_ids = evidence.add_files(session, list(files), owner_kind=evidence.NOTICE_REPLY, owner_id=event.id,
                                      by=writer.username, notice_id=notice.id,
                                      department_id=notice.department_id) if files else []
        audit(session, writer.username, f"notice_{action}", number=notice.number, from_state=before,
              to_state=after, files=[f.sha256 for f in files])
        return {"id": notice.id, "number": notice.number, "state": after, "evidence_ids": file_ids}


# --- 催办 and contacts ------------------------------------------------------------------------------


def record_reminder(actor: Actor, department: str, period: str | None = None, notice_id: int | None = None,
                    note: str = "", now: datetime | None = None, is_demo: bool = False) -> int:
    now = now or datetime.now(timezone.utc)
    note = sv.bounded_text(note, sv.MAX_NOTE, "催办说明", required=False)
    with session_scope() as session:
        writer = authorise(session, actor, now)
        if writer.role != auth.ADMIN:
            raise sv.SupervisionRefused("只有督查办管理员可以催办")
        dept_id = _department_id(session, department)
        if notice_id is not None:
            notice = session.get(m.SupervisionNotice, int(notice_id))
            if notice is None or notice.department_id != dept_id:
                raise sv.SupervisionRefused("督办单与被催办部门不符")
            session.add(m.NoticeEvent(notice_id=notice.id, at=now, user_name=writer.username, action=sv.REMIND,
                                      from_state=notice.state, to_state=notice.state, text=note))
        row = m.Reminder(at=now, user_name=writer.username, department_id=dept_id, period_code=period,
                         notice_id=notice_id, note=note, is_demo=is_demo)
        session.add(row)
        session.flush()
        audit(session, writer.username, "remind", department=department, period=period or "",
              notice_id=notice_id or "", note=note)
        return row.id


def set_contact(actor: Actor, department: str, person: str, phone: str, is_demo: bool = False) -> None:
    person = sv.bounded_text(person, 40, "联系人", required=False)
    phone = sv.bounded_text(phone, 40, "电话", required=False)
    with session_scope(home_engine()) as session:  # the office's contacts: one list, in the home database
        writer = authorise(session, actor)
        if writer.role != auth.ADMIN:
            raise sv.SupervisionRefused("只有督查办管理员可以修改联系人")
        dept_id = _department_id(session, department)
        row = session.get(m.DepartmentContact, dept_id)
        if row is None:
            session.add(m.DepartmentContact(department_id=dept_id, person=person, phone=phone,
                                            updated_by=writer.username, is_demo=is_demo))
        else:
            row.person, row.phone, row.updated_by, row.updated_at = person, phone, writer.username, m.utcnow()
            row.is_demo = is_demo
        audit(session, writer.username, "contact_set", department=department, person=person, phone=phone)


# --- Demo -------------------------------------------------------------------------------------------


def clear_demo_supervision(session: Session) -> int:
    """Inside the demo clear's transaction: every demo notice with its events, files and reminders."""
    ids = select(m.SupervisionNotice.id).where(m.SupervisionNotice.is_demo)
    for model in (m.EvidenceFile, m.NoticeEvent, m.Reminder):
        session.execute(model.__table__.delete().where(model.notice_id.in_(ids)))
    session.execute(m.Reminder.__table__.delete().where(m.Reminder.is_demo))
    session.execute(m.DepartmentContact.__table__.delete().where(m.DepartmentContact.is_demo))
    return session.execute(m.SupervisionNotice.__table__.delete().where(m.SupervisionNotice.is_demo)).rowcount


DEMO_USER = "演示数据"


def _demo_pdf() -> bytes:
    """A small valid PDF standing in for a scanned 整改方案 (ASCII text: no font needed)."""
    text = b"BT /F1 14 Tf 72 720 Td (Demo evidence - yanshi shuju - not a real document) Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def load_demo(period: str) -> int:
    """Demo notices: red items of `period` (the last demo quarter) and yellow ones of the quarter before
    (the last quarter of the plan has no 预警 left) in every state, one 临期提醒 on an item on track,
    a demo contact and a few 催办 of departments that did not report `period`."""
    from core import overview
    from core.overview import expected_reporters
    from core.periods import period_from_code
    from db import overview_reads

    def target_statuses(code: str):
        return overview.target_statuses(queries.targets(), queries.current_values(up_to_period=code, city_only=True),
                                        code)

    def task_statuses(code: str):
        return overview.task_statuses(queries.tasks(), queries.current_progress(up_to_period=code), code)

    before = period_from_code(period).previous().code
    reds = sv.bulk_candidates(target_statuses(period), task_statuses(period), set())
    reds = reds[reds["colour"] == sv.RED].sort_values("key").assign(period=period)
    earlier = target_statuses(before)
    yellows = sv.bulk_candidates(earlier, task_statuses(before), set())
    yellows = yellows[(yellows["colour"] == sv.YELLOW) & ~yellows["key"].isin(reds["key"])].assign(period=before)
    # Yellow items where the plan keeps a notice open and within its time (slots 3 and 7).
    order = [*reds.head(2).to_dict("records"), *yellows.head(1).to_dict("records"),
             *reds.iloc[2:5].to_dict("records"), *yellows.iloc[1:2].to_dict("records"),
             *reds.iloc[5:].to_dict("records")]
    candidates = pd.DataFrame(order)
    calm = earlier[(earlier["status"] == "正常") & ~earlier["target_id"].isin(
        [*reds["target_id"].dropna(), *yellows["target_id"].dropna()])].head(1)
    calm_item = None if calm.empty else {
        "key": sv.item_key(sv.TARGET, calm["target_id"].iloc[0]), "kind": sv.TARGET,
        "target_id": calm["target_id"].iloc[0], "task_id": None, "department": calm["lead_department"].iloc[0],
        "label": f"{calm['target_id'].iloc[0]} {calm['name'].iloc[0]}", "status": "正常",
        "explanation": calm["explanation"].iloc[0], "colour": sv.BLUE, "period": before}
    plans = sv.demo_notices(candidates, calm_item, datetime.now(timezone.utc))
    reported = overview_reads.reports_by_department()
    done = set(reported.loc[reported["period_code"] == period, "department"])
    expected = expected_reporters(queries.targets(), queries.task_departments())
    missing = [d for d in expected if d not in done][:2]
    return load_demo_supervision(plans, expected[0] if expected else None, period, missing)


def load_demo_supervision(plans: list[dict], contact_department: str | None, reminder_period: str,
                          reminder_departments: list[str]) -> int:
    """Write the demo notices of core.supervision.demo_notices with their whole history, a demo contact
    and a few 催办, all flagged is_demo. A system write (like the rest of the demo load): no account."""
    from core.evidence import check_file

    pdf = check_file("整改方案（演示数据）.pdf", _demo_pdf())
    with session_scope() as session:
        if session.execute(select(m.SupervisionNotice.id).where(m.SupervisionNotice.is_demo).limit(1)).first():
            return 0
        seq_by_year: dict[int, int] = {}
        overdue_notice = None
        for p in plans:
            created = p["created_at"]
            year = created.astimezone(CHINA_TZ).year
            if year not in seq_by_year:
                seq_by_year[year] = session.execute(select(func.max(m.SupervisionNotice.seq)).where(
                    m.SupervisionNotice.year == year)).scalar() or 0
            seq_by_year[year] += 1
            seq = seq_by_year[year]
            dept_id = _department_id(session, p["department"])
            key = sv.item_key(p["kind"], p["target_id"] if p["kind"] == sv.TARGET else p["task_id"])
            n = m.SupervisionNotice(
                number=sv.notice_number(year, seq), year=year, seq=seq, department_id=dept_id, item_kind=p["kind"],
                target_id=p["target_id"] if p["kind"] == sv.TARGET else None,
                task_id=p["task_id"] if p["kind"] == sv.TASK else None, period_code=p.get("period"),
                item_label=p["label"], item_status=p["status"], item_explanation=p["explanation"],
                requirement=p["requirement"], due_date=p["due"], state=p["state"],
                open_item_key=None if p["state"] == sv.CLOSED else key, created_at=created, created_by=DEMO_USER,
                is_demo=True)
            session.add(n)
            session.flush()
            events = [(created, sv.ISSUE, "", sv.PENDING_ACK, p["requirement"])]
            if p["acknowledged_at"]:
                n.acknowledged_at, n.acknowledged_by = p["acknowledged_at"], DEMO_USER
                events.append((p["acknowledged_at"], sv.ACK, sv.PENDING_ACK, sv.IN_PROGRESS, ""))
            if p["returned"]:
                first = p["acknowledged_at"] + timedelta(days=3)
                events += [(first, sv.REPLY, sv.IN_PROGRESS, sv.PENDING_VERIFY, p["reply_text"] or "初次反馈"),
                           (first + timedelta(days=1), sv.RETURN, sv.PENDING_VERIFY, sv.IN_PROGRESS,
                            p["return_reason"])]
                n.returned_count, n.return_reason = 1, p["return_reason"]
                n.replied_at, n.replied_by, n.reply_text = first, DEMO_USER, p["reply_text"] or "初次反馈"
            if p["replied_at"]:
                reply_at = max(p["replied_at"], events[-1][0] + timedelta(hours=2))
                n.replied_at, n.replied_by, n.reply_text = reply_at, DEMO_USER, p["reply_text"]
                events.append((reply_at, sv.REPLY, sv.IN_PROGRESS, sv.PENDING_VERIFY, p["reply_text"]))
            if p["closed_at"]:
                closed_at = max(p["closed_at"], events[-1][0] + timedelta(hours=2))
                n.closed_at, n.closed_by = closed_at, DEMO_USER
                events.append((closed_at, sv.CLOSE, sv.PENDING_VERIFY, sv.CLOSED, ""))
            for at, action, before, after, text in events:
                event = m.NoticeEvent(notice_id=n.id, at=at, user_name=DEMO_USER, action=action,
                                      from_state=before, to_state=after, text=text)
                session.add(event)
                if action == sv.REPLY:
                    session.flush()
                    evidence.add_files(session, [pdf], owner_kind=evidence.NOTICE_REPLY, owner_id=event.id,
                                       by=DEMO_USER, notice_id=n.id, department_id=dept_id)
            if overdue_notice is None and p["state"] != sv.CLOSED and p["due"] < datetime.now(CHINA_TZ).date():
                overdue_notice = n
        now = datetime.now(timezone.utc)
        if overdue_notice is not None:
            note = f"{sv.DEMO_TAG}电话催办，请尽快反馈办理情况"
            session.add(m.Reminder(at=now - timedelta(days=2), user_name=DEMO_USER,
                                   department_id=overdue_notice.department_id, notice_id=overdue_notice.id,
                                   note=note, is_demo=True))
            session.add(m.NoticeEvent(notice_id=overdue_notice.id, at=now - timedelta(days=2), user_name=DEMO_USER,
                                      action=sv.REMIND, from_state=overdue_notice.state,
                                      to_state=overdue_notice.state, text=note))
        for i, dept in enumerate(reminder_departments):
            session.add(m.Reminder(at=now - timedelta(days=5 - i), user_name=DEMO_USER,
                                   department_id=_department_id(session, dept), period_code=reminder_period,
                                   note=f"{sv.DEMO_TAG}{reminder_period} 数据未报齐，已电话催报", is_demo=True))
        if contact_department:
            session.add(m.DepartmentContact(department_id=_department_id(session, contact_department),
                                            person="演示联系人", phone="（演示数据，非真实号码）",
                                            updated_by=DEMO_USER, is_demo=True))
        return len(plans)


# --- Reads ------------------------------------------------------------------------------------------

_NOTICE_TIMES = ("created_at", "acknowledged_at", "replied_at", "closed_at")


def notices(period: str | None = None, department: str | None = None, state: str | None = None,
            notice_id: int | None = None) -> pd.DataFrame:
    """Every notice (newest first) with its department, item, evidence and 催办 counts."""
    clauses, params = [], {}
    for col, name, value in (("n.period_code", "period", period), ("d.name", "dept", department),
                             ("n.state", "state", state), ("n.id", "nid", notice_id)):
        if value is not None:
            clauses.append(f"{col} = :{name}")
            params[name] = value
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    df = _frame(f"""
        SELECT n.id, n.number, n.year, n.seq, d.name AS department, n.item_kind, n.target_id, n.district_adcode,
               ds.name AS district, n.task_id, n.decision_id, dc.meeting_snapshot_id, n.period_code, n.item_label,
               n.item_status, n.item_explanation, n.requirement, n.due_date, n.state, n.created_at, n.created_by,
               n.acknowledged_at, n.acknowledged_by, n.replied_at, n.replied_by, n.reply_text, n.closed_at,
               n.closed_by, n.returned_count, n.return_reason, n.is_demo,
               (SELECT COUNT(*) FROM evidencefile e WHERE e.notice_id = n.id) AS evidence_count,
               (SELECT COUNT(*) FROM reminder r WHERE r.notice_id = n.id) AS reminder_count
        FROM supervisionnotice n JOIN department d ON d.id = n.department_id
        LEFT JOIN district ds ON ds.adcode = n.district_adcode
        LEFT JOIN decision dc ON dc.id = n.decision_id
        {where}
        ORDER BY n.year DESC, n.seq DESC""", **params)
    for col in _NOTICE_TIMES:
        df[col] = pd.to_datetime(df[col], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    df["due_date"] = pd.to_datetime(df["due_date"]).dt.date
    df["is_demo"] = df["is_demo"].astype(bool)
    df["meeting_snapshot_id"] = df["meeting_snapshot_id"].astype("Int64")
    return df


def notice_events(notice_id: int) -> pd.DataFrame:
    return _frame("""SELECT id, at, user_name, action, from_state, to_state, text FROM noticeevent
                     WHERE notice_id = :nid ORDER BY at, id""", nid=int(notice_id))


def open_item_keys() -> set[str]:
    df = _frame("SELECT open_item_key FROM supervisionnotice WHERE open_item_key IS NOT NULL")
    return set(df["open_item_key"])


def reminders(period: str | None = None) -> pd.DataFrame:
    where = "WHERE r.period_code = :period" if period else ""
    return _frame(f"""
        SELECT r.id, r.at, r.user_name, d.name AS department, r.period_code, r.notice_id, n.number, r.note, r.is_demo
        FROM reminder r JOIN department d ON d.id = r.department_id
        LEFT JOIN supervisionnotice n ON n.id = r.notice_id {where}
        ORDER BY r.at DESC, r.id DESC""", **({"period": period} if period else {}))


def contacts() -> pd.DataFrame:
    """Stored contacts (the office's edits); departments without one are not listed."""
    df = _frame_on(home_engine(), """
        SELECT d.name AS department, c.person, c.phone, c.updated_by, c.updated_at, c.is_demo
        FROM departmentcontact c JOIN department d ON d.id = c.department_id ORDER BY d.sort_order""")
    df["is_demo"] = df["is_demo"].astype(bool)
    return df


def decisions_with_notice() -> pd.DataFrame:
    return _frame("SELECT decision_id, id AS notice_id, number FROM supervisionnotice WHERE decision_id IS NOT NULL")
