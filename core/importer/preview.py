"""plan_changes: what committing a validated file would change, row by row."""
from __future__ import annotations

import math

import pandas as pd

from core.catalogue import Catalogue
from core.importer.model import Change, ChangePlan, ImportResult, IndicatorRow, TaskRow


def plan_changes(result: ImportResult, current_values: pd.DataFrame, current_progress: pd.DataFrame,
                 catalogue: Catalogue) -> ChangePlan:
    plan = ChangePlan(rejected=list(result.problems))
    rejected = result.rejected_rows
    values = _index(_touched(current_values, "target_id", {r.target_id for r in result.indicators},
                             {r.period_code for r in result.indicators}),
                    ("target_id", "district_adcode", "period_code"), ("value", "data_source", "note"))
    progress = _index(_touched(current_progress, "task_id", {r.task_id for r in result.tasks},
                               {r.period_code for r in result.tasks}),
                      ("task_id", "department", "period_code"),
                      ("status", "percent", "narrative", "problems", "next_steps"))
    targets = {t.id: t for t in catalogue.targets}
    districts = {d.adcode: d.name for d in catalogue.districts}
    heads = {t.id: f"{t.id} {t.name} · " for t in catalogue.targets}
    new, changed, unchanged = plan.new, plan.changed, plan.unchanged

    for row in result.indicators:
        if rejected and (row.sheet, row.row) in rejected:
            continue
        t = targets[row.target_id]
        what = f"{heads[t.id]}{districts.get(row.district_adcode or '', '全市')} · {row.period_code}"
        old = values.get((row.target_id, row.district_adcode or "", row.period_code)) if values else None
        new_text = _value_text(row.value, t.unit, t.kind)
        if old is None:
            new.append(Change("new", what, "", new_text, row.sheet, row.row))
            plan.indicators_to_write.append(row)
        elif _same_value(old, row):
            unchanged.append(Change("unchanged", what, new_text, new_text, row.sheet, row.row))
        else:
            old_text = _value_text(old["value"], t.unit, t.kind)
            if old_text == new_text:  # only the source or note differs
                old_text, new_text = _with_note(old_text, old), _with_note(new_text, _as_dict(row))
            changed.append(Change("changed", what, old_text, new_text, row.sheet, row.row))
            plan.indicators_to_write.append(row)

    titles = {t.id: f"任务{t.id} {t.title} · " for t in catalogue.tasks}
    for row in result.tasks:
        if rejected and (row.sheet, row.row) in rejected:
            continue
        what = f"{titles[row.task_id]}{row.department} · {row.period_code}"
        old = progress.get((row.task_id, row.department, row.period_code)) if progress else None
        new_text = _progress_text(row.status, row.percent)
        if getattr(row, "status_inferred", False):
            new_text += "（状态为推断）"
        if old is None:
            new.append(Change("new", what, "", new_text, row.sheet, row.row))
            plan.tasks_to_write.append(row)
        elif _same_progress(old, row):
            unchanged.append(Change("unchanged", what, new_text, new_text, row.sheet, row.row))
        else:
            old_text = _progress_text(old["status"], old["percent"])
            if old_text == new_text:
                old_text, new_text = old_text + "（文字说明有修改）", new_text + "（文字说明已更新）"
            changed.append(Change("changed", what, old_text, new_text, row.sheet, row.row))
            plan.tasks_to_write.append(row)
    return plan


def _touched(df: pd.DataFrame | None, item: str, items: set, periods: set) -> pd.DataFrame | None:
    """Only the current rows a file could change: a province holds ~300,000, a file touches dozens."""
    if df is None or df.empty:
        return df
    return df[df[item].isin(items) & df["period_code"].isin(periods)]


def _index(df: pd.DataFrame, keys: tuple[str, ...], fields: tuple[str, ...]) -> dict[tuple, dict]:
    if df is None or df.empty:
        return {}
    frame = df.loc[:, [*keys, *fields]]
    out = {}
    for rec in frame.itertuples(index=False, name=None):
        key = tuple(_key_part(k, v) for k, v in zip(keys, rec[:len(keys)]))
        out[key] = dict(zip(fields, rec[len(keys):]))
    return out


def _key_part(name: str, value: object) -> object:
    if name == "task_id":
        return int(value)
    if name == "district_adcode":
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return value


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return float(value)


def _equal_numbers(a: object, b: object) -> bool:
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _txt(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _same_value(old: dict, row: IndicatorRow) -> bool:
    return (_equal_numbers(old["value"], row.value) and _txt(old["data_source"]) == row.data_source
            and _txt(old["note"]) == row.note)


def _same_progress(old: dict, row: TaskRow) -> bool:
    return (old["status"] == row.status and _equal_numbers(old["percent"], row.percent)
            and _txt(old["narrative"]) == row.narrative and _txt(old["problems"]) == row.problems
            and _txt(old["next_steps"]) == row.next_steps)


def _as_dict(row: IndicatorRow) -> dict:
    return {"data_source": row.data_source, "note": row.note}


def _with_note(value_text: str, rec: dict) -> str:
    extra = "；".join(x for x in (_txt(rec.get("data_source")), _txt(rec.get("note"))) if x)
    return f"{value_text}（{extra}）" if extra else value_text


def _value_text(value: object, unit: str, kind: str) -> str:
    v = _num(value)
    if v is None:
        return "（空）"
    if kind == "yesno":
        return "是" if v >= 1 else "否"
    shown = f"{v:,.4f}".rstrip("0").rstrip(".")
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}".strip()


def _progress_text(status: str, percent: object) -> str:
    p = _num(percent)
    return status if p is None else f"{status} {p:g}%"
