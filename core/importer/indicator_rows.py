"""The rules of an indicator row (指标进展): which target, district, period and value it reports.

Each reading of a distinct cell value is remembered for the file (core.importer.rows.read), so a
5,000-row file costs a few dictionary look-ups per row; the rules themselves exist only here.
"""
from __future__ import annotations

from core.auth import may_report_target
from core.catalogue import Target
from core.importer import normalise as n
from core.importer.model import IndicatorRow
from core.importer.rows import (
    Context,
    RowProblems,
    View,
    bounded_texts,
    department_fix,
    duplicate,
    filled,
    period_of,
    read,
)

# (item or None, message, fix, note) — what a reading gives; message "" when it read cleanly.
_OK = ""


def check(ctx: Context, view: View, values: list, excel_row: int) -> None:
    raw = values[view.c_value]
    if not (raw.strip() if raw.__class__ is str else raw is not None and raw == raw):
        return  # a template row left empty: not reported this time
    ctx.result.rows_read += 1
    problems = RowProblems(view, values, excel_row)
    target, target_field = _target(ctx, view, values, problems)
    department = _department(ctx, view, values, problems, target, target_field)
    adcode = _district(ctx, view, values, problems, target)
    period = period_of(ctx, view, values, problems)
    value = _value(ctx, view, values, problems, target, raw) if target else None
    texts = bounded_texts(view, values, problems, ("data_source", "note"))
    if target and period and adcode is not False:
        duplicate(ctx, problems, (target.id, adcode, period), "value", _words)
    if problems.items:
        ctx.result.problems += problems.items
        return
    if target is None or period is None or value is None or adcode is False or department is None:
        return
    ctx.result.indicators.append(IndicatorRow(
        target_id=target.id, district_adcode=adcode, period_code=period, value=value,
        data_source=texts[0], note=texts[1], sheet=view.sheet, row=excel_row, department=department))


def _words(ctx: Context, key: tuple) -> str:
    target_id, adcode, period = key
    return f"{target_id} · {ctx.district_names.get(adcode, '全市') if adcode else '全市'} · {period}"


# --- which target ----------------------------------------------------------------------------------


def _target(ctx: Context, view: View, values: list, problems: RowProblems) -> tuple[Target | None, str]:
    c = view.c_target_id
    raw_id = "" if c is None else values[c]
    c = view.c_target_name
    raw_name = "" if c is None else values[c]
    if filled(raw_id):
        reading = ctx.m_target_id.get(raw_id) if raw_id.__class__ is str else None  # the usual hit, no call
        target, message, fix, _ = reading or read(ctx.m_target_id, _by_id, ctx, raw_id)
        if target is None:
            problems.add("target_id", message, fix)
            return None, "target_id"
        if raw_name != target.name and filled(raw_name):  # the template's own name needs no look-up
            reading = ctx.m_target_name.get(raw_name) if raw_name.__class__ is str else None
            named, _, _, how = reading or read(ctx.m_target_name, _by_name, ctx, raw_name)
            if named is not None and named is not target and how != "部分名称":
                problems.add("target_name", f"指标名称是 {named.id} {named.name}，与指标编号 {target.id} 不符",
                             "请核对指标编号和指标名称，改正其中一个")
        return target, "target_id"
    if filled(raw_name):
        target, message, fix, how = read(ctx.m_target_name, _by_name, ctx, raw_name)
        if target is None:
            problems.add("target_name", message, fix)
        elif how:
            ctx.note(view.sheet, view.cell("target_name", problems.excel_row),
                     f"“{n.brief(raw_name)}”按{how}匹配 {target.id} {target.name}")
        return target, "target_name"
    f = "target_id" if "target_id" in view.columns or "target_name" not in view.columns else "target_name"
    problems.add(f, "缺少指标编号", "请填写指标编号（如 T02）")
    return None, f


def _by_id(ctx: Context, raw: object) -> tuple:
    """“t2”, “T02” and “Ｔ２” all give T02."""
    key = n.compact(raw).upper()
    if key.startswith("T") and key[1:].isdigit():
        key = f"T{int(key[1:]):02d}"
    target = ctx.targets.get(key)
    if target is None:
        targets = ctx.catalogue.targets
        return None, "指标编号不存在", f"请使用模板中的指标编号（{targets[0].id}–{targets[-1].id}）", ""
    return target, _OK, "", ""


def _by_name(ctx: Context, raw: object) -> tuple:
    found = ctx.target_index.by_name(n.shown(raw))
    return found.item, found.message, found.fix, found.how


# --- who reports it -------------------------------------------------------------------------------


def _department(ctx: Context, view: View, values: list, problems: RowProblems, target: Target | None,
                target_field: str) -> str | None:
    """The row's department: its 责任单位 cell, else the sheet's; it must be the target's lead or the
    department it is assigned to (core.auth.may_report_target)."""
    scope = view.scope.department
    c = view.c_department
    raw = "" if c is None else values[c]
    named = scope
    if filled(raw):
        named, message, fix = read(ctx.m_department, _department_named, ctx, raw)
        if named is None:
            problems.add("department", message, fix)
            return None
        if scope and named != scope:
            problems.add("department", f"本表是{scope}的填报表，此行却是{named}", f"请删除此行，或由{named}单独填报")
            return None
    if target is None:
        return None
    if named and not may_report_target(target.id, target.lead_department, named, ctx.assigned):
        f = "department" if filled(raw) else target_field
        lead = target.lead_department
        charged = ctx.assigned.get(target.id)
        who = f"{lead}牵头、{charged}负责" if charged and charged != lead else f"{lead}牵头"
        problems.add(f, f"该指标由{who}填报，不是{named}", f"请删除此行，或由{charged or lead}填报")
        return None
    return named or target.lead_department


def _department_named(ctx: Context, raw: object) -> tuple:
    name = ctx.catalogue.canonical_department(n.compact(raw))
    if name:
        return name, _OK, ""
    return None, "不是方案中的责任部门", department_fix(ctx, raw)


# --- where and when ---------------------------------------------------------------------------------


def _district(ctx: Context, view: View, values: list, problems: RowProblems, target: Target | None):
    """Adcode, None for the whole city, False when the cell is wrong (already reported)."""
    c = view.c_district
    raw = "" if c is None else values[c]
    if not (raw.strip() if raw.__class__ is str else raw is not None and raw == raw):
        return None
    reading = ctx.m_district.get(raw) if raw.__class__ is str else None  # the usual hit, without a call
    adcode, message = reading or read(ctx.m_district, _district_of, ctx, raw)
    if message:
        names = "、".join(d.name for d in ctx.catalogue.districts)
        problems.add("district", message, f"请从下拉列表选择：全市、{names}")
        return False
    if adcode and target and not target.district_breakdown:
        problems.add("district", f"指标 {target.id} 不分区县填报", "请把区县改为“全市”或留空")
        return False
    return adcode


def _district_of(ctx: Context, raw: object) -> tuple:
    try:
        return n.district(raw, ctx.catalogue), _OK
    except n.Invalid as exc:
        return None, str(exc)



# --- the value ---------------------------------------------------------------------------------------


def _value(ctx: Context, view: View, values: list, problems: RowProblems, target: Target, raw: object):
    formatted = view.is_percent("value", problems.excel_row)
    if raw.__class__ is float or raw.__class__ is int:  # read at once: cheaper than remembering
        value, message, fix, note = _value_reading(ctx, raw, (target.id, formatted))
    else:
        value, message, fix, note = read(ctx.m_value, _value_reading, ctx, raw, (target.id, formatted))
    if message:
        problems.add("value", message, fix)
        return None
    if note:
        ctx.note(view.sheet, view.cell("value", problems.excel_row), note)
    return value


def _value_reading(ctx: Context, raw: object, target_and_format: tuple[str, bool]) -> tuple:
    target, formatted = ctx.targets[target_and_format[0]], target_and_format[1]
    unit = f"（单位：{target.unit}）" if target.unit else ""
    try:
        if target.kind == "yesno":
            return n.yes_no(raw), _OK, "", ""
        if target.unit == "%":
            value = n.percent_value(raw, formatted_percent=formatted, format_known=ctx.format_known)
            note = ""
        elif raw.__class__ is float or raw.__class__ is int:
            value, note = n.number(raw)[0], ""
        else:
            value, note = n.in_unit(n.quantity(raw), target.unit)
    except n.Invalid as exc:
        return None, str(exc), f"请填写确切的数字{unit}，不要带文字", ""
    growth = "增长" in target.name  # a growth rate may be negative or pass 100
    if target.unit == "%" and not growth and not 0 <= value <= 100:
        return None, "百分比应在 0–100 之间", "请填写 0 到 100 之间的数字（95 或 95% 均可）", ""
    if value < 0 and not growth:
        return None, "不能为负数", f"请填写 0 或正数{unit}", ""
    return value, _OK, "", note

