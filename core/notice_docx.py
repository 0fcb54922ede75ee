"""督办单 and 催办通知 as .docx in the 公文 style of core.official_doc: one notice a page, from plain dicts.

The supervision loop (督办事项) calls `notices_docx` with its own rows; nothing here reads the database.
A notice dict has: number (编号), department (责任单位), item (督办事项), requirement (办理要求), due (办结期限,
a date or text), colour (督办等级: 红/黄/蓝/无, or 红色/黄色/蓝色), and optionally basis (督办依据), issuer and
issued (签发日期). Missing optional keys are left out; a missing required key is a clear error.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from core.official_doc import OfficialDoc

KINDS = {"督办单": "督办单", "催办通知": "催办通知"}
REQUIRED = ("number", "department", "item", "requirement", "due", "colour")
LABELS = {"number": "编　　号", "department": "责任单位", "item": "督办事项", "basis": "督办依据",
          "requirement": "办理要求", "due": "办结期限", "colour": "督办等级"}
COLOURS = {"红": ("红色督办", "F4B6B6"), "黄": ("黄色督办", "FFEB9C"), "蓝": ("蓝色督办", "DDEBF7"),
           "绿": ("绿色督办", "C6EFCE"), "无": ("一般督办", None)}  # 无: not red, yellow or blue (sv.NONE)
DEFAULT_ISSUER = "湛江市质量强市工作领导小组办公室"
REPLY = "请责任单位于办结期限前将办理情况书面报送督查办；逾期未办结的，将在督查会议和通报中点名。"


class NoticeError(ValueError):
    """A notice dict cannot be turned into a document; the message names the notice and the missing field."""


def colour_label(colour: str) -> tuple[str, str | None]:
    """(红色督办, fill hex) from 红 / 红色 / 红色督办 / red."""
    key = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}.get(str(colour).lower(), str(colour)[:1])
    if key not in COLOURS:
        raise NoticeError(f"督办等级“{colour}”无法识别，应为红、黄、蓝、绿或无")
    return COLOURS[key]


def _due_text(due) -> str:
    return f"{due.year}年{due.month}月{due.day}日" if isinstance(due, date) else str(due)


def notices_docx(notices: Iterable[dict], kind: str = "督办单", issued: date | None = None,
                 demo: bool = False) -> bytes:
    """One page per notice (a batch for one department is simply its notices in a row)."""
    if kind not in KINDS:
        raise NoticeError(f"文书类型“{kind}”无法识别，应为{'或'.join(KINDS)}")
    notices = list(notices)
    if not notices:
        raise NoticeError(f"没有需要生成的{kind}")
    doc = OfficialDoc(kind)
    for i, n in enumerate(notices):
        missing = [LABELS.get(k, k) for k in REQUIRED if not str(n.get(k, "")).strip()]
        if missing:
            raise NoticeError(f"第 {i + 1} 份{kind}（编号 {n.get('number') or '空'}）缺少：{'、'.join(missing)}")
        if i:
            doc.page_break()
        _notice(doc, n, kind, issued or date.today(), demo)
    return doc.bytes()


def _notice(doc: OfficialDoc, n: dict, kind: str, issued: date, demo: bool) -> None:
    label, fill = colour_label(n["colour"])
    doc.title(f"湛江市质量提升行动{kind}")
    if demo:
        doc.notice("（演示数据，并非真实督办）")
    doc.para(f"{LABELS['number']}：{n['number']}", indent=False, align="right")
    doc.addressee(n["department"])
    rows = [[LABELS["department"], n["department"]], [LABELS["item"], n["item"]]]
    if n.get("basis"):
        rows.append([LABELS["basis"], n["basis"]])
    rows += [[LABELS["requirement"], n["requirement"]], [LABELS["due"], _due_text(n["due"])],
             [LABELS["colour"], label]]
    doc.table(["项目", "内容"], rows, [34, 122], fills=[None] * (len(rows) - 1) + [fill], fill_column=1, size=14)
    doc.para(REPLY if kind == "督办单" else "该事项已超过或临近办结期限，请抓紧办理，并于期限前报送办理情况。")
    doc.signature(n.get("issuer") or DEFAULT_ISSUER, _due_text(n.get("issued") or issued))
    doc.signoff_line()
