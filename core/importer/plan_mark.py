"""Which plan a workbook was made for, and the one rule that refuses a sheet of another plan (issue 15).

The template's 说明 sheet names the plan in words and carries its id in a labelled cell
(“方案编号 | 2021-2025”), which the clerk sees and this module reads. A file whose marker names
another plan is refused as a whole: its targets, tasks and periods belong to that plan. A hand-made
sheet has no marker and is judged as before (its periods must lie in the current plan's range).
Pure: the caller passes the current plan and the plans there are.
"""
from __future__ import annotations

from collections.abc import Mapping

from core.importer.headers import clean_header
from core.importer.model import UploadRefused
from core.importer.reader import ParsedBook
from core.importer.rows import column_letter
from core.importer.scope import INSTRUCTIONS_SHEET
from core.plans import PLAN_ID, Plan

PLAN_ID_LABEL = "方案编号"
PLAN_LABEL = "方案"


def plan_facts(plan: Plan) -> tuple[tuple[str, str], ...]:
    """The template's 说明 rows that name the plan: in words for the clerk, by id for the importer."""
    return ((PLAN_LABEL, f"《{plan.name}》（{plan.first_period}–{plan.last_period}）"), (PLAN_ID_LABEL, plan.id))


def marker(book: ParsedBook) -> tuple[str, str] | None:
    """(plan id, cell) as the 说明 sheet writes it, or None for a sheet without one (hand-made, csv)."""
    sheet = book.sheet(INSTRUCTIONS_SHEET)
    if sheet is None:
        return None
    wanted = clean_header(PLAN_ID_LABEL)
    for i, row in enumerate(sheet.rows[:40]):
        for j, cell in enumerate(row):
            if isinstance(cell, str) and clean_header(cell) == wanted:
                for k in range(j + 1, len(row)):
                    value = row[k]
                    if value not in ("", None):
                        return str(value).strip()[:60], f"{column_letter(k)}{i + 1}"
                return None
    return None


def check_plan(filename: str, book: ParsedBook, current: Plan, plans: Mapping[str, Plan], *,
               command_line: bool = False) -> None:
    """Raise UploadRefused, naming file, sheet and cell, when the workbook is marked for another plan.
    `command_line`: the fix names manage.py's --plan instead of the sidebar."""
    found = marker(book)
    if found is None or found[0] == current.id:
        return
    plan_id, cell = found
    where = f"“{filename}”的“{INSTRUCTIONS_SHEET}”表 {cell}"
    other = plans.get(plan_id)
    wanted = f"当前选择的方案是《{current.name}》（{current.first_period}–{current.last_period}）"
    if other is None:
        shown = plan_id if PLAN_ID.match(plan_id) else "（无法识别）"
        raise UploadRefused(f"{where} 的方案编号“{shown}”不是本看板的方案，{wanted}：请下载本方案的模板重新填写后上传")
    fix = (f"请加 --plan {other.id} 后再导入，或用 manage.py template 生成本方案的模板" if command_line
           else "请在左侧切换方案后再上传，或下载本方案的模板")
    raise UploadRefused(f"{where}：此表是《{other.name}》（{other.first_period}–{other.last_period}）的填报表，"
                        f"{wanted}：{fix}")
