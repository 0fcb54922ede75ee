"""What the row rules share: the file's context, one view of a sheet's columns, and memoised readings.

Each rule exists once (core.importer.indicator_rows, core.importer.task_rows). A large file repeats a
few ids, districts, periods, departments and statuses on every row, so each reading of a distinct cell
value is worked out once per file and remembered (`Context.read`); a row then costs a few look-ups.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.catalogue import Catalogue
from core.importer import normalise as n
from core.importer.matching import TargetIndex, TaskIndex, indexes
from core.importer.model import ImportResult, Note, Problem
from core.importer.normalise import TEXT_LIMITS, text, too_long
from core.importer.reader import ParsedBook

# What remembers readings. Tests swap in a dict that forgets, to show the memo changes no answer.
MEMO = dict


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Scope:
    """What a sheet is for: given at upload, written on the 说明 sheet, or in the title lines above its header."""

    department: str | None = None
    period: str | None = None
    year: int | None = None  # for a wide layout's quarter headings without a year


class Context:
    """One file's check: the catalogue, the periods open for reporting, the result, and the memos."""

    def __init__(self, book: ParsedBook, catalogue: Catalogue, known_periods: list[str], result: ImportResult):
        self.book, self.catalogue, self.result = book, catalogue, result
        self.known_periods = known_periods
        self.known_set = frozenset(known_periods)
        self.targets = {t.id: t for t in catalogue.targets}
        self.tasks = {t.id: t for t in catalogue.tasks}
        self.target_index: TargetIndex
        self.task_index: TaskIndex
        self.target_index, self.task_index = indexes(catalogue)
        self.district_names = {d.adcode: d.name for d in reversed(catalogue.districts)}
        self.format_known = book.kind in ("xlsx", "xlsm")
        self.scope = Scope()  # the whole file's (given or 说明)
        self.assigned: dict[str, str] = {}  # target id -> department 基期与责任备案 made responsible
        self.seen: dict[tuple, tuple] = {}  # duplicate key -> (view, field, row) first seen
        self._notes: dict[tuple[str, str], list] = {}  # (sheet, text) -> [cell, count]
        # One memo per kind of reading: cell value (and what else the reading depends on) -> reading.
        (self.m_target_id, self.m_target_name, self.m_department, self.m_district, self.m_value, self.m_period,
         self.m_task, self.m_task_department, self.m_takes_part, self.m_progress) = (MEMO() for _ in range(10))

    def note(self, sheet: str, cell: str, text: str) -> None:
        kept = self._notes.get((sheet, text))
        if kept is None:
            self._notes[(sheet, text)] = [cell, 1]
        else:
            kept[1] += 1

    def finish_notes(self) -> list[Note]:
        return [Note(sheet, cell, text, count) for (sheet, text), (cell, count) in self._notes.items()]


def read(memo: dict, reading, ctx: Context, raw: object, extra: object = None):
    """reading(ctx, raw[, extra]), once per distinct (raw, extra) in a file.

    The key holds the value's type: 1 and True are equal keys but read differently.
    """
    if extra is None:
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        out = memo.get(key)
        if out is None:
            out = memo[key] = reading(ctx, raw)
        return out
    key = (raw.__class__, raw, extra)
    out = memo.get(key)
    if out is None:
        out = memo[key] = reading(ctx, raw, extra)
    return out


@dataclass
class View:
    """A sheet's columns as one kind of row reads them. A wide layout has one view per quarter column,
    whose value (or progress) column is that quarter's and whose period is fixed."""

    sheet: str
    kind: str  # indicator | task
    columns: dict[str, int]
    scope: Scope
    percent_cells: frozenset[str]
    period: str | None = None  # fixed by the layout (a wide layout's quarter column)
    wide: bool = False
    letters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.letters = {f: column_letter(c) for f, c in self.columns.items()}
        self.col = self.columns.get
        # Rows are padded to this width before they are read (validate.py), so a cell is values[c].
        self.width = max(self.columns.values(), default=-1) + 1
        # The cells that say a task row was reported (a wide layout: only the quarter's own cell).
        inputs = ("percent",) if self.wide else ("status", "percent", "narrative", "problems", "next_steps")
        self.input_cols = [self.columns[f] for f in inputs if f in self.columns]
        get = self.columns.get
        self.c_value, self.c_period, self.c_district = get("value"), get("period"), get("district")
        self.c_target_id, self.c_target_name = get("target_id"), get("target_name")
        self.c_department = get("department")
        self.progress_cols = [(f, self.columns[f]) for f in ("status", "percent") if f in self.columns]
        self.text_cols: dict[tuple[str, ...], list[tuple[str, int | None]]] = {}
        self.task_cell_field = next((f for f in ("task_id", "task_title", "seq") if f in self.columns), "task_id")

    def cell(self, f: str, excel_row: int) -> str:
        return f"{self.letters.get(f) or column_letter(self.columns.get(f, 0))}{excel_row}"

    def where(self, f: str, excel_row: int) -> str:
        return f"{self.sheet}!{self.cell(f, excel_row)}"

    def is_percent(self, f: str, excel_row: int) -> bool:
        return bool(self.percent_cells) and f in self.letters and f"{self.letters[f]}{excel_row}" in self.percent_cells


class RowProblems:
    """The problems of one row, built only when there is one."""

    __slots__ = ("view", "values", "excel_row", "items")

    def __init__(self, view: View, values: list, excel_row: int):
        self.view, self.values, self.excel_row = view, values, excel_row
        self.items: list[Problem] = []

    def add(self, f: str, message: str, fix: str) -> None:
        view, values = self.view, self.values
        col = view.columns.get(f)
        raw = values[col] if col is not None else ""
        self.items.append(Problem(view.sheet, view.cell(f, self.excel_row), n.brief(raw, 200), message, fix,
                                  self.excel_row))


def cell_value(values: list, col: int | None) -> object:
    """A cell of a row padded to its view's width (validate.py pads them); "" for a field with no column."""
    return "" if col is None else values[col]


def filled(value: object) -> bool:
    cls = value.__class__
    if cls is str:
        return bool(value.strip())
    if cls is float:
        return value == value  # NaN is blank
    return value is not None


def duplicate(ctx: Context, problems: RowProblems, key: tuple, f: str, describe) -> None:
    """The second row for the same cell is a problem naming the first; describe(ctx, key) words the cell."""
    view, excel_row = problems.view, problems.excel_row
    here = (view, f, excel_row)
    first = ctx.seen.setdefault(key, here)
    if first is here:
        return
    first_view, first_field, first_row = first
    first_where = first_view.where(first_field, first_row)
    if first_where != view.where(f, excel_row) or first_view is not view:
        problems.add(f, f"与 {first_where} 重复：{describe(ctx, key)}填了两次", "请删除其中一行，或合并为一行")


def bounded_texts(view: View, values: list, problems: RowProblems, fields: tuple[str, ...]) -> list[str]:
    """The free-text cells of a row, tidied; one longer than its field's limit is a problem on its cell."""
    out = []
    cols = view.text_cols.get(fields)
    if cols is None:
        cols = view.text_cols[fields] = [(f, view.columns.get(f)) for f in fields]
    for f, c in cols:
        raw = "" if c is None else values[c]
        if raw.__class__ is str and len(raw) <= 200 and "\r" not in raw and "\n" not in raw and "\u3000" not in raw:
            out.append(raw.strip())  # the usual short single line: nothing else to tidy, within every limit
            continue
        s = text(raw) if raw != "" else ""
        limit = TEXT_LIMITS[f]
        if len(s) > limit:
            problems.add(f, too_long(s, limit), f"请精简到 {limit:,} 字以内，详细材料可另附")
        out.append(s)
    return out


PERIOD_FIX = "请写成 2020Q4、2020年第四季度 或 2020-12 这样的格式"


def period_of(ctx: Context, view: View, values: list, problems: RowProblems) -> str | None:
    """The row's quarter: fixed by the layout, its 报告期 cell, or the sheet's."""
    if view.period:
        return view.period
    c = view.c_period
    raw = "" if c is None else values[c]
    if not (raw.strip() if raw.__class__ is str else raw is not None and raw == raw):
        return view.scope.period
    reading = ctx.m_period.get(raw) if raw.__class__ is str else None  # the usual hit, without a call
    code, message, fix, note = reading or read(ctx.m_period, _period_reading, ctx, raw)
    if message:
        problems.add("period", message, fix)
        return None
    if note:
        ctx.note(view.sheet, view.cell("period", problems.excel_row), note)
    return code



def _period_reading(ctx: Context, raw: object) -> tuple:
    p = n.period(raw)
    if p is None:
        return None, "无法识别的报告期", PERIOD_FIX, ""
    if p.code not in ctx.known_set:
        span = f"{ctx.known_periods[0]}–{ctx.known_periods[-1]}" if ctx.known_periods else ""
        return None, f"报告期 {p.code} 不在方案的填报范围（{span}）内", "请填写方案实施期内的季度", ""
    written = n.brief(raw)
    note = "" if n.compact(written).upper() == p.code else f"报告期“{written}”读作 {p.code}"
    return p.code, "", "", note


def department_fix(ctx: Context, raw: object) -> str:
    """How to fix a department name the plan does not know: the closest canonical name, if any."""
    hint = n.suggest_department(raw, ctx.catalogue)
    return f"您是否指“{hint}”？请改用方案中的部门全称" if hint else "请改用方案中的部门全称（见填报模板）"
