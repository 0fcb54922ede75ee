"""validate_upload: a ParsedBook checked against the catalogue, every problem at once.

A row with any problem is rejected as a whole; a problem with no row (a sheet that cannot be
read, a wrong department for the whole file) blocks the file even in “valid rows only” mode.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.catalogue import Catalogue, Target, Task
from core.importer import normalise as n
from core.importer.headers import Header, clean_header, detect_header
from core.importer.model import ImportResult, IndicatorRow, Problem, TaskRow
from core.importer.reader import ParsedBook, ParsedSheet
from core.periods import parse_period, period_range
from core.reporting import TASK_STATUSES

INSTRUCTIONS_SHEET = "说明"
PARAMS_SHEET = "填报参数"
FORMULA_MESSAGE = "公式没有计算结果"
FORMULA_FIX = "请在 Excel 中打开并保存后再上传"
PERIOD_FIX = "请写成 2020Q4、2020年第四季度 或 2020-12 这样的格式"


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def default_periods() -> list[str]:
    from core.settings import load_settings

    s = load_settings()
    return [p.code for p in period_range(s.first_period, s.last_period)]


@dataclass
class _Context:
    book: ParsedBook
    catalogue: Catalogue
    known_periods: list[str]
    period: str | None  # the period the whole file is for, if known
    department: str | None  # the department the whole file is for, if known
    result: ImportResult
    targets: dict[str, Target] = field(default_factory=dict)
    target_names: dict[str, Target] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)
    task_titles: dict[str, Task] = field(default_factory=dict)
    seen: dict[tuple, str] = field(default_factory=dict)  # duplicate key -> where first seen
    periods: dict[str, object] = field(default_factory=dict)  # each spelling of a period parsed once

    def __post_init__(self) -> None:
        self.targets = {t.id: t for t in self.catalogue.targets}
        self.target_names = {clean_header(t.name): t for t in self.catalogue.targets}
        self.tasks = {t.id: t for t in self.catalogue.tasks}
        self.task_titles = {clean_header(t.title): t for t in self.catalogue.tasks}

    @property
    def format_known(self) -> bool:
        return self.book.kind in ("xlsx", "xlsm")


class _Row:
    """One data row of a sheet: reads fields by name, records problems with their cells."""

    def __init__(self, ctx: _Context, sheet: ParsedSheet, header: Header, index: int):
        self.ctx, self.sheet, self.header, self.index = ctx, sheet, header, index
        self.values = sheet.rows[index]
        self.excel_row = index + 1
        self.problems: list[Problem] = []

    def get(self, f: str) -> object:
        col = self.header.columns.get(f)
        return self.values[col] if col is not None and col < len(self.values) else ""

    def has(self, f: str) -> bool:
        return f in self.header.columns and not n.is_blank(self.get(f))

    def cell(self, f: str) -> str:
        col = self.header.columns.get(f, 0)
        return f"{column_letter(col)}{self.excel_row}"

    def problem(self, f: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.sheet.name, self.cell(f), n.shown(self.get(f)), message, fix, self.excel_row))

    def is_percent_formatted(self, f: str) -> bool:
        return (self.sheet.name, self.cell(f)) in self.ctx.book.percent_cells

    def period(self) -> str | None:
        if self.has("period"):
            raw = self.get("period")
            p = self.ctx.periods.get(raw) if isinstance(raw, str) else None
            if p is None:
                p = parse_period(raw)
                if isinstance(raw, str) and p is not None:
                    self.ctx.periods[raw] = p
            if p is None:
                self.problem("period", "无法识别的报告期", PERIOD_FIX)
                return None
            if p.code not in self.ctx.known_periods:
                span = f"{self.ctx.known_periods[0]}–{self.ctx.known_periods[-1]}" if self.ctx.known_periods else ""
                self.problem("period", f"报告期 {p.code} 不在方案的填报范围（{span}）内", "请填写方案实施期内的季度")
                return None
            return p.code
        return self.ctx.period

    def once(self, key: tuple, f: str, what: str) -> None:
        where = f"{self.sheet.name}!{self.cell(f)}"
        first = self.ctx.seen.setdefault(key, where)
        if first != where:
            self.problem(f, f"与 {first} 重复：{what}填了两次", "请删除其中一行，或合并为一行")


def validate_upload(book: ParsedBook, catalogue: Catalogue, *, filename: str, sha256: str,
                    period: str | None = None, department: str | None = None,
                    known_periods: list[str] | None = None) -> ImportResult:
    result = ImportResult(filename=filename, sha256=sha256)
    known = list(known_periods) if known_periods else default_periods()
    ctx = _Context(book, catalogue, known, None, None, result)
    ctx.department = _file_department(ctx, department)
    ctx.period = _file_period(ctx, period)
    recognised = 0
    for sheet in book.sheets:
        if sheet.name == INSTRUCTIONS_SHEET:
            continue
        header = detect_header(sheet.rows, sheet.name)
        if header is None:
            continue
        recognised += 1
        _formula_problems(ctx, sheet, header)
        if not _sheet_has_needed_columns(ctx, sheet, header):
            continue
        check = _indicator_row if header.kind == "indicator" else _task_row
        for i in range(header.row + 1, len(sheet.rows)):
            row = _Row(ctx, sheet, header, i)
            check(row)
            result.problems += row.problems
    if not recognised:
        result.problems.append(Problem(
            book.sheets[0].name if book.sheets else filename, "", "",
            "没有找到“指标进展”或“任务进展”表：表头中至少需要“指标编号”和“实际值”，或“任务编号/工作任务”和“进展状态/进展情况”",
            "请使用下载的填报模板，或把表头改成模板中的列名后再上传"))
    _infer_file_scope(ctx)
    return result


def _file_department(ctx: _Context, given: str | None) -> str | None:
    if given:
        return _checked_department(ctx, given, PARAMS_SHEET, "")
    label = _instruction(ctx.book, ("填报部门", "部门", "填报单位", "责任部门"))
    if label and n.compact(label[0]) not in n.CITY_WORDS:
        return _checked_department(ctx, label[0], INSTRUCTIONS_SHEET, label[1])
    return None


def _checked_department(ctx: _Context, value: object, sheet: str, cell: str) -> str | None:
    name = ctx.catalogue.canonical_department(n.compact(value))
    if name:
        return name
    hint = n.suggest_department(value, ctx.catalogue)
    ctx.result.problems.append(Problem(
        sheet, cell, n.shown(value), "不是方案中的责任部门",
        f"您是否指“{hint}”？请改用方案中的部门全称" if hint else "请改用方案中的部门全称（见填报模板）"))
    return None


def _file_period(ctx: _Context, given: str | None) -> str | None:
    if given:
        p = parse_period(given)
        if p is None or p.code not in ctx.known_periods:
            ctx.result.problems.append(Problem(PARAMS_SHEET, "", given, "不是可填报的报告期", PERIOD_FIX))
            return None
        return p.code
    label = _instruction(ctx.book, ("报告期", "填报期", "报告季度"))
    if label:
        p = parse_period(label[0])
        if p and p.code in ctx.known_periods:
            return p.code
        ctx.result.problems.append(Problem(INSTRUCTIONS_SHEET, label[1], n.shown(label[0]), "无法识别的报告期", PERIOD_FIX))
    return None


def _instruction(book: ParsedBook, labels: tuple[str, ...]) -> tuple[object, str] | None:
    """On the 说明 sheet: the cell right of a label (“填报部门 | 市市场监管局”) or “填报部门：X” in one cell."""
    sheet = book.sheet(INSTRUCTIONS_SHEET)
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


def _formula_problems(ctx: _Context, sheet: ParsedSheet, header: Header) -> None:
    for name, ref in ctx.book.formula_cells:
        if name != sheet.name:
            continue
        row = int("".join(ch for ch in ref if ch.isdigit()))
        if row > header.row + 1:
            ctx.result.problems.append(Problem(sheet.name, ref, "", FORMULA_MESSAGE, FORMULA_FIX, row))


def _sheet_has_needed_columns(ctx: _Context, sheet: ParsedSheet, header: Header) -> bool:
    where = f"A{header.row + 1}"
    if "period" not in header.columns and ctx.period is None:
        ctx.result.problems.append(Problem(sheet.name, where, "", "表中没有“报告期”列，也没有指定报告期",
                                           "请增加“报告期”列，或在上传时选择报告期"))
        return False
    if header.kind == "task" and "department" not in header.columns and ctx.department is None:
        ctx.result.problems.append(Problem(sheet.name, where, "", "表中没有“责任部门”列，也没有指定填报部门",
                                           "请增加“责任部门”列，或在上传时选择填报部门"))
        return False
    return True


# --- indicator rows ----------------------------------------------------------------------------


def _indicator_row(row: _Row) -> None:
    if n.is_blank(row.get("value")):
        return  # a template row left empty: not reported this time
    row.ctx.result.rows_read += 1
    target = _target(row)
    adcode = _district(row, target)
    period = row.period()
    value = _indicator_value(row, target) if target else None
    if target and row.ctx.department and target.lead_department != row.ctx.department:
        row.problem("target_id" if "target_id" in row.header.columns else "target_name",
                    f"该指标由{target.lead_department}牵头填报，不是{row.ctx.department}",
                    f"请删除此行，或由{target.lead_department}填报")
    if target and period and adcode is not False:
        row.once((target.id, adcode, period), "value", f"{target.id} · {_district_name(row, adcode)} · {period}")
    if row.problems or target is None or period is None or value is None or adcode is False:
        return
    row.ctx.result.indicators.append(IndicatorRow(
        target_id=target.id, district_adcode=adcode, period_code=period, value=value,
        data_source=n.text(row.get("data_source")), note=n.text(row.get("note")),
        sheet=row.sheet.name, row=row.excel_row))


def _target(row: _Row) -> Target | None:
    ctx = row.ctx
    if row.has("target_id"):
        raw = n.compact(row.get("target_id")).upper()
        if raw.startswith("T") and raw[1:].isdigit():
            raw = f"T{int(raw[1:]):02d}"
        target = ctx.targets.get(raw)
        if target is None:
            row.problem("target_id", "指标编号不存在", f"请使用模板中的指标编号（{ctx.catalogue.targets[0].id}–{ctx.catalogue.targets[-1].id}）")
        return target
    if row.has("target_name"):
        target = ctx.target_names.get(clean_header(row.get("target_name")))
        if target is None:
            row.problem("target_name", "指标名称与方案不一致，且没有填写指标编号", "请填写指标编号，或使用模板中的指标名称")
        return target
    row.problem("target_id", "缺少指标编号", "请填写指标编号（如 T02）")
    return None


def _district(row: _Row, target: Target | None) -> str | None | bool:
    """Adcode, None for the whole city, False when the cell is wrong (already reported)."""
    if not row.has("district"):
        return None
    try:
        adcode = n.district(row.get("district"), row.ctx.catalogue)
    except n.Invalid as exc:
        names = "、".join(d.name for d in row.ctx.catalogue.districts)
        row.problem("district", str(exc), f"请从下拉列表选择：全市、{names}")
        return False
    if adcode and target and not target.district_breakdown:
        row.problem("district", f"指标 {target.id} 不分区县填报", "请把区县改为“全市”或留空")
        return False
    return adcode


def _district_name(row: _Row, adcode: str | None) -> str:
    if adcode is None:
        return "全市"
    return next((d.name for d in row.ctx.catalogue.districts if d.adcode == adcode), adcode)


def _indicator_value(row: _Row, target: Target) -> float | None:
    raw = row.get("value")
    try:
        if target.kind == "yesno":
            return n.yes_no(raw)
        if target.unit != "%":
            return n.number(raw)[0]
        value = n.percent_value(raw, formatted_percent=row.is_percent_formatted("value"),
                                format_known=row.ctx.format_known)
    except n.Invalid as exc:
        unit = f"（单位：{target.unit}）" if target.unit else ""
        row.problem("value", str(exc), f"请填写数字{unit}，不要带文字")
        return None
    if "增长" not in target.name and not 0 <= value <= 100:
        row.problem("value", "百分比应在 0–100 之间", "请填写 0 到 100 之间的数字（95 或 95% 均可）")
        return None
    return value


# --- task rows -----------------------------------------------------------------------------------


def _task_row(row: _Row) -> None:
    if not any(row.has(f) for f in ("status", "percent", "narrative", "problems", "next_steps")):
        return  # a task row not reported this time (or an annex row without progress)
    row.ctx.result.rows_read += 1
    task = _task(row)
    department = _task_department(row, task)
    period = row.period()
    status = _task_status(row)
    percent = _task_percent(row)
    if task and department and period:
        row.once((task.id, department, period), _task_cell_field(row), f"任务{task.id} · {department} · {period}")
    if row.problems or not (task and department and period and status):
        return
    row.ctx.result.tasks.append(TaskRow(
        task_id=task.id, department=department, period_code=period, status=status, percent=percent,
        narrative=n.text(row.get("narrative")), problems=n.text(row.get("problems")),
        next_steps=n.text(row.get("next_steps")), sheet=row.sheet.name, row=row.excel_row))


def _task_cell_field(row: _Row) -> str:
    return next((f for f in ("task_id", "task_title", "seq") if f in row.header.columns), "task_id")


def _task(row: _Row) -> Task | None:
    ctx = row.ctx
    f = _task_cell_field(row)
    task_id = n.leading_number(row.get("task_id")) if row.has("task_id") else None
    if task_id is None and row.has("task_title"):
        task_id = n.leading_number(row.get("task_title"))
        if task_id is None:
            found = ctx.task_titles.get(clean_header(row.get("task_title")))
            task_id = found.id if found else None
    if task_id is None and row.has("seq"):
        task_id = n.leading_number(row.get("seq"))
    if task_id is None or task_id not in ctx.tasks:
        last = ctx.catalogue.tasks[-1].id if ctx.catalogue.tasks else 0
        message = "缺少任务编号" if n.is_blank(row.get(f)) else "任务编号不存在"
        row.problem(f, message, f"请填写方案附件中的任务编号（1–{last}）")
        return None
    return ctx.tasks[task_id]


def _task_department(row: _Row, task: Task | None) -> str | None:
    ctx = row.ctx
    department = ctx.department
    if row.has("department"):
        raw = row.get("department")
        named = ctx.catalogue.canonical_department(n.compact(raw))
        if named is None and "牵头" in n.shown(raw):
            named = department or n.lead_from_annex(raw, ctx.catalogue)
        if named is None:
            hint = n.suggest_department(raw, ctx.catalogue)
            row.problem("department", "不是方案中的责任部门",
                        f"您是否指“{hint}”？请改用方案中的部门全称" if hint else "请改用方案中的部门全称（见填报模板）")
            return None
        if department and named != department:
            row.problem("department", f"本表是{department}的填报表，此行却是{named}", f"请删除此行，或由{named}单独填报")
            return None
        department = named
    if department is None:
        row.problem("department", "缺少责任部门", "请填写责任部门，或在上传时选择填报部门")
        return None
    if task and not _takes_part(ctx.catalogue, task, department):
        row.problem("department", f"{department}既不牵头也不参与任务{task.id}“{task.title}”",
                    f"请删除此行；该任务由{task.lead_department}牵头")
        return None
    return department


def _takes_part(catalogue: Catalogue, task: Task, department: str) -> bool:
    if department == task.lead_department or department in task.participants:
        return True
    # “市直相关单位” and the like stand for any city department.
    groups = {d.name for d in catalogue.departments if d.kind == "group"}
    return any(p in groups for p in task.participants)


def _task_status(row: _Row) -> str | None:
    if not row.has("status"):
        row.problem("status", "缺少进展状态", f"请从下拉列表选择：{'、'.join(TASK_STATUSES)}")
        return None
    try:
        return n.status(row.get("status"))
    except n.Invalid as exc:
        row.problem("status", str(exc), f"请从下拉列表选择：{'、'.join(TASK_STATUSES)}")
        return None


def _task_percent(row: _Row) -> float | None:
    if not row.has("percent"):
        return None
    try:
        # Progress below 1% is implausible, so a bare 0.95 is a share even in an xlsx.
        value = n.percent_value(row.get("percent"), formatted_percent=row.is_percent_formatted("percent"),
                                format_known=False)
    except n.Invalid as exc:
        row.problem("percent", str(exc), "请填写 0 到 100 之间的数字（60 或 60% 均可）")
        return None
    if value > 100:
        row.problem("percent", "完成进度超过 100%", "请填写 0 到 100 之间的数字")
        return None
    if value < 0:
        row.problem("percent", "完成进度不能为负数", "请填写 0 到 100 之间的数字")
        return None
    return value


def _infer_file_scope(ctx: _Context) -> None:
    """The department and period the file is for: given, from 说明, or the one all rows share."""
    r = ctx.result
    r.period = ctx.period or _only({i.period_code for i in r.indicators} | {t.period_code for t in r.tasks})
    leads = {ctx.targets[i.target_id].lead_department for i in r.indicators} | {t.department for t in r.tasks}
    r.department = ctx.department or _only(leads)


def _only(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None
