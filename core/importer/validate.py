"""validate_upload: a ParsedBook checked against the catalogue, every problem at once.

A row with any problem is rejected as a whole; a problem with no row (a sheet that cannot be
read, a wrong department for the whole file) blocks the file even in “valid rows only” mode.

This module reads the layout of each sheet — where its header is, title lines above it (scope.py),
footer lines below the data, one column per quarter (a wide layout, unpivoted into one view per
quarter) — and hands each data row to the one set of rules for its kind (indicator_rows.py,
task_rows.py). How each column, row and sheet was understood goes to ImportResult.notes.
"""
from __future__ import annotations

import re
from typing import Mapping

from core.catalogue import Catalogue
from core.importer import indicator_rows, task_rows
from core.importer.headers import FIELD_LABELS, PREVIOUS_VALUE, TEMPLATE_HEADINGS, Header, clean_header, detect_header
from core.importer.model import ImportResult, Problem
from core.importer.reader import ParsedBook, ParsedSheet
from core.importer.rows import Context, Scope, View, column_letter
from core.importer.scope import INSTRUCTIONS_SHEET, PARAMS_SHEET, PERIOD_FIX, file_scope, sheet_scope
from core.periods import Period, period_range

__all__ = ["INSTRUCTIONS_SHEET", "PARAMS_SHEET", "PERIOD_FIX", "column_letter", "default_periods", "validate_upload"]

FORMULA_MESSAGE = "公式没有计算结果"
FORMULA_FIX = "请在 Excel 中打开并保存后再上传"
# Lines under the data that sign the sheet off: never data, never a problem.
_FOOTER = re.compile(r"(审核人|审核|填表人|填报人|制表人|制表|联系电话|联系人|电话|制表日期|填报日期|填表日期|报送日期|"
                     r"单位负责人|分管领导|负责人|签发人|签发|注|备注|说明)\s*[:：]")


_FOOTER_STARTS = frozenset("审填制联电单分负签注备说报")


def default_periods() -> list[str]:
    from core.settings import load_settings

    s = load_settings()
    return [p.code for p in period_range(s.first_period, s.last_period)]


def validate_upload(book: ParsedBook, catalogue: Catalogue, *, filename: str, sha256: str,
                    period: str | None = None, department: str | None = None,
                    known_periods: list[str] | None = None, assigned: Mapping[str, str] | None = None) -> ImportResult:
    """`assigned`: targets 基期与责任备案 gave to a participating department (target id -> department),
    whose rows that department may then report (core.auth.may_report_target)."""
    result = ImportResult(filename=filename, sha256=sha256)
    known = list(known_periods) if known_periods else default_periods()
    ctx = Context(book, catalogue, known, result)
    ctx.assigned = dict(assigned or {})
    ctx.scope = file_scope(ctx, department, period)
    recognised = 0
    for sheet in book.sheets:
        if sheet.name == INSTRUCTIONS_SHEET:
            continue
        header = detect_header(sheet.rows, sheet.name)
        if header is None:
            if any(any(v not in ("", None) for v in row) for row in sheet.rows[:5]):
                ctx.note(sheet.name, "", "没有找到指标或任务的表头，此表未读取")
            continue
        recognised += 1
        _formula_problems(ctx, sheet, header)
        scope = sheet_scope(ctx, sheet, header.row)
        views = _views(ctx, sheet, header, scope)
        if not views:
            continue
        _column_notes(ctx, sheet, header, views)
        check = indicator_rows.check if header.kind == "indicator" else task_rows.check
        rows = sheet.rows
        width = max(view.width for view in views)
        for i in range(header.row + 1, len(rows)):
            values = rows[i]
            if len(values) < width:  # CSV rows end at their last value: every cell is then values[c]
                values = [*values, *[""] * (width - len(values))]
            first = values[0] if values else ""
            if (first.__class__ is not str or first.strip()[:1] not in _FOOTER_STARTS) and first not in ("", None):
                pass  # the usual row: an id, a number or a name in column A
            elif _is_footer(values):
                ctx.note(sheet.name, f"A{i + 1}", "表尾（审核人、填表人、联系电话等）不是数据，未读取")
                continue
            for view in views:
                check(ctx, view, values, i + 1)
    if not recognised:
        result.problems.append(Problem(
            book.sheets[0].name if book.sheets else filename, "", "",
            "没有找到“指标进展”或“任务进展”表：表头中至少需要“指标编号”或“指标名称”和“实际值”，"
            "或“任务编号/序号/工作任务”和“进展状态/完成情况/进展情况”",
            "请使用下载的填报模板，或把表头改成模板中的列名后再上传"))
    rejected = result.rejected_rows
    if rejected:  # a wide layout's row is one row: a problem in one quarter holds back its other quarters too
        result.indicators = [r for r in result.indicators if (r.sheet, r.row) not in rejected]
        result.tasks = [r for r in result.tasks if (r.sheet, r.row) not in rejected]
    result.notes = ctx.finish_notes()
    _infer_file_scope(ctx)
    return result


# --- layout -----------------------------------------------------------------------------------------


def _is_footer(values: list) -> bool:
    for value in values[:3]:
        if value.__class__ is str:
            if value.strip():
                return _FOOTER.match(value.strip()) is not None
        elif value is not None and value != "":
            return False
    return False


def _views(ctx: Context, sheet: ParsedSheet, header: Header, scope: Scope) -> list[View]:
    """How the sheet's rows are read: one view, or one per quarter column of a wide layout."""
    percent = frozenset(ref for name, ref in ctx.book.percent_cells if name == sheet.name)
    where = f"A{header.row + 1}"
    problems = ctx.result.problems
    if not header.quarters and "period" not in header.columns and scope.period is None:
        problems.append(Problem(sheet.name, where, "", "表中没有“报告期”列，也没有指定报告期",
                                "请增加“报告期”列，或在上传时选择报告期"))
        return []
    if header.kind == "task" and "department" not in header.columns and scope.department is None:
        problems.append(Problem(sheet.name, where, "", "表中没有“责任部门”列，也没有指定填报部门",
                                "请增加“责任部门”列，或在上传时选择填报部门"))
        return []
    if not header.quarters:
        return [View(sheet.name, header.kind, header.columns, scope, percent)]
    field = "value" if header.kind == "indicator" else "percent"
    views = []
    for col, (year, quarter) in header.quarters.items():
        year = year or scope.year
        heading = header.headings.get(col, "")
        if year is None:
            problems.append(Problem(sheet.name, f"{column_letter(col)}{header.row + 1}", heading,
                                    "按季度分列的表头没有写年份",
                                    "请在标题或表头写明年份（如 2020年一季度），或在上传时选择报告期"))
            return []
        code = Period(year, quarter).code
        if code not in ctx.known_set:
            ctx.note(sheet.name, f"{column_letter(col)}{header.row + 1}",
                     f"“{heading}”列是 {code}，不在填报范围内，未读取")
            continue
        views.append(View(sheet.name, header.kind, {**header.columns, field: col}, scope, percent, period=code,
                          wide=True))
    return views


def _column_notes(ctx: Context, sheet: ParsedSheet, header: Header, views: list[View]) -> None:
    row = header.row + 1
    for f, col in header.columns.items():
        heading = header.headings.get(col, "")
        if clean_header(heading) != clean_header(TEMPLATE_HEADINGS.get(f, "")):
            ctx.note(sheet.name, f"{column_letter(col)}{row}", f"“{heading}”读作{FIELD_LABELS[f]}")
    if views and views[0].wide:
        what = "实际值" if header.kind == "indicator" else "进展（状态或完成比例）"
        for view in views:
            col = view.columns["value" if header.kind == "indicator" else "percent"]
            heading = header.headings.get(col, "")
            ctx.note(sheet.name, f"{column_letter(col)}{row}", f"“{heading}”读作 {view.period} 的{what}")
    used = {*header.columns.values(), *header.quarters}
    for j, cell in enumerate(sheet.rows[header.row]):
        if j in used or not isinstance(cell, str) or not cell.strip():
            continue
        text = "只作参考，不导入" if clean_header(cell) == PREVIOUS_VALUE else "不是填报内容，未导入"
        ctx.note(sheet.name, f"{column_letter(j)}{row}", f"“{cell.strip()}”列{text}")


def _formula_problems(ctx: Context, sheet: ParsedSheet, header: Header) -> None:
    for name, ref in ctx.book.formula_cells:
        if name != sheet.name:
            continue
        row = int("".join(ch for ch in ref if ch.isdigit()))
        if row > header.row + 1:
            ctx.result.problems.append(Problem(sheet.name, ref, "", FORMULA_MESSAGE, FORMULA_FIX, row))


def _infer_file_scope(ctx: Context) -> None:
    """The department and period the file is for: given, from 说明, or the one all rows share."""
    r = ctx.result
    r.period = ctx.scope.period or _only({i.period_code for i in r.indicators} | {t.period_code for t in r.tasks})
    leads = {i.department for i in r.indicators} | {t.department for t in r.tasks}
    r.department = ctx.scope.department or _only(leads)


def _only(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None
