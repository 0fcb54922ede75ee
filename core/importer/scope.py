"""File and sheet scope: which department and period a file, or one of its sheets, is for.

Given at upload (the form's choices), written on the template's 说明 sheet, or written in the title
lines a department puts above its header ("填报单位：市市场监管局", "（2020年第四季度）"). What is given
wins; a title that says otherwise is a problem on the title's cell, so the clerk sees the mismatch.
"""
from __future__ import annotations

import re

from core.importer import normalise as n
from core.importer.headers import clean_header
from core.importer.model import Problem
from core.importer.reader import ParsedSheet
from core.importer.rows import Context, Scope, column_letter
from core.periods import parse_period

INSTRUCTIONS_SHEET = "说明"
PARAMS_SHEET = "填报参数"
PERIOD_FIX = "请写成 2020Q4、2020年第四季度 或 2020-12 这样的格式"
_DEPARTMENT_LABEL = re.compile(r"(?:填报|报送|责任)?(?:单位|部门)(?:名称)?(?:[(（]盖章[)）])?[:：]\s*([^\s:：(（]+)")
_PERIOD_IN_TEXT = re.compile(
    r"(?:[〇零一二三四五六七八九]{4}|\d{4})\s*(?:年\s*(?:第?[一二三四1-4]\s*季度|1[-~—至到]\d{1,2}月|\d{1,2}月|上半年|下半年|"
    r"前三季度|全年|度)|[Qq][1-4])")


def file_scope(ctx: Context, department: str | None, period: str | None) -> Scope:
    scope = Scope()
    if department:
        scope.department = _checked_department(ctx, department, PARAMS_SHEET, "")
    else:
        label = _instruction(ctx, ("填报部门", "部门", "填报单位", "责任部门"))
        if label and n.compact(label[0]) not in n.CITY_WORDS:
            scope.department = _checked_department(ctx, label[0], INSTRUCTIONS_SHEET, label[1])
    if period:
        p = parse_period(period)
        if p is None or p.code not in ctx.known_periods:
            ctx.result.problems.append(Problem(PARAMS_SHEET, "", period, "不是可填报的报告期", PERIOD_FIX))
        else:
            scope.period = p.code
    else:
        label = _instruction(ctx, ("报告期", "填报期", "报告季度"))
        if label:
            p = n.period(label[0])
            if p and p.code in ctx.known_periods:
                scope.period = p.code
            else:
                ctx.result.problems.append(Problem(INSTRUCTIONS_SHEET, label[1], n.shown(label[0]), "无法识别的报告期",
                                                   PERIOD_FIX))
    if scope.period:
        scope.year = int(scope.period[:4])
    return scope


def sheet_scope(ctx: Context, sheet: ParsedSheet, header_row: int) -> Scope:
    """The file's scope, completed (or contradicted) by the title lines above the sheet's header."""
    given = ctx.scope
    scope = Scope(given.department, given.period, given.year)
    department = period = year = None
    for i, row in enumerate(sheet.rows[:header_row]):
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            where = f"{column_letter(j)}{i + 1}"
            if department is None:
                department = _title_department(cell, row, j, where)
            if period is None:
                m = _PERIOD_IN_TEXT.search(n.compact(cell))
                p = n.period(m.group(0)) if m else None
                if p:
                    period = (p, m.group(0), where)
            if year is None:  # "2020年农产品…（分季度）": the year of a wide layout's quarters
                m = re.search(r"(20\d\d)年", n.compact(cell))
                year = int(m.group(1)) if m else None
    if department:
        raw, where = department
        name = _title_department_name(ctx, raw)
        if name is None:  # the office, a county, a group: not a department's own sheet; the rows will say
            ctx.note(sheet.name, where, f"标题中的填报单位“{raw}”不是方案中的某个部门，未作为本表的填报部门")
        elif given.department and name != given.department:
            ctx.result.problems.append(Problem(
                sheet.name, where, raw, f"标题写的填报单位是{name}，上传时选择的是{given.department}",
                "请确认填报单位：改正标题，或由该部门上传"))
        else:
            scope.department = name
            ctx.note(sheet.name, where, f"填报单位读作 {name}（取自标题“{raw}”）")
    if period:
        p, written, where = period
        if p.code not in ctx.known_set:
            ctx.result.problems.append(Problem(sheet.name, where, written,
                                               f"标题中的报告期 {p.code} 不在方案的填报范围内",
                                               "请改正标题中的报告期，或在上传时选择报告期"))
        elif given.period and p.code != given.period:
            ctx.result.problems.append(Problem(
                sheet.name, where, written, f"标题写的报告期是 {p.code}，上传时选择的是 {given.period}",
                "请确认报告期：改正标题，或上传时选择标题中的报告期"))
        else:
            scope.period = p.code
            ctx.note(sheet.name, where, f"报告期读作 {p.code}（取自标题“{written}”）")
        scope.year = scope.year or p.year
    scope.year = scope.year or year
    return scope


def _title_department_name(ctx: Context, raw: str) -> str | None:
    """A department as written in a title: its name or alias, or a close spelling of one
    ("湛江市市场监督管理局" for 市市场监管局); a guess needs most of the words to agree."""
    import difflib

    text = n.compact(raw)
    if text in n.CITY_WORDS:
        return None
    name = ctx.catalogue.canonical_department(text)
    if name:
        return name
    hint = n.suggest_department(raw, ctx.catalogue)
    spelled = text.replace("湛江市", "市")
    if hint and difflib.SequenceMatcher(None, spelled, hint).ratio() >= 0.75:
        return hint
    return None


def _title_department(cell: str, row: list, j: int, where: str) -> tuple[str, str] | None:
    text = n.compact(cell)
    m = _DEPARTMENT_LABEL.search(text)
    if m:
        return m.group(1), where
    if clean_header(cell) in ("填报单位", "报送单位", "填报部门", "单位", "填报单位(盖章)"):
        for k in range(j + 1, len(row)):
            if isinstance(row[k], str) and row[k].strip():
                return row[k].strip(), f"{column_letter(k)}{where.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
    return None


def _checked_department(ctx: Context, value: object, sheet: str, cell: str) -> str | None:
    name = ctx.catalogue.canonical_department(n.compact(value))
    if name:
        return name
    hint = n.suggest_department(value, ctx.catalogue)
    ctx.result.problems.append(Problem(
        sheet, cell, n.shown(value), "不是方案中的责任部门",
        f"您是否指“{hint}”？请改用方案中的部门全称" if hint else "请改用方案中的部门全称（见填报模板）"))
    return None


def _instruction(ctx: Context, labels: tuple[str, ...]) -> tuple[object, str] | None:
    """On the 说明 sheet: the cell right of a label (“填报部门 | 市市场监管局”) or “填报部门：X” in one cell."""
    sheet = ctx.book.sheet(INSTRUCTIONS_SHEET)
    if sheet is None:
        return None
    wanted = {clean_header(x) for x in labels}
    for i, row in enumerate(sheet.rows[:40]):
        for j, cell in enumerate(row):
            if not isinstance(cell, str):
                continue
            raw = cell.strip()
            for sep in ("：", ":"):
                head, found, tail = raw.partition(sep)
                if found and clean_header(head) in wanted and tail.strip():
                    return tail.strip(), f"{column_letter(j)}{i + 1}"
            if clean_header(raw) in wanted:
                for k in range(j + 1, len(row)):
                    if not n.is_blank(row[k]):
                        return row[k], f"{column_letter(k)}{i + 1}"
    return None
