"""A 16:9 slide layout of our own for python-pptx: every shape placed by us, inside the slide, with a real size.

python-pptx's default template is 4:3 with placeholders; on a 16:9 slide their positions are wrong (zero-width
titles at the left edge). So slides use the blank layout and these helpers only. Tables are cut into pages that
fit the body, each row's height estimated from its wrapped text at the table's type size, so a table never runs
past the slide: the rest continues on the next slide under the same title with "（续）".
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from core.label_layout import text_width

# Slide text is drawn by the viewer's office suite: YaHei is on every office PC; LibreOffice substitutes
# Noto Sans CJK by fontconfig. Fonts are named, never embedded.
SLIDE_FONT = "Microsoft YaHei"
WIDE, HIGH = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_W = WIDE - 2 * MARGIN
TITLE_TOP, TITLE_H = Inches(0.3), Inches(0.85)
MSG_TOP = Inches(1.15)
FOOTER_TOP, FOOTER_H = Inches(6.95), Inches(0.4)
TITLE_PT, MSG_PT, BODY_PT, FOOTER_PT, COVER_PT = 32, 20, 18, 14, 40
DARK = RGBColor(0x1F, 0x23, 0x28)
BLUE = RGBColor(0x09, 0x69, 0xDA)
GREY = RGBColor(0x57, 0x60, 0x6A)
DEMO = RGBColor(0xBC, 0x4C, 0x00)
HEAD_FILL = RGBColor(0x1F, 0x4E, 0x78)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
# Line height of the CJK fonts an office suite uses (Noto Sans CJK ascends and descends 1.45 em; YaHei 1.32).
LINE_EM = 1.5
CELL_PAD_X, CELL_PAD_Y = Inches(0.08), Inches(0.05)
CONTINUED = "（续）"


def new_deck() -> Presentation:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDE, HIGH
    return prs


def blank_slide(prs: Presentation):
    return prs.slides.add_slide(prs.slide_layouts[6])  # 空白: no placeholders


def style_run(run, size: int, bold: bool = False, color: RGBColor = DARK) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, SLIDE_FONT
    run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", SLIDE_FONT)  # the East Asian font is what draws the Chinese characters


def text_box(slide, name: str, text: str, left, top, width, height, size: int, bold: bool = False,
             color: RGBColor = DARK, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    """A named text box (tests find shapes by name); lines separated by \\n become paragraphs."""
    box = slide.shapes.add_textbox(left, top, width, height)
    box.name = name
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = Inches(0.05)
    tf.auto_size = None
    for i, line in enumerate(text.split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = line
        style_run(run, size, bold, color)
    return box


def message_height(message: str) -> int:
    """The height the slide's sentence needs at MSG_PT across the full width (0 without one)."""
    if not message:
        return 0
    return int(Pt(MSG_PT * LINE_EM) * _lines(message, CONTENT_W, MSG_PT) + Inches(0.12))


def body_top(message: str) -> int:
    """Where the body starts: under the title, and under the sentence as many lines as it takes."""
    return max(MSG_TOP + message_height(message) + Inches(0.1), MSG_TOP + Inches(0.3))


def body_height(message: str) -> int:
    return FOOTER_TOP - Inches(0.1) - body_top(message)


def heading(slide, title: str, message: str = "") -> int:
    """Title across the full width, the slide's one sentence under it; returns where the body starts."""
    text_box(slide, "标题", title, MARGIN, TITLE_TOP, CONTENT_W, TITLE_H, TITLE_PT, True, anchor=MSO_ANCHOR.MIDDLE)
    if message:
        text_box(slide, "要点", message, MARGIN, MSG_TOP, CONTENT_W, message_height(message), MSG_PT, color=BLUE)
    return body_top(message)


def footer(slide, left_text: str, number: int, total: int, demo: bool) -> None:
    text_box(slide, "页脚", left_text, MARGIN, FOOTER_TOP, Inches(8), FOOTER_H, FOOTER_PT, color=GREY)
    right = ("演示数据　" if demo else "") + f"{number} / {total}"
    box = text_box(slide, "页码", right, WIDE - MARGIN - Inches(3.5), FOOTER_TOP, Inches(3.5), FOOTER_H, FOOTER_PT,
                   color=GREY, align=PP_ALIGN.RIGHT)
    if demo:
        style_run(box.text_frame.paragraphs[0].runs[0], FOOTER_PT, True, DEMO)


def picture(slide, png: bytes, left, top, width, height):
    """The image as large as fits the box, centred in it."""
    pic = slide.shapes.add_picture(io.BytesIO(png), left, top)
    ratio = min(width / pic.width, height / pic.height)
    pic.width, pic.height = int(pic.width * ratio), int(pic.height * ratio)
    pic.left = Emu(int(left + (width - pic.width) / 2))
    pic.top = Emu(int(top + (height - pic.height) / 2))
    pic.name = "图"
    return pic


# --- Tables that fit -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    weight: float  # share of the table's width


def _lines(text: str, width_emu: int, size: int) -> int:
    """Lines `text` wraps to in a cell `width_emu` wide at `size` pt (CJK breaks anywhere; a little slack)."""
    usable_pt = (width_emu - 2 * CELL_PAD_X) / 12700 * 0.94
    total = 0
    for para in str(text).split("\n"):
        total += max(1, math.ceil(text_width(para, size) / usable_pt))
    return total


def row_height(values: list, widths: list[int], size: int) -> int:
    lines = max(_lines("" if v is None else str(v), w, size) for v, w in zip(values, widths))
    return int(Pt(size * LINE_EM) * lines + 2 * CELL_PAD_Y + Inches(0.04))


def paginate(header: list[str], rows: list[list], widths: list[int], size: int, height: int) -> list[list[list]]:
    """Rows cut into pages whose header and rows fit `height` (EMU); at least one row a page."""
    head = row_height(header, widths, size)
    pages, page, used = [], [], head
    for r in rows:
        h = row_height(r, widths, size)
        if page and used + h > height:
            pages.append(page)
            page, used = [], head
        page.append(r)
        used += h
    if page or not pages:
        pages.append(page)
    return pages


def table(slide, header: list[str], rows: list[list], widths: list[int], size: int = BODY_PT,
          left=MARGIN, top=Inches(2), fills: list[RGBColor | None] | None = None, fill_column: int = 0):
    """A table whose every row is as high as its wrapped text needs (so the frame's height is the table's);
    `fills`: a light status colour per row for the cell in `fill_column`."""
    heights = [row_height(header, widths, size)] + [row_height(r, widths, size) for r in rows]
    shape = slide.shapes.add_table(len(rows) + 1, len(header), left, top, sum(widths), sum(heights))
    shape.name = "表"
    t = shape.table
    for j, w in enumerate(widths):
        t.columns[j].width = w
    for i, h in enumerate(heights):
        t.rows[i].height = h
    for j, head in enumerate(header):
        _cell(t.cell(0, j), head, size, True, WHITE, HEAD_FILL)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            fill = fills[i - 1] if fills and j == fill_column else None
            _cell(t.cell(i, j), "" if v is None else str(v), size, False, DARK, fill)
    return shape


def _cell(cell, text: str, size: int, bold: bool, color: RGBColor, fill: RGBColor | None) -> None:
    cell.text = text
    cell.margin_left = cell.margin_right = CELL_PAD_X
    cell.margin_top = cell.margin_bottom = CELL_PAD_Y
    for p in cell.text_frame.paragraphs:
        for r in p.runs:
            style_run(r, size, bold, color)
    if fill is not None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill


def column_widths(columns: list[Column], total: int = CONTENT_W) -> list[int]:
    s = sum(c.weight for c in columns)
    widths = [int(total * c.weight / s) for c in columns]
    widths[-1] += total - sum(widths)
    return widths
