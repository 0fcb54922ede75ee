"""mark_workbook: the official's own file back, each problem cell red with a comment saying why."""
from __future__ import annotations

import io
from pathlib import PurePath

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from core.importer.model import Problem

PROBLEM_FILL = PatternFill("solid", fgColor="FFC7CE")
SUMMARY_SHEET = "问题清单"
AUTHOR = "质量提升督查看板"


def mark_workbook(filename: str, content: bytes, problems: list[Problem]) -> tuple[bytes, str]:
    stem = PurePath(filename).stem or "进度表"
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm") and content[:4] == b"PK\x03\x04":
        wb = load_workbook(io.BytesIO(content), keep_vba=suffix == ".xlsm")
        out_suffix = suffix
    else:
        wb = _workbook_from_rows(filename, content)
        out_suffix = ".xlsx"
    for sheet_name, cells in _by_cell(problems).items():
        if sheet_name not in wb.sheetnames:
            continue
        ws = wb[sheet_name]
        for ref, items in cells.items():
            _mark(ws, ref, items)
    _summary_sheet(wb, problems)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), f"{stem}-问题标注{out_suffix}"


def _workbook_from_rows(filename: str, content: bytes) -> Workbook:
    """xls and csv cannot be edited in place: their cells are copied to a new workbook, same positions."""
    from core.importer.reader import read_upload

    book = read_upload(filename, content)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name[:31])
        for i, row in enumerate(sheet.rows, start=1):
            for j, value in enumerate(row, start=1):
                if value not in ("", None):
                    ws.cell(i, j, value)
    return wb


def _by_cell(problems: list[Problem]) -> dict[str, dict[str, list[Problem]]]:
    out: dict[str, dict[str, list[Problem]]] = {}
    for p in problems:
        if p.cell:
            out.setdefault(p.sheet, {}).setdefault(p.cell, []).append(p)
    return out


def _mark(ws: Worksheet, ref: str, items: list[Problem]) -> None:
    coordinate_from_string(ref)  # raises on a malformed reference rather than marking a wrong cell
    cell = ws[ref]
    if type(cell).__name__ == "MergedCell":
        return
    cell.fill = PROBLEM_FILL
    note = "\n".join(f"{p.message}。{p.fix}" for p in items)
    comment = Comment(note, AUTHOR)
    comment.width, comment.height = 320, 40 + 20 * len(items) * 2
    cell.comment = comment


def _summary_sheet(wb: Workbook, problems: list[Problem]) -> None:
    """A first sheet listing every problem, each linked to its cell."""
    if SUMMARY_SHEET in wb.sheetnames:
        del wb[SUMMARY_SHEET]
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    ws["A1"] = f"共 {len(problems)} 个问题：红色单元格的批注说明了原因，改正后请重新上传。"
    ws["A1"].font = Font(bold=True, color="C00000", size=12)
    for j, h in enumerate(("位置", "填写内容", "问题", "修改方法"), start=1):
        ws.cell(3, j, h).font = Font(bold=True)
    for i, p in enumerate(problems, start=4):
        where = ws.cell(i, 1, p.where)
        if p.cell and p.sheet in wb.sheetnames:
            where.hyperlink = Hyperlink(ref=where.coordinate, location=f"'{p.sheet}'!{p.cell}")
            where.font = Font(color="0563C1", underline="single")
        ws.cell(i, 2, p.value)
        ws.cell(i, 3, p.message)
        ws.cell(i, 4, p.fix)
    for col, width in zip("ABCD", (18, 20, 50, 50)):
        ws.column_dimensions[col].width = width
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = 0
