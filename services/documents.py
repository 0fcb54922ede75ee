"""The office's documents drafted from the database: one door for 会议模式, 部门记分卡, 督办事项, 年度考核 and
`manage.py export` (kinds in EXPORTS, one entry per kind).

The builders are core's pure ones (core.meeting_deck, core.bulletin_docx, core.notice_docx); what they are fed
is read here, because several of the inputs (催办 counts, the follow-up of the last meeting, the notices with
their colours) are the supervision loop's read-models, which live in services.supervision.
"""
from __future__ import annotations

from datetime import date, datetime

# Modules are imported when a document is built: manage.py builds its parser from EXPORTS on every command,
# and the supervision read-models take seconds to import.

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REMIND_REQUIREMENT = ("请于接到通知后尽快通过看板“进度填报”补报；如有困难，请与市质量强市工作督查办公室联系。")


class NothingToExport(ValueError):
    """The document would be empty (no notice, nobody owes a report); the message says what was asked."""


def _today() -> date:
    from core.timeutil import CHINA_TZ

    return datetime.now(CHINA_TZ).date()


# --- 会议 PPT: the follow-up slide -----------------------------------------------------------------


def previous_snapshot_id(payload: dict) -> int | None:
    """The meeting before the one `payload` shows: for live data the latest frozen meeting; for a frozen
    meeting (its payload carries the name and date it was frozen under) the one frozen before it."""
    from db import meetings

    snaps = meetings.list_snapshots()  # latest meeting first (a small read, once per download)
    ids = [int(i) for i in snaps["id"]]
    frozen = payload.get("meeting") or {}
    if not frozen.get("name"):
        return ids[0] if ids else None
    same = [i for i, r in enumerate(snaps.to_dict("records"))
            if r["name"] == frozen["name"] and str(r["meeting_date"])[:10] == str(frozen.get("date"))[:10]]
    if not same:
        return None
    return ids[same[0] + 1] if same[0] + 1 < len(ids) else None


def deck_followups(payload: dict, department: str | None = None) -> list[dict] | None:
    """The follow-up slide's rows (the notices issued from the last meeting's decisions, with their
    已销号/办理中/逾期), or None when there was no earlier meeting (then the deck has no such slide)."""
    from services import supervision as sup

    previous = previous_snapshot_id(payload)
    if previous is None:
        return None
    rows = sup.followup_for_deck(previous)["rows"]
    return [r for r in rows if r["department"] == department] if department else rows


def meeting_deck(payload: dict, department: str | None = None) -> bytes:
    """The deck as 会议模式 and `manage.py export deck` give it, with the follow-up slide when there was an
    earlier meeting; `department`: that department's deck (its own red items, due tasks and follow-ups)."""
    from core.meeting_deck import deck_pptx, for_department

    followups = deck_followups(payload, department)
    return deck_pptx(for_department(payload, department) if department else payload, followups=followups)


def deck_file(period: str, department: str | None = None) -> bytes:
    """The 会议模式 deck of the live data (with what changed since the last frozen meeting)."""
    from db import meetings

    return meeting_deck(meetings.live_payload(period), department)


# --- 通报 -------------------------------------------------------------------------------------------


def bulletin(board, payload: dict, demo: bool, department: str | None = None) -> bytes:
    """The 通报 .docx with the period's 催办 counts named under 存在问题."""
    from core.bulletin_docx import bulletin_docx
    from services import supervision as sup

    return bulletin_docx(board, payload, _today(), demo, department, reminders=sup.reminder_counts(board.period))


def bulletin_file(period: str, department: str | None = None) -> bytes:
    from db import document_reads

    board, payload, demo = document_reads.bulletin_inputs(period)
    return bulletin(board, payload, demo, department)


# --- 督办单 and 催办通知 ------------------------------------------------------------------------------


def _notice_dict(doc: dict) -> dict:
    """services.supervision.notice_document → the dict core.notice_docx prints."""
    basis = f"{doc['period']} {doc['item_kind']}状态：{doc['item_status']}" if doc["period"] and doc["item_status"] \
        else ""
    if basis and doc["item_explanation"]:
        basis += f"。{doc['item_explanation']}"
    return {"number": doc["number"], "department": doc["department"], "item": doc["item"], "basis": basis,
            "requirement": doc["requirement"], "due": date.fromisoformat(doc["due"]), "colour": doc["colour"],
            "issued": date.fromisoformat(doc["issued_at"])}


def notice_docx(notice_ids: list[int]) -> bytes:
    """督办单 .docx, one page per notice, in the order given (a department's batch is its notices in a row)."""
    from core.notice_docx import notices_docx
    from services import supervision as sup

    docs = [d for d in (sup.notice_document(int(i)) for i in notice_ids) if d is not None]
    if not docs:
        raise NothingToExport("没有可生成的督办单")
    return notices_docx([_notice_dict(d) for d in docs], "督办单", demo=any(d["is_demo"] for d in docs))


def batch_ids(notices) -> list[int]:
    """What a batch of 督办单 prints from a notice list (services.supervision.list_notices rows): the notices
    not yet closed, department by department, by number."""
    from core import supervision as sv

    df = notices[notices["state"] != sv.CLOSED].sort_values(["department", "number"])
    return [int(i) for i in df["id"]]


def notices_file(period: str, department: str | None = None) -> bytes:
    from services import supervision as sup

    ids = batch_ids(sup.list_notices(period=period, department=department))
    if not ids:
        raise NothingToExport(f"{period}{'“' + department + '”' if department else ''}没有未销号的督办单")
    return notice_docx(ids)


def reminder_notices(period: str, departments: list[str] | None = None, on: date | None = None) -> list[dict]:
    """One 催办通知 per department that owes cells of `period` (services.supervision.reminder_notice_rows):
    red once the 报送截止 has passed, blue before it."""
    from services import supervision as sup

    on = on or _today()
    out = []
    for i, r in enumerate(sup.reminder_notice_rows(period, departments), 1):
        deadline = date.fromisoformat(r["deadline"])
        contact = "、".join(x for x in (r["person"], r["phone"]) if x)
        out.append({
            "number": f"催办〔{period}〕{i}号", "department": r["department"],
            "item": f"{period} 进度数据未报齐：应报 {r['expected']} 项，已报 {r['received']} 项，未报 {r['missing']} 项"
                    f"（{r['missing_cells']}）",
            "basis": f"{period} 报送截止 {r['deadline']}；此前已催办 {r['reminders']} 次"
                     + (f"；联系人 {contact}" if contact else ""),
            "requirement": REMIND_REQUIREMENT, "due": deadline, "colour": "红" if on > deadline else "蓝"})
    return out


def reminders_file(period: str, department: str | None = None) -> bytes:
    from core.notice_docx import notices_docx
    from db import queries

    rows = reminder_notices(period, [department] if department else None)
    if not rows:
        raise NothingToExport(f"{period}{'“' + department + '”' if department else '各部门'}已报齐，无需催办")
    return notices_docx(rows, "催办通知", demo=bool(queries.demo_present()))


# kind → (what it is, file suffix, builder(period, department) -> bytes). Adding a kind is one entry.
EXPORTS = {
    "deck": ("会议 PPT", ".pptx", deck_file),
    "bulletin": ("通报", ".docx", bulletin_file),
    "notices": ("督办单", ".docx", notices_file),
    "reminders": ("催办通知", ".docx", reminders_file),
}
