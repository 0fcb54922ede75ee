"""督办事项: the one door the page, the CLI, the demo loader and other pages use.

Orchestration (prepare → check → preview → commit), read-models with colours, 我的待办, 催办 and its
notice, the follow-up numbers for the next meeting's deck. Writes are authorised again inside their
transaction by db.supervision; files are checked and hashed here, before that transaction opens.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pandas as pd

from core import auth
from core import supervision as sv
from core.evidence import EvidenceRefused
from core.paths import CONTACTS_FILE
from core.periods import period_from_code
from core.settings import load_settings
from core.spreadsheet_safety import neutralise
from core.status import evaluate_targets
from core.timeutil import CHINA_TZ
from db import catalogue_versions, meetings, overview_reads, queries
from db import supervision as db
from db.supervision import CLI, WEB, Actor, NewNotice
from services import status as status_reads  # the cached status read-models
from services.evidence import check_uploads

Refused = sv.SupervisionRefused

__all__ = ["Actor", "CLI", "WEB", "Refused", "EvidenceRefused"]


def _read(func, *args):
    """Cached by data version (services.cache): the status read-models are cached already."""
    from services import cache

    return func(*args) if hasattr(func, "uncached") else cache.read(func, *args)


def today() -> date:
    return datetime.now(CHINA_TZ).date()


def default_due(start: date | None = None) -> date:
    return (start or today()) + timedelta(days=sv.load_supervision_settings().due_days)


# --- Read-models ------------------------------------------------------------------------------------


def with_colours(notices: pd.DataFrame, on: date | None = None) -> pd.DataFrame:
    """Colour (三色) and overdue flag of each notice as of `on` (today)."""
    on = on or today()
    soon = load_settings().due_soon_days
    out = notices.copy()
    out["colour"] = [sv.notice_colour(s, d, on, st, soon)
                     for s, d, st in zip(out["item_status"], out["due_date"], out["state"])]
    out["overdue"] = [sv.is_overdue(st, d, on) for st, d in zip(out["state"], out["due_date"])]
    out["state_shown"] = [f"{st}（退回 {n} 次）" if n and st == sv.IN_PROGRESS else st
                          for st, n in zip(out["state"], out["returned_count"])]
    return out


def list_notices(period: str | None = None, department: str | None = None, state: str | None = None,
                 colour: str | None = None, overdue: bool | None = None, on: date | None = None) -> pd.DataFrame:
    df = with_colours(_read(db.notices, period, department, state), on)
    if colour is not None:
        df = df[df["colour"] == colour]
    if overdue is not None:
        df = df[df["overdue"] == overdue]
    return df.reset_index(drop=True)


def notices_for(identity: auth.Identity | None, **filters) -> pd.DataFrame:
    """What an account sees: the office every notice, a 填报员 its department's, others none."""
    if identity is None:
        return list_notices(period="__none__")
    if identity.role == auth.ADMIN:
        return list_notices(**filters)
    if identity.role == auth.REPORTER and identity.department:
        return list_notices(**{**filters, "department": identity.department})
    return list_notices(period="__none__")


def notice(notice_id: int) -> pd.Series | None:
    df = with_colours(_read(db.notices, None, None, None, int(notice_id)))
    return None if df.empty else df.iloc[0]


def notice_events(notice_id: int) -> pd.DataFrame:
    return _read(db.notice_events, int(notice_id))


def notice_evidence(notice_id: int) -> pd.DataFrame:
    from db import evidence as evidence_db

    return _read(evidence_db.evidence_list, int(notice_id))


def summary(notices: pd.DataFrame) -> dict:
    return sv.summary(notices)


def list_rows(notices: pd.DataFrame) -> list[dict]:
    """The CLI's `supervision list` rows."""
    def stamp(v):
        return None if v is None or pd.isna(v) else v.isoformat(timespec="seconds")

    return [{"id": int(r["id"]), "number": r["number"], "colour": r["colour"], "state": r["state"],
             "department": r["department"], "item": r["item_label"], "period": r["period_code"],
             "due": r["due_date"].isoformat(), "created": stamp(r["created_at"]),
             "acknowledged": stamp(r["acknowledged_at"]), "replied": stamp(r["replied_at"]),
             "closed": stamp(r["closed_at"]), "overdue": bool(r["overdue"]), "reminders": int(r["reminder_count"]),
             "is_demo": bool(r["is_demo"])} for r in notices.to_dict("records")]


# --- Issuing ----------------------------------------------------------------------------------------


def bulk_preview(period: str) -> pd.DataFrame:
    """Every 预警/滞后/未完成/逾期 item of the period; already_open ones will be skipped."""
    return sv.bulk_candidates(_read(status_reads.target_statuses, period), _read(status_reads.task_statuses, period),
                              _read(db.open_item_keys))


def issue_bulk(actor: Actor, period: str, due: date | None = None, dry_run: bool = False) -> dict:
    """为本期所有预警、滞后、逾期事项生成督办单: idempotent, one notice per item without an open one."""
    _check_period(period)
    preview = bulk_preview(period)
    due = due or default_due()
    fresh = preview[~preview["already_open"]]
    out = {"period": period, "dry_run": dry_run, "candidates": len(preview),
           "colours": {c: int((preview["colour"] == c).sum()) for c in (sv.RED, sv.YELLOW)},
           "already_open": int(preview["already_open"].sum()), "to_issue": len(fresh), "due": due.isoformat(),
           "created": 0, "numbers": []}
    if dry_run:
        out["items"] = fresh[["label", "department", "status", "colour"]].to_dict("records")
        return out
    items = [NewNotice(kind=r["kind"], department=r["department"], due=due, label=r["label"], status=r["status"],
                       explanation=r["explanation"],
                       # a task row has no target: pandas gives NaN, which SQLite stores as NULL but PostgreSQL
                       # takes as the text "NaN" (a foreign key to no target)
                       target_id=None if pd.isna(r["target_id"]) else (r["target_id"] or None),
                       task_id=None if pd.isna(r["task_id"]) else int(r["task_id"]), period=period,
                       requirement=sv.default_requirement(r["label"], r["status"], r["explanation"], period))
             for r in fresh.to_dict("records")]
    result = db.issue_notices(actor, items)
    out["created"] = len(result["created"])
    out["already_open"] += len(result["skipped"])  # issued meanwhile by someone else
    out["numbers"] = [c["number"] for c in result["created"]]
    return out


def issue_for_item(actor: Actor, kind: str, item_id, period: str, *, district: str | None = None,
                   department: str | None = None, due: date | None = None, requirement: str = "") -> dict:
    """One notice about a target (optionally one district's value) or a task, with its status in `period`."""
    _check_period(period)
    if kind == sv.TARGET:
        targets = _read(catalogue_versions.targets_at, period).set_index("id")  # as in force at the period
        if item_id not in targets.index:
            raise Refused(f"没有指标 {item_id}")
        t = targets.loc[item_id]
        st = _read(status_reads.target_statuses, period).set_index("target_id").loc[item_id]
        label, lead = f"{item_id} {t['name']}", t["lead_department"]
        if district:
            names = dict(_read(queries.districts)[["adcode", "name"]].values)
            if district not in names or not bool(t["district_breakdown"]):
                raise Refused(f"指标 {item_id} 没有区县“{district}”的数据项")
            label += f"（{names[district]}）"
            # That district's own status, judged like the district map does.
            st = evaluate_targets(targets.loc[[item_id]].reset_index(), _read(queries.current_values, period, item_id),
                                  period, district_level=True, units=[district]).iloc[0]
        item = dict(target_id=item_id, district_adcode=district)
    elif kind == sv.TASK:
        tasks = _read(catalogue_versions.tasks_at, period).set_index("id")
        if int(item_id) not in tasks.index:
            raise Refused(f"没有任务 {item_id}")
        t = tasks.loc[int(item_id)]
        st = _read(status_reads.task_statuses, period).set_index("task_id").loc[int(item_id)]
        label, lead = f"任务{int(item_id)} {t['title']}", t["lead_department"]
        item = dict(task_id=int(item_id))
    else:
        raise Refused("只能对指标或任务交办；会议决定请用 issue_from_decision")
    text = requirement.strip() or sv.default_requirement(label, st["status"], st["explanation"], period)
    new = NewNotice(kind=kind, department=department or lead, requirement=text, due=due or default_due(),
                    label=label, status=st["status"], explanation=st["explanation"], period=period, **item)
    return _one(db.issue_notices(actor, [new]), new.key)


def issue_from_decision(actor: Actor, decision_id: int, department: str, due: date, requirement: str = "") -> dict:
    """A meeting's 决定/批示 becomes a 督办单 with an owner and a due date (actor: the identity with its
    session token, as every write here takes it)."""
    decisions = _read(meetings.all_decisions).set_index("id")
    if int(decision_id) not in decisions.index:
        raise Refused(f"没有编号为 {decision_id} 的会议决定")
    d = decisions.loc[int(decision_id)]
    label = f"{d['kind']}：{d['text'][:60]}（任务{int(d['task_id'])}）"
    new = NewNotice(kind=sv.DECISION, department=department, due=due, label=label, decision_id=int(decision_id),
                    task_id=int(d["task_id"]), requirement=requirement.strip() or f"落实会议{d['kind']}：{d['text']}")
    return _one(db.issue_notices(actor, [new]), new.key)


def _one(result: dict, key: str) -> dict:
    if not result["created"]:
        raise Refused("该事项已有未销号的督办单，不再重复交办")
    return result["created"][0]


def _check_period(period: str) -> None:
    known = list(_read(queries.periods)["code"])
    if period not in known:
        raise Refused(f"不是报告期：{period}")


# --- The loop ---------------------------------------------------------------------------------------


def act(actor: Actor, notice_id: int, action: str, text: str = "",
        files: list[tuple[str, bytes]] = ()) -> dict:
    """签收 / 反馈 (with files) / 销号 / 退回. Files are checked and hashed before the write opens."""
    if action not in sv.TRANSITIONS:
        raise Refused(f"未知的操作：{action}（可用 ack、reply、close、return）")
    checked = check_uploads(list(files)) if files else []
    return db.transition(actor, int(notice_id), action, text, checked)


def remind(actor: Actor, department: str, period: str | None = None, notice_id: int | None = None,
           note: str = "") -> int:
    return db.record_reminder(actor, department, period, notice_id, note)


def set_contact(actor: Actor, department: str, person: str, phone: str) -> None:
    db.set_contact(actor, department, person, phone)


# --- 我的待办 ---------------------------------------------------------------------------------------


def my_todo(identity: auth.Identity | None) -> dict:
    """What waits for this account: lists of dicts the panel shows and `count` for the sidebar."""
    out = {"periods_to_report": [], "returned": [], "open_notices": [], "to_review": [], "to_verify": [],
           "overdue": [], "count": 0}
    if identity is None:
        return out
    notices = notices_for(identity)
    open_ = notices[notices["state"].isin(sv.OPEN_STATES)]
    if identity.role == auth.ADMIN:
        subs = _read(queries.submissions, None)
        pending = subs[subs["state"] == "pending"]
        out["to_review"] = [{"id": int(r["id"]), "department": r["department"], "period": r["period_code"],
                             "at": r["created_at"]} for r in pending.to_dict("records")]
        out["to_verify"] = _notice_rows(open_[open_["state"] == sv.PENDING_VERIFY])
        out["overdue"] = _notice_rows(open_[open_["overdue"]])
        out["count"] = len(out["to_review"]) + len(out["to_verify"]) + len(out["overdue"])
        return out
    if identity.role != auth.REPORTER or not identity.department:
        return out
    dept = identity.department
    out["periods_to_report"] = periods_to_report(dept)
    subs = _read(queries.submissions, dept)
    returned = subs[subs["state"] == "returned"]
    out["returned"] = [{"id": int(r["id"]), "period": r["period_code"], "reason": r["review_reason"],
                        "by": r["reviewed_by"]} for r in returned.to_dict("records")]
    mine = open_[open_["state"].isin((sv.PENDING_ACK, sv.IN_PROGRESS))]
    out["open_notices"] = _notice_rows(mine)
    out["count"] = len(out["periods_to_report"]) + len(out["returned"]) + len(out["open_notices"])
    return out


def todo_count(identity: auth.Identity | None) -> int:
    return my_todo(identity)["count"] if identity is not None else 0


def _notice_rows(df: pd.DataFrame) -> list[dict]:
    if df.empty:  # a plan without any 督办单 yet gives a frame without the derived columns
        return []
    return [{"id": int(r["id"]), "number": r["number"], "department": r["department"], "item": r["item_label"],
             "state": r["state_shown"], "due": r["due_date"], "colour": r["colour"], "overdue": bool(r["overdue"])}
            for r in df.sort_values("due_date").to_dict("records")]


def periods_to_report(department: str, on: date | None = None) -> list[dict]:
    """Periods whose 报送截止 has come (or that have ended) without a counted report from the department."""
    on = on or today()
    periods = _read(queries.periods)
    reported = _read(overview_reads.reports_by_department)
    done = set(reported.loc[reported["department"] == department, "period_code"])
    out = []
    for r in periods.to_dict("records"):
        end = pd.to_datetime(r["end_date"]).date()
        if end <= on and r["code"] not in done:
            out.append({"period": r["code"], "deadline": pd.to_datetime(r["deadline"]).date()})
    return out


# --- 催办 ---------------------------------------------------------------------------------------------


def contacts_table() -> pd.DataFrame:
    """Every department of data/contacts.csv with the office's stored contact (empty when none)."""
    with CONTACTS_FILE.open(encoding="utf-8") as f:
        base = pd.DataFrame(list(csv.DictReader(f)))
    base = base.rename(columns={"联系人": "person", "电话": "phone"})
    stored = _read(db.contacts).set_index("department")
    for col in ("person", "phone"):
        base[col] = [stored[col].get(d) if d in stored.index and stored[col].get(d) else (v or "")
                     for d, v in zip(base["department"], base[col])]
    base["is_demo"] = [bool(stored["is_demo"].get(d, False)) for d in base["department"]]
    return base[["department", "person", "phone", "is_demo"]]


def owed(period: str) -> pd.DataFrame:
    """Per department, the cells it owes for `period`: expected, received, missing (listed), with contact
    and how often it was chased for the period."""
    _check_period(period)
    districts = _read(queries.districts)
    names = dict(zip(districts["adcode"], districts["name"]))
    expected = sv.expected_cells(_read(queries.targets), _read(queries.task_departments), list(districts["name"]))
    values = _read(queries.current_values_of, period)  # one period's rows, cached: not all 40 quarters' each run
    values = values[values["value"].notna()]
    progress = _read(queries.current_progress, period)
    progress = progress[progress["period_code"] == period]
    received = pd.concat([
        pd.DataFrame({"kind": "指标", "item": values["target_id"].astype(str),
                      "district": values["district_adcode"].map(lambda a: names.get(a, "") if a else ""),
                      "department": ""}),
        pd.DataFrame({"kind": "任务", "item": progress["task_id"].astype(int).astype(str), "district": "",
                      "department": progress["department"]}),
    ], ignore_index=True)
    out = sv.owed(expected, received)
    contacts = contacts_table().set_index("department")
    out["person"] = out["department"].map(contacts["person"]).fillna("")
    out["phone"] = out["department"].map(contacts["phone"]).fillna("")
    counts = reminder_counts(period)
    out["reminders"] = out["department"].map(counts).fillna(0).astype(int)
    return out


def reminder_counts(period: str | None = None) -> dict[str, int]:
    """催办 per department (for the scorecard: call with the period shown there)."""
    r = _read(db.reminders, period)
    return {str(k): int(v) for k, v in r.groupby("department").size().items()}


def reminder_log(period: str | None = None) -> pd.DataFrame:
    return _read(db.reminders, period)


def reminder_notice_rows(period: str, departments: list[str] | None = None) -> list[dict]:
    """The 催办通知's data (also for the docx builder): one row per department that owes cells."""
    table = owed(period)
    table = table[table["missing"] > 0]
    if departments:
        table = table[table["department"].isin(departments)]
    settings = load_settings()
    deadline = period_from_code(period).deadline(settings.deadline_days)
    return [{"department": r["department"], "period": period, "deadline": deadline.isoformat(),
             "expected": int(r["expected"]), "received": int(r["received"]), "missing": int(r["missing"]),
             "missing_cells": r["missing_cells"], "person": r["person"], "phone": r["phone"],
             "reminders": int(r["reminders"])} for r in table.to_dict("records")]


def reminder_notice_xlsx(period: str, departments: list[str] | None = None) -> bytes:
    """催办通知 (xlsx): a heading, the request, one row per department; every text cell formula-safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    rows = reminder_notice_rows(period, departments)
    demo = bool(_read(queries.demo_present))
    wb = Workbook()
    ws = wb.active
    ws.title = "催办通知"
    title = f"催办通知（{period}）" + ("【演示数据】" if demo else "")
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    deadline = rows[0]["deadline"] if rows else period_from_code(period).deadline(load_settings().deadline_days)
    ws.append([f"下列单位 {period} 的进度数据尚未报齐（报送截止 {deadline}）。请于接到通知后尽快通过“进度填报”"
               "补报；如有困难，请与市质量强市工作督查办公室联系。"])
    ws.append([f"生成时间：{datetime.now(CHINA_TZ):%Y-%m-%d %H:%M}（北京时间）"])
    ws.append([])
    header = ["单位", "应报项", "已报项", "未报项", "未报事项", "联系人", "电话", "已催办次数"]
    ws.append(header)
    for c in ws[5]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([neutralise(v) for v in (r["department"], r["expected"], r["received"], r["missing"],
                                           r["missing_cells"], r["person"], r["phone"], r["reminders"])])
    for col, width in zip("ABCDEFGH", (22, 8, 8, 8, 60, 12, 16, 10)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=6, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    if demo:
        ws.append([])
        ws.append(["本通知依据的进度数据含演示数据（演示数据），并非真实报送。"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- Meetings ---------------------------------------------------------------------------------------


def followup_for_deck(previous_snapshot_id: int | None, on: date | None = None) -> dict:
    """上次会议交办 N 项，已销号 M 项，办理中 K 项，逾期 J 项, the overdue notices, and `rows`: every notice
    as the deck's follow-up slide lists it (number, item, department, status 已销号/办理中/逾期, due), counted
    as sv.followup counts. None of it when there was no earlier meeting."""
    if previous_snapshot_id is None:
        return {"issued": 0, "closed": 0, "in_progress": 0, "overdue": 0, "sentence": "", "overdue_rows": [],
                "rows": []}
    df = with_colours(_read(db.notices), on)
    df = df[df["meeting_snapshot_id"] == int(previous_snapshot_id)]
    out = sv.followup(df)
    out["overdue_rows"] = _notice_rows(df[df["overdue"]])
    out["rows"] = [{"number": r["number"], "item": r["item_label"], "department": r["department"],
                    "status": "已销号" if r["state"] == sv.CLOSED else "逾期" if r["overdue"] else "办理中",
                    "due": r["due_date"].isoformat()}
                   for r in df.sort_values("number").to_dict("records")]
    return out


def decisions_for_issue() -> pd.DataFrame:
    """Recorded decisions and whether each already became a notice."""
    decided = _read(meetings.all_decisions)
    linked = _read(db.decisions_with_notice).drop_duplicates("decision_id", keep="last").set_index("decision_id")
    decided = decided.copy()
    decided["notice_number"] = decided["id"].map(linked["number"]) if not linked.empty else None
    return decided


def period_codes() -> list[str]:
    return list(_read(queries.periods)["code"])


def notice_document(notice_id: int) -> dict | None:
    """The 督办单's content for a document (the docx builder of the documents issue): every field it prints."""
    n = notice(notice_id)
    if n is None:
        return None
    return {"number": n["number"], "department": n["department"], "item_kind": sv.ITEM_KIND_LABELS[n["item_kind"]],
            "item": n["item_label"], "period": n["period_code"], "item_status": n["item_status"],
            "item_explanation": n["item_explanation"], "requirement": n["requirement"],
            "due": n["due_date"].isoformat(), "issued_at": n["created_at"].strftime("%Y-%m-%d"),
            "issued_by": n["created_by"], "colour": n["colour"], "state": n["state"],
            "reminders": int(n["reminder_count"]), "is_demo": bool(n["is_demo"])}
