"""mark_workbook: the official's cells back, each problem cell red with a comment saying why.

The upload is never opened by a workbook library in the server process (a 4 MB file of 2 million
cells cost 22 s and ~880 MB per click that way): the workbook is written by a parse child, under the
same memory and time limits as parsing, from the cells the parse already read (reader.mark_in_child).
Every upload (xlsx, xlsm, xls, et, ods, csv) comes back as an .xlsx with its cells in the same places;
formatting and macros are not carried over, and text that looks like a formula stays text.
"""
from __future__ import annotations

from pathlib import PurePath

from openpyxl.styles import PatternFill

from core.importer.model import Problem
from core.importer.reader import ParsedBook, mark_in_child, read_upload
from core.settings import Settings

PROBLEM_FILL = PatternFill("solid", fgColor="FFC7CE")
SUMMARY_SHEET = "问题清单"
AUTHOR = "质量提升督查看板"


def marked_name(filename: str) -> str:
    return f"{PurePath(filename).stem or '进度表'}-问题标注.xlsx"


def mark_workbook(filename: str, content: bytes, problems: list[Problem], *, book: ParsedBook | None = None,
                  settings: Settings | None = None) -> tuple[bytes, str]:
    """(xlsx bytes, file name). Pass the ParsedBook the upload was validated from to skip parsing it again."""
    if book is None:
        book = read_upload(filename, content, settings)
    data = mark_in_child(filename, book, problems, summary=SUMMARY_SHEET, fill=PROBLEM_FILL.fgColor.rgb[-6:],
                         author=AUTHOR, settings=settings)
    return data, marked_name(filename)
