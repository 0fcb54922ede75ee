"""督办事项 without the database: states and who may move them, colours, numbers, bulk selection, counts.

A notice (督办单) goes 待签收 → 办理中 (签收 by its department) → 待核验 (反馈 with evidence) →
已销号 (the office verifies and closes), or from 待核验 back to 办理中 (退回 with a reason).
db.supervision applies these rules inside its write transaction; pages and the CLI ask the same
functions to decide which buttons to offer. Pure logic: no streamlit, no database.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd

from core.auth import ADMIN, REPORTER
from core.paths import SETTINGS_FILE
from core.status import GOOD_LABELS, RED_LABELS, WARNING

# --- States and transitions ------------------------------------------------------------------------

PENDING_ACK, IN_PROGRESS, PENDING_VERIFY, CLOSED = "待签收", "办理中", "待核验", "已销号"
STATES = (PENDING_ACK, IN_PROGRESS, PENDING_VERIFY, CLOSED)
OPEN_STATES = (PENDING_ACK, IN_PROGRESS, PENDING_VERIFY)

ISSUE, ACK, REPLY, CLOSE, RETURN, REMIND = "issue", "ack", "reply", "close", "return", "remind"
ACTION_LABELS = {ISSUE: "交办", ACK: "签收", REPLY: "反馈", CLOSE: "销号", RETURN: "退回", REMIND: "催办"}
# action: (states it may start from, state it leads to, who may take it)
TRANSITIONS = {
    ACK: ((PENDING_ACK,), IN_PROGRESS, "department"),
    REPLY: ((IN_PROGRESS,), PENDING_VERIFY, "department"),
    CLOSE: ((PENDING_VERIFY,), CLOSED, "office"),
    RETURN: ((PENDING_VERIFY,), IN_PROGRESS, "office"),
}

# Bounds of every text a notice carries (characters).
MAX_REQUIREMENT = 1000
MAX_REPLY = 2000
MAX_REASON = 500
MAX_NOTE = 500

TARGET, TASK, DECISION = "target", "task", "decision"
ITEM_KIND_LABELS = {TARGET: "指标", TASK: "任务", DECISION: "会议决定"}


class SupervisionRefused(ValueError):
    """The step is not allowed; the message is Chinese and nothing was written."""


@dataclass(frozen=True)
class SupervisionSettings:
    number_prefix: str = "湛质督"
    due_days: int = 15


@lru_cache(maxsize=4)
def load_supervision_settings(path: Path = SETTINGS_FILE) -> SupervisionSettings:
    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("supervision", {})
    d = SupervisionSettings()
    return SupervisionSettings(str(raw.get("number_prefix", d.number_prefix)), int(raw.get("due_days", d.due_days)))


def transition_problem(action: str, state: str, role: str, department: str | None,
                       notice_department: str) -> str | None:
    """Why this account may not take `action` on a notice in `state`; None when it may.

    The role rule comes first, so a 填报员 of another department learns the notice is not theirs
    rather than which state it is in.
    """
    if action not in TRANSITIONS:
        return f"未知的操作：{action}"
    sources, _to, who = TRANSITIONS[action]
    label = ACTION_LABELS[action]
    if who == "office" and role != ADMIN:
        return f"只有督查办管理员可以{label}督办单"
    if who == "department":
        if role != REPORTER or department != notice_department:
            return f"该督办单交办给“{notice_department}”，只有该部门的填报员可以{label}"
    if state not in sources:
        if action == CLOSE and state == CLOSED:
            return "该督办单已销号，不能重复销号"
        need = "、".join(sources)
        return f"督办单当前为“{state}”，不能{label}（{label}须在“{need}”时进行）"
    return None


def next_state(action: str) -> str:
    return TRANSITIONS[action][1]


def allowed_actions(state: str, role: str, department: str | None, notice_department: str) -> list[str]:
    """The actions this account may take now (the buttons to offer)."""
    return [a for a in TRANSITIONS if transition_problem(a, state, role, department, notice_department) is None]


def bounded_text(value: str | None, limit: int, what: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise SupervisionRefused(f"请填写{what}")
    if len(text) > limit:
        raise SupervisionRefused(f"{what}最多 {limit} 字，现为 {len(text)} 字，请精简后再提交")
    return text


# --- Colours ---------------------------------------------------------------------------------------

RED, YELLOW, BLUE, NONE = "红", "黄", "蓝", "无"
COLOURS = (RED, YELLOW, BLUE, NONE)
COLOUR_HEX = {RED: "#cf222e", YELLOW: "#d4a72c", BLUE: "#0969da", NONE: "#8c959f"}
COLOUR_MEANINGS = {
    RED: "红色督办：事项滞后、未完成、逾期，或督办单已过办理期限",
    YELLOW: "黄色督办：事项预警（落后于序时进度）",
    BLUE: "蓝色督办：办理期限临近",
    NONE: "无色：已销号，或期限尚远且事项无预警",
}


def notice_colour(item_status: str, due: date, today: date, state: str, due_soon_days: int) -> str:
    """三色督办: 红 over 黄 over 蓝. A closed notice has no colour."""
    if state == CLOSED:
        return NONE
    if today > due or item_status in RED_LABELS:
        return RED
    if item_status == WARNING.label:
        return YELLOW
    if (due - today).days <= due_soon_days:
        return BLUE
    return NONE


def is_overdue(state: str, due: date, today: date) -> bool:
    return state != CLOSED and today > due


# --- Numbers and items -----------------------------------------------------------------------------


def notice_number(year: int, seq: int, prefix: str | None = None) -> str:
    prefix = prefix if prefix is not None else load_supervision_settings().number_prefix
    return f"{prefix}〔{year}〕{seq}号"


def next_seq(used: list[int]) -> int:
    return max(used, default=0) + 1


def item_key(kind: str, item_id, district: str | None = None) -> str:
    """One key per item: an item with an open notice gets no second one."""
    if kind not in ITEM_KIND_LABELS:
        raise SupervisionRefused(f"督办事项类型应为 {'、'.join(ITEM_KIND_LABELS.values())} 之一")
    return f"{kind}:{item_id}" + (f":{district}" if district else "")


BULK_STATUSES = frozenset({WARNING.label, *RED_LABELS})


def bulk_candidates(target_status: pd.DataFrame, task_status: pd.DataFrame, open_keys: set[str]) -> pd.DataFrame:
    """Every 预警/滞后/未完成/逾期 target (whole city) and task of a period, with its lead department,
    its colour at issue, and whether an open notice already covers it (then it is skipped).

    target_status / task_status: core.overview.target_statuses / task_statuses of the period.
    """
    cols = ["key", "kind", "target_id", "task_id", "label", "department", "status", "explanation", "colour",
            "already_open"]
    rows = []
    for r in target_status[target_status["status"].isin(BULK_STATUSES)].to_dict("records"):
        key = item_key(TARGET, r["target_id"])
        rows.append({"key": key, "kind": TARGET, "target_id": r["target_id"], "task_id": None,
                     "label": f"{r['target_id']} {r['name']}", "department": r["lead_department"],
                     "status": r["status"], "explanation": r["explanation"]})
    for r in task_status[task_status["status"].isin(BULK_STATUSES)].to_dict("records"):
        key = item_key(TASK, int(r["task_id"]))
        rows.append({"key": key, "kind": TASK, "target_id": None, "task_id": int(r["task_id"]),
                     "label": f"任务{int(r['task_id'])} {r['title']}", "department": r["lead_department"],
                     "status": r["status"], "explanation": r["explanation"]})
    out = pd.DataFrame(rows, columns=cols[:-2])
    out["colour"] = [RED if s in RED_LABELS else YELLOW for s in out["status"]]
    out["already_open"] = out["key"].isin(open_keys)
    return out[cols]


def default_requirement(label: str, status: str, explanation: str, period: str | None) -> str:
    when = f"（{period}）" if period else ""
    if status in GOOD_LABELS:  # a blue notice on an item on track: a reminder of the deadline, not a fault
        text = (f"{label}{when}状态为“{status}”：{explanation}。办理期限临近，请按期推进，"
                "并附佐证材料反馈办理情况。")
    else:
        text = (f"{label}{when}状态为“{status}”：{explanation}。请于办理期限内查明原因、落实整改措施，"
                "并附佐证材料反馈办理情况。")
    return text[:MAX_REQUIREMENT]


# --- Counts ----------------------------------------------------------------------------------------


def days_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return None
    return (end - start).total_seconds() / 86400


def summary(notices: pd.DataFrame) -> dict:
    """Counts by colour and state, overdue, and the average days to 签收 and to 销号.

    notices: db.supervision.notices() with its colour/overdue columns (services add them).
    """
    def mean_days(a: str, b: str) -> float | None:
        days = [d for d in (days_between(s, e) for s, e in zip(notices[a], notices[b])) if d is not None]
        return round(sum(days) / len(days), 1) if days else None

    return {
        "total": len(notices),
        "colours": {c: int((notices["colour"] == c).sum()) for c in COLOURS},
        "states": {s: int((notices["state"] == s).sum()) for s in STATES},
        "overdue": int(notices["overdue"].sum()) if len(notices) else 0,
        "avg_days_to_ack": mean_days("created_at", "acknowledged_at"),
        "avg_days_to_close": mean_days("created_at", "closed_at"),
    }


def followup(notices: pd.DataFrame) -> dict:
    """The follow-up slide's numbers for the notices issued from the last meeting's decisions:
    N issued = M closed + K in progress (open, within time) + J overdue (open, past their due date)."""
    closed = int((notices["state"] == CLOSED).sum())
    overdue = int(notices["overdue"].sum()) if len(notices) else 0
    total = len(notices)
    open_ = total - closed - overdue
    return {"issued": total, "closed": closed, "in_progress": open_, "overdue": overdue,
            "sentence": f"上次会议交办 {total} 项，已销号 {closed} 项，办理中 {open_} 项，逾期 {overdue} 项"}


# --- Who owes what (催办) ---------------------------------------------------------------------------


def expected_cells(targets: pd.DataFrame, task_departments: pd.DataFrame, districts: list[str]) -> pd.DataFrame:
    """Every cell a department owes each period: the whole-city value (and each district's where the target
    is broken down) of the targets it leads, and its own row of the tasks it leads or joins."""
    rows = []
    for t in targets.to_dict("records"):
        rows.append((t["lead_department"], "指标", str(t["id"]), ""))
        if t.get("district_breakdown"):
            rows += [(t["lead_department"], "指标", str(t["id"]), d) for d in districts]
    tds = task_departments[task_departments["department_kind"] == "department"]
    rows += [(r["department"], "任务", str(int(r["task_id"])), "") for r in tds.to_dict("records")]
    return pd.DataFrame(rows, columns=["department", "kind", "item", "district"]).drop_duplicates()


def owed(expected: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    """Per department: cells expected, received and missing (with the missing cells listed), worst first.

    received: the cells with a counted report for the period, columns kind, item, district (and department
    for tasks; a target's cell counts whoever reported it, as the status engine does).
    """
    got = set(zip(received["kind"], received["item"], received["district"], received["department"]))
    got_targets = {(k, i, d) for k, i, d, _ in got if k == "指标"}
    rows = []
    for dept, cells in expected.groupby("department", sort=False):
        missing = [c for c in cells.to_dict("records")
                   if not ((c["kind"] == "指标" and (c["kind"], c["item"], c["district"]) in got_targets)
                           or (c["kind"] == "任务" and (c["kind"], c["item"], c["district"], dept) in got))]
        rows.append({"department": dept, "expected": len(cells), "received": len(cells) - len(missing),
                     "missing": len(missing), "missing_cells": "、".join(_cell_name(c) for c in missing[:40])
                     + ("等" if len(missing) > 40 else "")})
    out = pd.DataFrame(rows, columns=["department", "expected", "received", "missing", "missing_cells"])
    return out.sort_values(["missing", "department"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _cell_name(cell: dict) -> str:
    if cell["kind"] == "任务":
        return f"任务{cell['item']}"
    return cell["item"] + (f"（{cell['district']}）" if cell["district"] else "")


# --- Demo (演示数据) --------------------------------------------------------------------------------

DEMO_TAG = "【演示数据】"
# (state, days since issue, days to due from issue, returned once): a realistic spread of the loop,
# overdue ones included; timestamps are relative to the load, so colours stay meaningful later.
_DEMO_PLAN = (
    (PENDING_ACK, 2, 15, False), (PENDING_ACK, 20, 15, False),
    (IN_PROGRESS, 8, 15, False), (IN_PROGRESS, 40, 15, False), (IN_PROGRESS, 12, 20, True),
    (PENDING_VERIFY, 14, 20, False), (PENDING_VERIFY, 9, 15, False),
    (CLOSED, 30, 15, False), (CLOSED, 45, 20, True), (CLOSED, 25, 15, False),
)


def demo_notices(candidates: pd.DataFrame, calm_item: dict | None, now: datetime) -> list[dict]:
    """Demo notices for bulk candidates in their order (and one 临期提醒 on an item without warning), each with the
    state, timestamps and texts of a plausible history. Deterministic for the same inputs."""
    picks = candidates.drop_duplicates("key").head(len(_DEMO_PLAN))
    out = []
    for plan, item in zip(_DEMO_PLAN, picks.to_dict("records")):
        out.append(_demo_one(item, *plan, now))
    if calm_item is not None:
        out.append(_demo_one(calm_item, IN_PROGRESS, 10, 18, False, now))
    return out


def _demo_one(item: dict, state: str, age: int, span: int, returned: bool, now: datetime) -> dict:
    created = now - timedelta(days=age, hours=3)
    steps = STATES.index(state)
    ack = created + timedelta(days=1, hours=2) if steps >= 1 else None
    reply = created + timedelta(days=min(age - 1, span - 3), hours=5) if steps >= 2 else None
    closed = reply + timedelta(days=1) if steps >= 3 else None
    return {
        **item, "state": state, "created_at": created, "due": (created + timedelta(days=span)).date(),
        "acknowledged_at": ack, "replied_at": reply, "closed_at": closed, "returned": returned,
        "requirement": DEMO_TAG + default_requirement(item["label"], item["status"], item["explanation"],
                                                      item.get("period")),
        "reply_text": f"{DEMO_TAG}已召开专题会研究整改，明确责任科室和完成时限，附整改方案。" if reply else "",
        "return_reason": f"{DEMO_TAG}佐证材料未体现整改完成情况，请补充。" if returned else "",
    }
