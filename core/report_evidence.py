"""佐证材料 of a report (issue 16): which rows of a checked report may carry files, and the rule that a task
reported complete needs 100% and evidence.

A row is named by its cell (task, department, period — or target, district, period), not by where it sat
in the sheet, so the files follow the value into the database. "Complete" is said here once: 已完成 or
100%. A complete row below 100% is already a problem of the importer (core.importer.normalise.contradiction,
it rejects the row); this module adds the flags that do not reject a row: no percent, no evidence.
Pure logic.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.importer.model import ImportResult, IndicatorRow, Problem, TaskRow

TASK, VALUE = "task", "value"
COMPLETE = "已完成"
NO_PERCENT = "报告“已完成”但未填写完成比例"
NO_PERCENT_FIX = "请填写完成比例 100%；未达 100% 的请改为“推进中”"
NO_EVIDENCE = "报告“已完成”须附佐证材料（验收报告、文件、照片等）"
NO_EVIDENCE_FIX = "请在预览下方“佐证材料”中为此行选择文件；未附材料的完成报告督查办无法核验，显示为“待核验”"


@dataclass(frozen=True, order=True)
class RowKey:
    """The cell a file backs. item: the task number (as text) or the target id; place: the reporting
    department of a task, the district's adcode of a value ("" for the whole city)."""

    kind: str
    item: str
    place: str
    period: str

    @property
    def token(self) -> str:
        """A stable text for widget keys and the CLI."""
        return f"{self.kind}|{self.item}|{self.place}|{self.period}"


def key_of(row: TaskRow | IndicatorRow) -> RowKey:
    if isinstance(row, TaskRow):
        return RowKey(TASK, str(int(row.task_id)), row.department, row.period_code)
    return RowKey(VALUE, row.target_id, row.district_adcode or "", row.period_code)


def is_complete(row: TaskRow) -> bool:
    return row.status == COMPLETE or (row.percent is not None and row.percent >= 100)


def accepted_rows(result: ImportResult | None) -> list[TaskRow | IndicatorRow]:
    """The rows a commit would keep (written or unchanged), tasks first: only these may carry files."""
    if result is None:
        return []
    rejected = result.rejected_rows
    return [r for r in (*result.tasks, *result.indicators) if (r.sheet, r.row) not in rejected]


def row_cell(row: TaskRow | IndicatorRow) -> str:
    return f"A{row.row}"


def completion_flags(rows: list[TaskRow | IndicatorRow], attached: set[RowKey] | frozenset[RowKey]) -> list[Problem]:
    """A flag on each complete task row of `rows` (what a commit writes) without a percent or without
    evidence (`attached`: rows with files chosen now or already stored). Returned apart from
    result.problems and never added to it: a flag asks for a fix but does not reject the row."""
    flags = []
    for r in rows:
        if not isinstance(r, TaskRow) or not is_complete(r):
            continue
        shown = f"任务{r.task_id} · {r.department} · {r.period_code}"
        if r.percent is None:
            flags.append(Problem(r.sheet, row_cell(r), shown, NO_PERCENT, NO_PERCENT_FIX, row=r.row))
        if key_of(r) not in attached:
            flags.append(Problem(r.sheet, row_cell(r), shown, NO_EVIDENCE, NO_EVIDENCE_FIX, row=r.row))
    return flags


def unknown_keys(result: ImportResult | None, keys) -> list[RowKey]:
    """Keys that name no kept row of the report (a file for a row that is not there or was rejected)."""
    known = {key_of(r) for r in accepted_rows(result)}
    return sorted(k for k in keys if k not in known)
