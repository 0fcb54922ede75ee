"""The rules of a task row (任务进展): which task, department, period, status, percent and texts it reports.

The status and the percent are read from what is there: either column may hold a status word, a
percent or both ("推进中，60%"); a missing status is inferred from the percent and the narrative and the
preview says so; a status that contradicts the percent is a problem on its cell.
"""
from __future__ import annotations

from core.catalogue import Task
from core.importer import normalise as n
from core.importer.model import TaskRow
from core.importer.rows import (
    Context,
    RowProblems,
    View,
    bounded_texts,
    cell_value,
    department_fix,
    duplicate,
    filled,
    period_of,
    read,
)
from core.reporting import TASK_STATUSES

_TEXTS = ("narrative", "problems", "next_steps")
STATUS_FIX = f"请从下拉列表选择：{'、'.join(TASK_STATUSES)}，或填写完成比例（如 60%）"
PERCENT_FIX = "请填写 0 到 100 之间的数字（60 或 60% 均可）"


def check(ctx: Context, view: View, values: list, excel_row: int) -> None:
    for c in view.input_cols:
        raw = values[c]
        if raw.strip() if raw.__class__ is str else raw is not None and raw == raw:
            break
    else:
        return  # a task row not reported this time (or an annex row without progress)
    ctx.result.rows_read += 1
    problems = RowProblems(view, values, excel_row)
    task = _task(ctx, view, values, problems)
    department = _department(ctx, view, values, problems, task)
    period = period_of(ctx, view, values, problems)
    texts = bounded_texts(view, values, problems, _TEXTS)
    status, percent, inferred = _progress(ctx, view, values, problems, bool(texts[0]))
    if task and department and period:
        duplicate(ctx, problems, (task.id, department, period), view.task_cell_field, _words)
    if problems.items:
        ctx.result.problems += problems.items
        return
    if not (task and department and period and status):
        return
    ctx.result.tasks.append(TaskRow(
        task_id=task.id, department=department, period_code=period, status=status, percent=percent,
        narrative=texts[0], problems=texts[1], next_steps=texts[2], sheet=view.sheet, row=excel_row,
        status_inferred=inferred))


def _words(ctx: Context, key: tuple) -> str:
    task_id, department, period = key
    return f"任务{task_id} · {department} · {period}"


# --- which task ------------------------------------------------------------------------------------


def _task(ctx: Context, view: View, values: list, problems: RowProblems) -> Task | None:
    """By 任务编号, else by 工作任务 (its title, or the annex's number in front of it), else by 序号."""
    col = view.col
    memo = ctx.m_task
    for f in ("task_id", "task_title", "seq"):
        c = col(f)
        raw = "" if c is None else values[c]
        if not (raw.strip() if raw.__class__ is str else raw is not None and raw == raw):
            continue
        reading = memo.get((raw.__class__, raw, f))  # the usual hit, without a call
        task, message, fix, note = reading or read(memo, _task_reading, ctx, raw, f)
        if task is None:
            problems.add(f, message, fix)
            return None
        if note:
            ctx.note(view.sheet, view.cell(f, problems.excel_row), note)
        return task
    f = view.task_cell_field
    problems.add(f, "缺少任务编号", f"请填写方案附件中的任务编号（1–{ctx.task_index.last}）")
    return None


def _task_reading(ctx: Context, raw: object, f: str) -> tuple:
    index = ctx.task_index
    missing = "任务编号不存在", f"请填写方案附件中的任务编号（1–{index.last}）"
    if f == "task_title" and isinstance(raw, str):
        found = index.by_title(raw)
        if found.item is not None:
            number = n.leading_number(raw)
            note = ""
            if number is not None and number != found.item.id:
                note = f"“{n.brief(raw)}”按任务名称读作任务{found.item.id}（前面的 {number} 不是附件序号）"
            elif found.how:
                note = f"“{n.brief(raw)}”按{found.how}读作任务{found.item.id} {found.item.title}"
            return found.item, "", "", note
        number = n.leading_number(raw)
        if number is None:
            return None, found.message, found.fix, ""
    else:
        number = n.leading_number(raw)
    task = ctx.tasks.get(number) if number is not None else None
    if task is None:
        return None, *missing, ""
    return task, "", "", ""


# --- who reports it -----------------------------------------------------------------------------------


def _department(ctx: Context, view: View, values: list, problems: RowProblems, task: Task | None) -> str | None:
    scope = view.scope.department
    department = scope
    raw = cell_value(values, view.col("department"))
    if filled(raw):
        named, lead_of_annex = read(ctx.m_task_department, _department_reading, ctx, raw)
        if named is None and lead_of_annex:
            named = scope or lead_of_annex  # “牵头部门：X；参与部门：…”: the uploader, else the lead
        if named is None:
            problems.add("department", "不是方案中的责任部门", department_fix(ctx, raw))
            return None
        if scope and named != scope:
            problems.add("department", f"本表是{scope}的填报表，此行却是{named}", f"请删除此行，或由{named}单独填报")
            return None
        department = named
    if department is None:
        problems.add("department", "缺少责任部门", "请填写责任部门，或在上传时选择填报部门")
        return None
    takes_part = ctx.m_takes_part.get((int, task.id, department)) if task else True
    if takes_part is None:
        takes_part = read(ctx.m_takes_part, _takes_part, ctx, task.id, department)
    if not takes_part:
        problems.add("department", f"{department}既不牵头也不参与任务{task.id}“{task.title}”",
                     f"请删除此行；该任务由{task.lead_department}牵头")
        return None
    return department


def _department_reading(ctx: Context, raw: object) -> tuple:
    named = ctx.catalogue.canonical_department(n.compact(raw))
    lead = n.lead_from_annex(raw, ctx.catalogue) if named is None and "牵头" in n.shown(raw) else None
    return named, lead


def _takes_part(ctx: Context, task_id: int, department: str) -> bool:
    task = ctx.tasks[task_id]
    if department == task.lead_department or department in task.participants:
        return True
    # “市直相关单位” and the like stand for any city department.
    groups = {d.name for d in ctx.catalogue.departments if d.kind == "group"}
    return any(p in groups for p in task.participants)


# --- status and percent ---------------------------------------------------------------------------------


def _progress(ctx: Context, view: View, values: list, problems: RowProblems, has_narrative: bool):
    """(status, percent, inferred) read from the status and percent cells, whichever holds what."""
    word = percent = word_field = None
    memo = ctx.m_progress
    for f, c in view.progress_cols:
        raw = values[c]
        if not (raw.strip() if raw.__class__ is str else raw is not None and raw == raw):
            continue
        formatted = bool(view.percent_cells) and view.is_percent(f, problems.excel_row)
        reading = memo.get((raw.__class__, raw, formatted))  # the usual hit, without a call
        got_word, got_percent, message = reading or read(memo, _progress_reading, ctx, raw, formatted)
        if message:
            problems.add(f, message, STATUS_FIX if f == "status" or not isinstance(raw, (int, float)) else PERCENT_FIX)
            return None, None, False
        if got_percent is not None:
            if got_percent > 100:
                problems.add(f, "完成进度超过 100%", "请填写 0 到 100 之间的数字")
                return None, None, False
            if got_percent < 0:
                problems.add(f, "完成进度不能为负数", "请填写 0 到 100 之间的数字")
                return None, None, False
            if percent is None or f == "percent":  # the percent column's percent wins
                percent = got_percent
        if got_word:
            if word and got_word != word:
                problems.add("status", f"进展状态写了“{word}”，完成进度一栏却是“{got_word}”", "请只保留一个进展状态")
                return None, None, False
            word, word_field = got_word, word_field or f
    if word:
        wrong = n.contradiction(word, percent)
        if wrong:
            problems.add(word_field, wrong, "请改正进展状态或完成比例，使两者一致")
            return None, None, False
        return word, percent, False
    status = n.inferred_status(percent, has_narrative)
    if percent is not None:
        shown = f"完成比例 {n.plain_number(percent)}%"
    else:
        shown = "进展情况" if has_narrative else "空白的进度"
    field = "status" if "status" in view.columns else "percent"
    ctx.note(view.sheet, view.cell(field, problems.excel_row), f"状态由{shown}推断为 {status}")
    return status, percent, True


def _progress_reading(ctx: Context, raw: object, formatted: bool) -> tuple:
    try:
        word, percent = n.progress(raw, formatted_percent=formatted)
    except n.Invalid as exc:
        return None, None, str(exc)
    return word, percent, ""

