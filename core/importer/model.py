"""The shapes that pass between parsing, validation, preview and commit.

This is the contract between core.importer (reads and checks files) and db.imports (writes).
"""
from __future__ import annotations

from dataclasses import dataclass, field


class UploadRefused(Exception):
    """The file cannot be read at all (not a spreadsheet, encrypted, too large, a bomb...).

    The message is Chinese, names the file and says what to do. Nothing is written.
    """


@dataclass(frozen=True)
class Problem:
    sheet: str  # sheet name as in the workbook ("" for a CSV's single sheet name, use the file stem)
    cell: str  # Excel-style cell ("G12"); "" when the problem concerns a whole sheet or file
    value: str  # the offending value as the official typed it ("" if empty)
    message: str  # what is wrong, Chinese
    fix: str  # how to fix it, Chinese
    row: int | None = None  # the Excel row number the problem rejects, None for sheet-level problems

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def text(self) -> str:
        shown = f"“{self.value}”" if self.value else "（空）"
        return f"{self.where} {shown}：{self.message}。{self.fix}"


@dataclass(frozen=True)
class IndicatorRow:
    target_id: str
    district_adcode: str | None  # None: whole city
    period_code: str
    value: float | None
    data_source: str
    note: str
    sheet: str
    row: int  # Excel row number
    department: str = ""  # who reports it: the target's lead (the row's 责任单位 when the sheet has one)


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    department: str  # canonical department name
    period_code: str
    status: str  # one of core.reporting.TASK_STATUSES
    percent: float | None
    narrative: str
    problems: str
    next_steps: str
    sheet: str
    row: int
    status_inferred: bool = False  # no status written: read from the percent and the narrative


@dataclass(frozen=True)
class Note:
    """How the importer understood a column, a row or a sheet, for the preview ("“本年完成”读作实际值").

    The same understanding on many rows is one note: `cell` is the first, `count` how many.
    """

    sheet: str
    cell: str  # "" for the whole sheet
    text: str
    count: int = 1

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def shown(self) -> str:
        more = f"（共 {self.count} 处）" if self.count > 1 else ""
        return f"{self.where}：{self.text}{more}"


@dataclass
class ImportResult:
    filename: str
    sha256: str
    indicators: list[IndicatorRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    department: str | None = None  # the department the file is for, when it says (说明 sheet or rows)
    period: str | None = None  # the period the file is for, when it says
    notes: list[Note] = field(default_factory=list)  # how columns, rows and sheets were understood (preview)

    @property
    def row_departments(self) -> dict[tuple[str, int], str]:
        """(sheet, Excel row) -> the department each kept row reports for: the caller checks its scope."""
        out = {(r.sheet, r.row): r.department for r in self.indicators}
        out.update({(r.sheet, r.row): r.department for r in self.tasks})
        return out

    @property
    def rejected_rows(self) -> set[tuple[str, int]]:
        return {(p.sheet, p.row) for p in self.problems if p.row is not None}

    @property
    def blocking(self) -> bool:
        """Problems that are not tied to a row (a missing sheet or header) block even 'valid rows only'."""
        return any(p.row is None for p in self.problems)


@dataclass(frozen=True)
class Change:
    kind: str  # new | changed | unchanged
    what: str  # human description, e.g. "T02 农产品质量安全例行检测总体合格率 · 赤坎区 · 2020Q4"
    old: str  # "" for new
    new: str
    sheet: str
    row: int


@dataclass
class ChangePlan:
    """What committing would do. Only new and changed rows are written; unchanged rows are not."""

    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    indicators_to_write: list[IndicatorRow] = field(default_factory=list)
    tasks_to_write: list[TaskRow] = field(default_factory=list)
