"""A 公文 in the GB/T 9704 manner as .docx (python-docx): A4, the standard margins, 标题 in 小标宋, 主送, 正文 in
仿宋_GB2312 at 三号, numbered headings (一、 in 黑体, （一） in 楷体), tables, 附件, 成文日期 and page numbers
("— 1 —") in the footer.

Fonts are named, never embedded or fetched: Word and WPS on office PCs have 仿宋_GB2312/FangSong, 黑体/SimHei,
方正小标宋简体; each font entry carries its common alternative name, and a machine without them (LibreOffice on
the server) substitutes an installed CJK font (Noto Serif/Sans CJK) by fontconfig.
"""
from __future__ import annotations

import io
from typing import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FANGSONG, HEITI, KAITI, XIAOBIAOSONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"
ALT_NAMES = {FANGSONG: "FangSong", HEITI: "SimHei", KAITI: "KaiTi", XIAOBIAOSONG: "SimSun"}
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 10.5  # 三号, 二号, 五号
LINE_PT = 28  # fixed line pitch: 22 lines a page on the standard type area
RED = RGBColor(0xC0, 0x00, 0x00)


class OfficialDoc:
    """Build a 公文 paragraph by paragraph; `bytes()` gives the .docx."""

    def __init__(self, title: str = "") -> None:
        self.doc = Document()
        self._page()
        self._styles()
        self._footer_page_numbers()
        if title:
            self.doc.core_properties.title = title
        self.doc.core_properties.author = "湛江质量提升督查看板"

    # --- setup -------------------------------------------------------------------------------

    def _page(self) -> None:
        s = self.doc.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
        s.footer_distance = Mm(20)

    def _styles(self) -> None:
        normal = self.doc.styles["Normal"]
        set_fonts(normal.element.get_or_add_rPr(), FANGSONG)
        normal.font.size = Pt(BODY_PT)
        pf = normal.paragraph_format
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
        pf.space_before = pf.space_after = Pt(0)
        _declare_fonts(self.doc)

    def _footer_page_numbers(self) -> None:
        p = self.doc.sections[0].footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, "— ", "宋体", 14)
        run = p.add_run()
        set_fonts(run._r.get_or_add_rPr(), "宋体")
        run.font.size = Pt(14)
        for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == "PAGE":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = " PAGE "
            else:
                el = OxmlElement("w:t")
                el.text = text
            run._r.append(el)
        self._run(p, " —", "宋体", 14)

    # --- content -----------------------------------------------------------------------------

    def _run(self, p, text: str, font: str = FANGSONG, size: float = BODY_PT, bold: bool = False,
             color: RGBColor | None = None):
        run = p.add_run(text)
        set_fonts(run._r.get_or_add_rPr(), font)
        run.font.size, run.font.bold = Pt(size), bold
        if color is not None:
            run.font.color.rgb = color
        return run

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(36)
        p.paragraph_format.space_after = Pt(LINE_PT)
        self._run(p, text, XIAOBIAOSONG, TITLE_PT)

    def notice(self, text: str) -> None:
        """A line that must not be missed (the 演示数据 notice), centred, bold red."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, text, HEITI, BODY_PT, True, RED)

    def addressee(self, text: str) -> None:
        """主送机关: flush left, ending with a full-width colon."""
        p = self.doc.add_paragraph()
        self._run(p, text.rstrip("：:") + "：")

    def heading(self, text: str, level: int = 1) -> None:
        """一、 in 黑体 (level 1), （一） in 楷体 (level 2), indented two characters like the body."""
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        p.paragraph_format.keep_with_next = True
        self._run(p, text, HEITI if level == 1 else KAITI)

    def para(self, text: str, indent: bool = True, align: str = "justify") -> None:
        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
        self._run(p, text)

    def attachments_list(self, names: Sequence[str]) -> None:
        """附件说明 under the body: 附件：1. …, the following names aligned under the first."""
        for i, name in enumerate(names, 1):
            p = self.doc.add_paragraph()
            p.paragraph_format.left_indent = Pt(BODY_PT * (2 if i == 1 else 5))
            self._run(p, ("附件：" if i == 1 else "") + f"{i}. {name}")

    def signature(self, issuer: str, date_text: str) -> None:
        """发文机关署名 and 成文日期, right-aligned, with a blank line before."""
        self.doc.add_paragraph()
        for text in (issuer, date_text):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Pt(BODY_PT * 4)
            self._run(p, text)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def attachment(self, number: int, title: str) -> None:
        """A new page headed 附件N (黑体, flush left) and its title (小标宋, centred)."""
        self.page_break()
        p = self.doc.add_paragraph()
        self._run(p, f"附件{number}", HEITI)
        self.title(title)

    def table(self, header: Sequence[str], rows: Sequence[Sequence], widths_mm: Sequence[float] | None = None,
              fills: Sequence[str | None] | None = None, fill_column: int = 0, size: float = TABLE_PT) -> None:
        """A bordered table in 仿宋 (五号 unless `size`), header row in 黑体 repeated on every page; `fills`: a hex
        background per row for the cell in `fill_column`; widths in mm add up to the type area's 156."""
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for j, h in enumerate(header):
            self._cell(t.rows[0].cells[j], str(h), HEITI, size=size)
        _repeat_header(t.rows[0])
        for i, row in enumerate(rows):
            cells = t.add_row().cells
            for j, v in enumerate(row):
                self._cell(cells[j], "" if v is None else str(v), size=size)
                if fills and j == fill_column and fills[i]:
                    _shade(cells[j], fills[i])
        if widths_mm:
            # Word reads the cells' widths, LibreOffice the grid's: set both, and keep them (no autofit).
            t.autofit = False
            for col, w in zip(t.columns, widths_mm):
                col.width = Mm(w)
            for row in t.rows:
                for cell, w in zip(row.cells, widths_mm):
                    cell.width = Mm(w)
        self.doc.add_paragraph()

    def _cell(self, cell, text: str, font: str = FANGSONG, size: float = TABLE_PT) -> None:
        p = cell.paragraphs[0]
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = Pt(0)
        self._run(p, text, font, size)

    def signoff_line(self, text: str = "签收人：＿＿＿＿＿　签收时间：＿＿＿年＿＿月＿＿日") -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.space_before = Pt(LINE_PT)
        self._run(p, text)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def set_fonts(rpr, font: str) -> None:
    """Name `font` for every script of a run (East Asian included), never embedding it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _declare_fonts(doc) -> None:
    """Each named font in the font table with its alternative name and the GB2312 charset, so Word and WPS pick
    FangSong or SimHei where the _GB2312 cut is missing. Only names: no font data is embedded."""
    from lxml import etree

    part = next((p for p in doc.part.package.iter_parts() if str(p.partname).endswith("fontTable.xml")), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in ALT_NAMES.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _shade(cell, hex_rgb: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_rgb)
    cell._tc.get_or_add_tcPr().append(shd)
