"""The meeting deck as PPTX on our own 16:9 layout (core.deck_layout): a cover, then one message per slide.

Chart slides carry the server-rendered PNG (core.meeting_images) with larger type; table slides are cut into
pages that fit, continued under the same title with "（续）"; the district slide puts the map beside its table.
The supervision loop's follow-up (督办事项 carried over from the last meeting) opens the deck when rows are
given: followup_slides takes plain dicts, so that branch only has to pass them in.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Callable

from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches

from core import deck_layout as L
from core.meeting import Slide, slides, title_text
from core.meeting_charts import RANK_SHOWN, ranking_parts
from core.meeting_images import chart_png
from core.meeting_tables import changes_table

# Light versions of the status colours for a table cell (printed decks stay readable in grey).
STATUS_FILL = {"未完成": "F4B6B6", "逾期": "F4B6B6", "滞后": "FFC7CE", "预警": "FFEB9C", "未报送": "E7E6E6",
               "已销号": "C6EFCE", "办理中": "DDEBF7", "即将到期": "DDEBF7"}
FOLLOWUP_STATES = ("已销号", "办理中", "逾期")


@dataclass(frozen=True)
class DeckTable:
    """A slide's table: column headers with width weights, a function from a row dict to cell texts, and the
    column whose cell is tinted with its status."""

    columns: tuple[tuple[str, float], ...]
    cells: Callable[[dict], list]
    status_column: int | None = None


def _red_rows(p: dict) -> list[dict]:
    return p["red_list"]


def _due_rows(p: dict) -> list[dict]:
    return p["due_soon"]["rows"]


TABLES: dict[str, tuple[Callable[[dict], list[dict]], DeckTable]] = {
    "red_list": (_red_rows, DeckTable(
        (("事项", 3.6), ("牵头部门", 2.2), ("状态", 1.1), ("说明", 5.4)),
        lambda r: [f"{r['id']} {r['name']}", r["department"], r["status"], r["explanation"]], 2)),
    "due_soon": (_due_rows, DeckTable(
        (("任务", 3.4), ("牵头部门", 2.1), ("完成", 0.9), ("状态", 1.0), ("说明", 4.9)),
        lambda r: [f"{r['id']}. {r['title']}", r["lead_department"],
                   "—" if r["percent"] is None else f"{r['percent']:.0f}%", r["status"], r["explanation"]], 3)),
    "decisions": (lambda p: p["decisions"], DeckTable(
        (("任务", 3.0), ("类型", 0.9), ("内容", 4.6), ("决定人", 1.5), ("任务现状", 1.5)),
        lambda r: [f"{r['task_id']}. {r['task_title']}", r["kind"], r["text"], r["decided_by"], r["task_status"]], 4)),
    "changes": (lambda p: _change_rows(p["changes"]), DeckTable(
        (("类别", 1.4), ("对象", 4.6), ("变化", 4.6), ("判断", 1.2)), lambda r: r["cells"])),
    "followup": (lambda p: p["_followups"], DeckTable(
        (("编号", 1.3), ("交办事项", 4.9), ("责任单位", 2.5), ("办理情况", 1.5), ("办结期限", 1.8)),
        lambda r: [r.get("number", ""), r.get("item", ""), r.get("department", ""), r.get("status", ""),
                   r.get("due", "")], 3)),
}


def _change_rows(changes: dict) -> list[dict]:
    return [{"cells": list(row)} for row in changes_table(changes).itertuples(index=False)]


def followup_message(rows: list[dict]) -> str:
    """上次会议交办 N 项，已销号 M 项，办理中 K 项，逾期 J 项 (rows: dicts with a "status" in FOLLOWUP_STATES)."""
    n = {s: sum(r.get("status") == s for r in rows) for s in FOLLOWUP_STATES}
    return f"上次会议交办 {len(rows)} 项，已销号 {n['已销号']} 项，办理中 {n['办理中']} 项，逾期 {n['逾期']} 项"


def for_department(payload: dict, department: str) -> dict:
    """The payload as one department's deck: its own red items and due tasks; the rest as for everyone."""
    due = dict(payload["due_soon"], rows=[r for r in payload["due_soon"]["rows"]
                                          if r["lead_department"] == department])
    meeting = dict(payload.get("meeting") or {})
    meeting["name"] = f"{meeting.get('name') or '湛江市质量提升行动督查会议'}（{department}）"
    meeting.setdefault("date", "")
    return dict(payload, red_list=[r for r in payload["red_list"] if r["department"] == department],
                due_soon=due, meeting=meeting)


# --- Building ------------------------------------------------------------------------------------


def deck_pptx(payload: dict, followups: list[dict] | None = None) -> bytes:
    """The cover, the follow-up of the last meeting's 督办事项 (when `followups` is given: dicts with number,
    item, department, status 已销号/办理中/逾期, due), then one slide per message, tables continued as needed."""
    prs = L.new_deck()
    pages: list[Callable] = [lambda s: _cover(s, payload)]
    if followups is not None:
        p = dict(payload, _followups=followups)
        pages += _table_pages("followup", "上次会议交办事项办理情况", followup_message(followups), p)
    for slide in slides(payload):
        if slide.key in TABLES:
            pages += _table_pages(slide.key, slide.title, slide.message, payload)
        else:
            pages += [lambda s, slide=slide, part=part: _chart_slide(s, slide, payload, part)
                      for part in chart_pages(slide.key, payload)]
    stem = _footer_text(payload)
    for i, draw in enumerate(pages, start=1):
        s = L.blank_slide(prs)
        draw(s)
        L.footer(s, stem, i, len(pages), bool(payload.get("is_demo")))
    prs.core_properties.title = title_text(payload)[0]
    prs.core_properties.author = "湛江质量提升督查看板"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _footer_text(payload: dict) -> str:
    m = payload.get("meeting") or {}
    name = m.get("name") or "湛江市质量提升行动督查会议"
    return f"{name} · 数据截至 {payload['period_label']}"


def _cover(s, payload: dict) -> None:
    title, subtitle = title_text(payload)
    top = Inches(2.2)
    L.text_box(s, "标题", title, L.MARGIN, top, L.CONTENT_W, Inches(1.3), L.COVER_PT, True,
               align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    L.text_box(s, "副标题", subtitle.replace("　（演示数据，并非真实报送）", ""), L.MARGIN, top + Inches(1.5),
               L.CONTENT_W, Inches(1.0), L.MSG_PT, color=L.GREY, align=PP_ALIGN.CENTER)
    if payload.get("is_demo"):
        L.text_box(s, "演示数据", "演示数据，并非真实报送", L.MARGIN, top + Inches(2.6), L.CONTENT_W, Inches(0.6),
                   L.MSG_PT, True, L.DEMO, align=PP_ALIGN.CENTER)


def _table_pages(key: str, title: str, message: str, payload: dict) -> list[Callable]:
    rows_of, spec = TABLES[key]
    header = [c for c, _ in spec.columns]
    widths = L.column_widths([L.Column(c, w) for c, w in spec.columns])
    rows = rows_of(payload)
    if not rows:
        return [lambda s: L.text_box(s, "无", "（无）", L.MARGIN, L.heading(s, title, message), Inches(6), Inches(0.6),
                                     L.BODY_PT)]
    cells = [[("" if v is None else str(v)) for v in spec.cells(r)] for r in rows]
    # The first page says the slide's sentence; continuation pages give its room to rows.
    first = L.paginate(header, cells, widths, L.BODY_PT, L.body_height(message))[0]
    chunks = [first, *L.paginate(header, cells[len(first):], widths, L.BODY_PT, L.body_height(""))] \
        if len(first) < len(cells) else [first]
    out = []
    start = 0
    for n, chunk in enumerate(chunks):
        fills = None
        if spec.status_column is not None:
            fills = [_fill(row[spec.status_column]) for row in chunk]
        if len(chunks) == 1:
            heading = title
        elif n == 0:
            heading = f"{title}（共 {len(rows)} 项）"
        else:
            heading = f"{title}{L.CONTINUED}第 {start + 1}–{start + len(chunk)} 项"
        out.append(lambda s, h=heading, c=chunk, f=fills, m=message if n == 0 else "": L.table(
            s, header, c, widths, L.BODY_PT, top=L.heading(s, h, m), fills=f, fill_column=spec.status_column or 0))
        start += len(chunk)
    return out


def _fill(status: str) -> RGBColor | None:
    rgb = STATUS_FILL.get(status)
    return RGBColor.from_string(rgb) if rgb else None


def chart_pages(key: str, payload: dict) -> list[int | None]:
    """The parts a chart slide is drawn in: a long ranking gets one slide for its head and one for its tail,
    each at the body's full height, so every name (ties whole) stays legible; None: all parts on one slide."""
    if key == "ranking" and len(ranking_parts(payload)) == 2 and len(payload["ranking"]) > 2 * RANK_SHOWN:
        return [0, 1]
    return [None]


def _chart_slide(s, slide: Slide, payload: dict, part: int | None) -> None:
    title = slide.title
    if part is not None:
        title += f"（{'前' if part == 0 else '后'} {RANK_SHOWN} 名）"  # the chart says when a tie adds names
    top = L.heading(s, title, slide.message)
    png = chart_png(slide.key, payload, for_slide=True, part=part)
    if slide.key == "districts":
        _district_body(s, png, payload, top)
    else:
        L.picture(s, png, L.MARGIN, top, L.CONTENT_W, L.FOOTER_TOP - Inches(0.1) - top)


def _district_body(s, png: bytes, payload: dict, top: int) -> None:
    """The map on the left, each district's share and band in a table on the right (names at body size)."""
    map_w = Inches(6.6)
    L.picture(s, png, L.MARGIN, top, map_w, L.FOOTER_TOP - Inches(0.1) - top)
    rows = [[r["district"], r["value_text"], r["class_label"]] for r in payload["districts"]["rows"]]
    rows.sort(key=lambda r: -_share(r[1]))
    widths = L.column_widths([L.Column("区县", 1.3), L.Column("正常及达标", 2.5), L.Column("分档", 1.7)],
                             L.CONTENT_W - map_w - Inches(0.2))
    L.table(s, ["区县", "正常及达标", "分档"], rows, widths, L.BODY_PT, left=L.MARGIN + map_w + Inches(0.2), top=top)


def _share(text: str) -> float:
    """The percentage in "6/13 项（46%）" for sorting; unknown last."""
    m = re.search(r"(\d+(?:\.\d+)?)%", text or "")
    return float(m.group(1)) if m else -1.0
