"""validate_upload: a ParsedBook checked against the catalogue, every problem at once.

A row with any problem is rejected as a whole; a problem with no row (a sheet that cannot be
read, a wrong department for the whole file) blocks the file even in “valid rows only” mode.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.catalogue import Catalogue, Target, Task
from core.importer import normalise as n
from core.importer.headers import INDICATOR_FIELDS, TASK_FIELDS, TASK_INPUTS, Header, clean_header, detect_header
from core.importer.model import ImportResult, IndicatorRow, Problem, TaskRow
from core.importer.reader import ParsedBook, ParsedSheet
from core.periods import parse_period, period_range
from core.reporting import TASK_STATUSES

INSTRUCTIONS_SHEET = "说明"
PARAMS_SHEET = "填报参数"
FORMULA_MESSAGE = "公式没有计算结果"
FORMULA_FIX = "请在 Excel 中打开并保存后再上传"
PERIOD_FIX = "请写成 2020Q4、2020年第四季度 或 2020-12 这样的格式"
FAST_ROWS = True  # see _indicator_fast; tests switch it off to compare


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
    seen: dict[tuple, tuple] = field(default_factory=dict)  # duplicate key -> (sheet, field, row) first seen
    periods: dict[str, object] = field(default_factory=dict)  # each spelling of a period parsed once
    period_codes: dict[str, str] = field(default_factory=dict)  # spellings of known periods -> code
    # Ids, districts, departments and statuses repeat on every row: each spelling is read once.
    # Only text cells are remembered (1 and True are equal keys, but read differently).
    target_ids: dict[str, str] = field(default_factory=dict)
    districts: dict[str, tuple[bool, str | None]] = field(default_factory=dict)  # (ok, adcode or message)
    departments: dict[str, str | None] = field(default_factory=dict)
    statuses: dict[str, tuple[bool, str]] = field(default_factory=dict)  # (ok, status or message)
    task_numbers: dict[str, int | None] = field(default_factory=dict)
    takes_part: dict[tuple[int, str], bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.targets = {t.id: t for t in self.catalogue.targets}
        self.target_names = {clean_header(t.name): t for t in self.catalogue.targets}
        self.tasks = {t.id: t for t in self.catalogue.tasks}
        self.task_titles = {clean_header(t.title): t for t in self.catalogue.tasks}
        self.known_set = frozenset(self.known_periods)
        self.district_names: dict[str, str] = {}
        for d in self.catalogue.districts:
            self.district_names.setdefault(d.adcode, d.name)

    @property
    def format_known(self) -> bool:
        return self.book.kind in ("xlsx", "xlsm")


class _SheetInfo:
    """What every row of one sheet shares: its columns, their letters, its percent-formatted cells."""

    def __init__(self, ctx: _Context, sheet: ParsedSheet, header: Header):
        self.name = sheet.name
        self.columns = header.columns
        self.items = tuple(header.columns.items())
        self.letters = {f: column_letter(col) for f, col in header.columns.items()}
        self.percent = {ref for name, ref in ctx.book.percent_cells if name == sheet.name}
        self.task_cell_field = next((f for f in ("task_id", "task_title", "seq") if f in header.columns), "task_id")
        # For the fast paths: every field's column (None when absent), the columns a task row reports
        # in, and how long a row must be for all of them (shorter rows take the slow path).
        self.col = {f: header.columns.get(f) for f in (*INDICATOR_FIELDS, *TASK_FIELDS)}
        self.inputs = [header.columns[f] for f in TASK_INPUTS if f in header.columns]
        self.texts = [header.columns.get(f) for f in ("narrative", "problems", "next_steps")]
        self.width = max(header.columns.values(), default=-1) + 1

    def letter(self, f: str) -> str:
        letter = self.letters.get(f)
        return letter if letter is not None else column_letter(self.columns.get(f, 0))


def _filled(value: object) -> bool:
    """not n.is_blank(value), quicker for the text and numbers most cells hold."""
    cls = value.__class__
    if cls is str:
        return bool(value.strip())
    if cls is float:
        return value == value  # NaN is blank
    return not n.is_blank(value)


class _Row:
    """One data row of a sheet: reads fields by name, records problems with their cells."""

    __slots__ = ("ctx", "sheet", "header", "info", "data", "excel_row", "problems")

    def __init__(self, ctx: _Context, sheet: ParsedSheet, header: Header, info: _SheetInfo, values: list,
                 excel_row: int):
        self.ctx, self.sheet, self.header, self.info = ctx, sheet, header, info
        size = len(values)
        # field -> cell value ("" past the row's end); a field without a column reads as "".
        self.data = {f: values[col] if col < size else "" for f, col in info.items}
        self.excel_row = excel_row
        self.problems: list[Problem] = []

    def get(self, f: str) -> object:
        return self.data.get(f, "")

    def has(self, f: str) -> bool:
        return _filled(self.data.get(f, ""))

    def cell(self, f: str) -> str:
        return f"{self.info.letter(f)}{self.excel_row}"

    def problem(self, f: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.sheet.name, self.cell(f), n.shown(self.get(f)), message, fix, self.excel_row))

    def is_percent_formatted(self, f: str) -> bool:
        percent = self.info.percent
        return bool(percent) and self.cell(f) in percent

    def period(self) -> str | None:
        raw = self.data.get("period", "")
        if not _filled(raw):
            return self.ctx.period
        ctx = self.ctx
        if isinstance(raw, str):
            code = ctx.period_codes.get(raw)
            if code is not None:
                return code
        p = ctx.periods.get(raw) if isinstance(raw, str) else None
        if p is None:
            p = parse_period(raw)
            if isinstance(raw, str) and p is not None:
                ctx.periods[raw] = p
        if p is None:
            self.problem("period", "无法识别的报告期", PERIOD_FIX)
            return None
        code = p.code
        if code not in ctx.known_set:
            span = f"{ctx.known_periods[0]}–{ctx.known_periods[-1]}" if ctx.known_periods else ""
            self.problem("period", f"报告期 {code} 不在方案的填报范围（{span}）内", "请填写方案实施期内的季度")
            return None
        if isinstance(raw, str):
            ctx.period_codes[raw] = code
        return code

    def once(self, key: tuple, f: str, what) -> None:
        """`what` (text or a function giving it) is worked out only when the key was seen before."""
        here = (self.info, f, self.excel_row)
        first = self.ctx.seen.setdefault(key, here)
        if first is here:
            return
        first_info, first_field, first_row = first
        first_where = f"{first_info.name}!{first_info.letter(first_field)}{first_row}"
        if first_where != f"{self.sheet.name}!{self.cell(f)}":
            text = what() if callable(what) else what
            self.problem(f, f"与 {first_where} 重复：{text}填了两次", "请删除其中一行，或合并为一行")


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
        info = _SheetInfo(ctx, sheet, header)
        fast = (_indicator_fast if header.kind == "indicator" else _task_fast) if FAST_ROWS else None
        rows = sheet.rows
        for i in range(header.row + 1, len(rows)):
            if fast is not None and fast(ctx, info, rows[i], i + 1):
                continue
            row = _Row(ctx, sheet, header, info, rows[i], i + 1)
            check(row)
            if row.problems:
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
    if not _filled(row.data.get("value", "")):
        return  # a template row left empty: not reported this time
    ctx = row.ctx
    ctx.result.rows_read += 1
    target = _target(row)
    adcode = _district(row, target)
    period = row.period()
    value = _indicator_value(row, target) if target else None
    if target and ctx.department and target.lead_department != ctx.department:
        row.problem("target_id" if "target_id" in row.header.columns else "target_name",
                    f"该指标由{target.lead_department}牵头填报，不是{ctx.department}",
                    f"请删除此行，或由{target.lead_department}填报")
    if target and period and adcode is not False:
        row.once((target.id, adcode, period), "value",
                 lambda: f"{target.id} · {_district_name(row, adcode)} · {period}")
    if row.problems or target is None or period is None or value is None or adcode is False:
        return
    data = row.data
    ctx.result.indicators.append(IndicatorRow(
        target_id=target.id, district_adcode=adcode, period_code=period, value=value,
        data_source=n.text(data.get("data_source", "")), note=n.text(data.get("note", "")),
        sheet=row.sheet.name, row=row.excel_row))


def _target(row: _Row) -> Target | None:
    ctx = row.ctx
    if row.has("target_id"):
        target = ctx.targets.get(_target_key(ctx, row.get("target_id")))
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


def _target_key(ctx: _Context, raw: object) -> str:
    """The catalogue id a target-id cell means: “t2”, “T02” and “Ｔ２” all give T02."""
    key = ctx.target_ids.get(raw) if isinstance(raw, str) else None
    if key is None:
        key = n.compact(raw).upper()
        if key.startswith("T") and key[1:].isdigit():
            key = f"T{int(key[1:]):02d}"
        if isinstance(raw, str):
            ctx.target_ids[raw] = key
    return key


def _district(row: _Row, target: Target | None) -> str | None | bool:
    """Adcode, None for the whole city, False when the cell is wrong (already reported)."""
    raw = row.data.get("district", "")
    if not _filled(raw):
        return None
    ctx = row.ctx
    known = ctx.districts.get(raw) if isinstance(raw, str) else None
    if known is None:
        try:
            known = (True, n.district(raw, ctx.catalogue))
        except n.Invalid as exc:
            known = (False, str(exc))
        if isinstance(raw, str):
            ctx.districts[raw] = known
    ok, adcode = known
    if not ok:
        names = "、".join(d.name for d in ctx.catalogue.districts)
        row.problem("district", adcode, f"请从下拉列表选择：全市、{names}")
        return False
    if adcode and target and not target.district_breakdown:
        row.problem("district", f"指标 {target.id} 不分区县填报", "请把区县改为“全市”或留空")
        return False
    return adcode


def _district_name(row: _Row, adcode: str | None) -> str:
    if adcode is None:
        return "全市"
    return row.ctx.district_names.get(adcode, adcode)


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
    data = row.data
    for f in TASK_INPUTS:
        if _filled(data.get(f, "")):
            break
    else:
        return  # a task row not reported this time (or an annex row without progress)
    ctx = row.ctx
    ctx.result.rows_read += 1
    task = _task(row)
    department = _task_department(row, task)
    period = row.period()
    status = _task_status(row)
    percent = _task_percent(row)
    if task and department and period:
        row.once((task.id, department, period), _task_cell_field(row),
                 lambda: f"任务{task.id} · {department} · {period}")
    if row.problems or not (task and department and period and status):
        return
    ctx.result.tasks.append(TaskRow(
        task_id=task.id, department=department, period_code=period, status=status, percent=percent,
        narrative=n.text(data.get("narrative", "")), problems=n.text(data.get("problems", "")),
        next_steps=n.text(data.get("next_steps", "")), sheet=row.sheet.name, row=row.excel_row))


def _task_cell_field(row: _Row) -> str:
    return row.info.task_cell_field


def _task_number(ctx: _Context, raw: object) -> int | None:
    if not isinstance(raw, str):
        return n.leading_number(raw)
    if raw not in ctx.task_numbers:
        ctx.task_numbers[raw] = n.leading_number(raw)
    return ctx.task_numbers[raw]


def _task(row: _Row) -> Task | None:
    ctx = row.ctx
    f = _task_cell_field(row)
    task_id = _task_number(ctx, row.get("task_id")) if row.has("task_id") else None
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
        if isinstance(raw, str):
            if raw not in ctx.departments:
                ctx.departments[raw] = ctx.catalogue.canonical_department(n.compact(raw))
            named = ctx.departments[raw]
        else:
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
    if task and not _takes_part_cached(ctx, task, department):
        row.problem("department", f"{department}既不牵头也不参与任务{task.id}“{task.title}”",
                    f"请删除此行；该任务由{task.lead_department}牵头")
        return None
    return department


def _takes_part_cached(ctx: _Context, task: Task, department: str) -> bool:
    key = (task.id, department)
    if key not in ctx.takes_part:
        ctx.takes_part[key] = _takes_part(ctx.catalogue, task, department)
    return ctx.takes_part[key]


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
    raw = row.get("status")
    known = row.ctx.statuses.get(raw) if isinstance(raw, str) else None
    if known is None:
        try:
            known = (True, n.status(raw))
        except n.Invalid as exc:
            known = (False, str(exc))
        if isinstance(raw, str):
            row.ctx.statuses[raw] = known
    ok, status = known
    if not ok:
        row.problem("status", status, f"请从下拉列表选择：{'、'.join(TASK_STATUSES)}")
        return None
    return status


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


# --- the common row, without _Row ----------------------------------------------------------------
# A large file repeats a few ids, districts, periods, departments and statuses on every row. Once a
# spelling has been read by the checks above (and remembered in _Context), a row made only of such
# spellings is handled here with the same outcome: the same row kept, the same duplicate key, no
# problem. Anything else (an unseen or wrong spelling, a duplicate, a value that does not read or
# is out of range, a row shorter than the header) returns False and the row goes through _Row and
# the checks, which find and word its problems. tests/test_upload_speed_paths.py compares both ways.


def _known_period(ctx: _Context, raw: object) -> str | None:
    if raw.__class__ is str:
        if raw.strip():
            return ctx.period_codes.get(raw)
        return ctx.period
    return ctx.period if raw is None else None


def _indicator_fast(ctx: _Context, info: _SheetInfo, values: list, excel_row: int) -> bool:
    if len(values) < info.width:
        return False
    col = info.col
    raw = values[col["value"]]
    if not (bool(raw.strip()) if raw.__class__ is str else _filled(raw)):
        return True  # a template row left empty: nothing to do, as in _indicator_row
    c = col["target_id"]
    raw_id = values[c] if c is not None else ""
    if raw_id.__class__ is not str or not raw_id.strip():
        return False
    target = ctx.targets.get(ctx.target_ids.get(raw_id))
    if target is None or (ctx.department and target.lead_department != ctx.department):
        return False
    adcode = None
    c = col["district"]
    if c is not None:
        raw_district = values[c]
        if raw_district.__class__ is not str:
            return False
        if raw_district.strip():
            known = ctx.districts.get(raw_district)
            if known is None or not known[0]:
                return False
            adcode = known[1]
            if adcode and not target.district_breakdown:
                return False
    c = col["period"]
    period = _known_period(ctx, values[c]) if c is not None else ctx.period
    if period is None:
        return False
    try:
        if target.kind == "yesno":
            value = n.yes_no(raw)
        elif target.unit != "%":
            value = n.number(raw)[0]
        else:
            formatted = bool(info.percent) and f"{info.letter('value')}{excel_row}" in info.percent
            value = n.percent_value(raw, formatted_percent=formatted, format_known=ctx.format_known)
            if "增长" not in target.name and not 0 <= value <= 100:
                return False
    except n.Invalid:
        return False
    here = (info, "value", excel_row)
    if ctx.seen.setdefault((target.id, adcode, period), here) is not here:
        return False
    ctx.result.rows_read += 1
    c, c2 = col["data_source"], col["note"]
    ctx.result.indicators.append(IndicatorRow(
        target_id=target.id, district_adcode=adcode, period_code=period, value=value,
        data_source=n.text(values[c]) if c is not None else "", note=n.text(values[c2]) if c2 is not None else "",
        sheet=info.name, row=excel_row))
    return True


def _task_fast(ctx: _Context, info: _SheetInfo, values: list, excel_row: int) -> bool:
    if len(values) < info.width:
        return False
    col = info.col
    for c in info.inputs:
        raw = values[c]
        if bool(raw.strip()) if raw.__class__ is str else _filled(raw):
            break
    else:
        return True  # not reported this time: nothing to do, as in _task_row
    c = col["task_id"]
    raw_id = values[c] if c is not None else ""
    if raw_id.__class__ is str:
        task_id = ctx.task_numbers.get(raw_id) if raw_id.strip() else None
    elif raw_id.__class__ is float and raw_id.is_integer():
        task_id = int(raw_id)
    elif raw_id.__class__ is int:
        task_id = raw_id
    else:
        return False
    task = ctx.tasks.get(task_id)
    if task is None:
        return False
    department = ctx.department
    c = col["department"]
    if c is not None:
        raw_department = values[c]
        if raw_department.__class__ is not str:
            return False
        if raw_department.strip():
            named = ctx.departments.get(raw_department)
            if named is None or (department and named != department):
                return False
            department = named
    if department is None or not ctx.takes_part.get((task.id, department)):
        return False
    c = col["period"]
    period = _known_period(ctx, values[c]) if c is not None else ctx.period
    if period is None:
        return False
    c = col["status"]
    raw_status = values[c] if c is not None else ""
    known = ctx.statuses.get(raw_status) if raw_status.__class__ is str else None
    if known is None or not known[0]:
        return False
    percent = None
    c = col["percent"]
    if c is not None and _filled(values[c]):
        formatted = bool(info.percent) and f"{info.letter('percent')}{excel_row}" in info.percent
        try:
            percent = n.percent_value(values[c], formatted_percent=formatted, format_known=False)
        except n.Invalid:
            return False
        if not 0 <= percent <= 100:
            return False
    here = (info, info.task_cell_field, excel_row)
    if ctx.seen.setdefault((task.id, department, period), here) is not here:
        return False
    ctx.result.rows_read += 1
    texts = [n.text(values[c]) if c is not None else "" for c in info.texts]
    ctx.result.tasks.append(TaskRow(
        task_id=task.id, department=department, period_code=period, status=known[1], percent=percent,
        narrative=texts[0], problems=texts[1], next_steps=texts[2], sheet=info.name, row=excel_row))
    return True

def _infer_file_scope(ctx: _Context) -> None:
    """The department and period the file is for: given, from 说明, or the one all rows share."""
    r = ctx.result
    r.period = ctx.period or _only({i.period_code for i in r.indicators} | {t.period_code for t in r.tasks})
    leads = {ctx.targets[i.target_id].lead_department for i in r.indicators} | {t.department for t in r.tasks}
    r.department = ctx.department or _only(leads)


def _only(values: set[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None
