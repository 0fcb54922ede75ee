"""Online entry (在线填报): a department's rows for a period as editable tables, and back into an ImportResult.

The edited tables use the template's own columns and sheet names, so problems point at the
same cells (指标进展!G5) an official would see in the downloaded template, and the edits pass
through the same preview and commit as an uploaded file.
"""
from __future__ import annotations

import io
import math
from typing import Mapping

import pandas as pd

from core.auth import may_report_target
from core.catalogue import Catalogue, Target
from core.importer.model import ImportResult, IndicatorRow, Problem, TaskRow
from core.importer.normalise import TEXT_LIMITS, too_long
from core.reporting import TASK_STATUSES
from core.spreadsheet_safety import neutralise_workbook
from core.status import TargetSpec, target_text

INDICATOR_SHEET, TASK_SHEET = "指标进展", "任务进展"
CITY = "全市"
INDICATOR_COLUMNS = ["指标编号", "指标名称", "单位", "目标值", "区县", "报告期", "实际值", "数据来源", "备注"]
TASK_COLUMNS = ["任务编号", "工作任务", "责任部门", "牵头/参与", "报告期", "进展状态", "完成进度(%)",
                "进展情况", "存在问题", "下一步计划"]
INDICATOR_EDITABLE = ["实际值", "数据来源", "备注"]
TASK_EDITABLE = ["进展状态", "完成进度(%)", "进展情况", "存在问题", "下一步计划"]
_HEADER_ROW = 1  # the first data row is Excel row 2, as in a sheet with one header row


def _cell(columns: list[str], column: str, index: int) -> str:
    return f"{chr(ord('A') + columns.index(column))}{index + _HEADER_ROW + 1}"


def department_targets(catalogue: Catalogue, department: str,
                       assigned: Mapping[str, str] | None = None) -> list[Target]:
    """The targets the department reports: those it leads and those assigned to it (core.auth.may_report_target)."""
    return [t for t in catalogue.targets if may_report_target(t.id, t.lead_department, department, assigned)]


def indicator_frame(catalogue: Catalogue, department: str, period: str, current: pd.DataFrame,
                    assigned: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per target the department reports (whole city, then each district where broken down),
    prefilled with the value in force for that period."""
    now = {(r["target_id"], r["district_adcode"] or ""): r for r in
           current[current["period_code"] == period].to_dict("records")} if not current.empty else {}
    rows = []
    for t in department_targets(catalogue, department, assigned):
        areas = [("", CITY)] + ([(d.adcode, d.name) for d in catalogue.districts] if t.district_breakdown else [])
        goal = target_text(TargetSpec(t.name, t.unit, t.comparator, t.target_value, t.target_max,
                                      t.target_year, t.kind, t.baseline))
        for adcode, area in areas:
            cur = now.get((t.id, adcode), {})
            value = cur.get("value")
            rows.append({"指标编号": t.id, "指标名称": t.name, "单位": t.unit, "目标值": goal, "区县": area,
                         "报告期": period, "实际值": None if value is None or pd.isna(value) else float(value),
                         "数据来源": cur.get("data_source") or "", "备注": cur.get("note") or ""})
    df = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    df["实际值"] = df["实际值"].astype("float64")
    return df


def task_frame(catalogue: Catalogue, department: str, period: str, current: pd.DataFrame) -> pd.DataFrame:
    """One row per task the department leads or joins, prefilled with its report in force for that period."""
    now = {r["task_id"]: r for r in current[(current["period_code"] == period)
                                            & (current["department"] == department)].to_dict("records")} \
        if not current.empty else {}
    rows = []
    for task in catalogue.tasks:
        role = "牵头" if task.lead_department == department else "参与" if department in task.participants else None
        if role is None:
            continue
        cur = now.get(task.id, {})
        percent = cur.get("percent")
        rows.append({"任务编号": task.id, "工作任务": task.title, "责任部门": department, "牵头/参与": role,
                     "报告期": period, "进展状态": cur.get("status") or None,
                     "完成进度(%)": None if percent is None or pd.isna(percent) else float(percent),
                     "进展情况": cur.get("narrative") or "", "存在问题": cur.get("problems") or "",
                     "下一步计划": cur.get("next_steps") or ""})
    df = pd.DataFrame(rows, columns=TASK_COLUMNS)
    df["完成进度(%)"] = df["完成进度(%)"].astype("float64")
    return df


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value) -> tuple[float | None, bool]:
    """(number, ok): blank is (None, True); anything not a finite number is (None, False)."""
    if _text(value) == "":
        return None, True
    try:
        number = float(str(value).strip().rstrip("%％")) if isinstance(value, str) else float(value)
    except ValueError:
        return None, False
    return (number, True) if math.isfinite(number) else (None, False)


def result_from_editor(indicators: pd.DataFrame, tasks: pd.DataFrame, catalogue: Catalogue, *,
                       department: str, period: str, filename: str, sha256: str) -> ImportResult:
    """The edited tables as an ImportResult: filled rows become IndicatorRow/TaskRow, bad cells Problems.

    A row whose 实际值 (or, for tasks, every progress field) is blank is not reported and is skipped.
    """
    result = ImportResult(filename=filename, sha256=sha256, department=department, period=period)
    _indicators(indicators, catalogue, period, result, department)
    _tasks(tasks, department, period, result)
    return result


def _indicators(df: pd.DataFrame, catalogue: Catalogue, period: str, result: ImportResult, department: str) -> None:
    targets = {t.id: t for t in catalogue.targets}
    adcodes = {d.name: d.adcode for d in catalogue.districts}
    for i, rec in enumerate(df.to_dict("records")):
        raw = rec.get("实际值")
        value, ok = _number(raw)
        if ok and value is None:
            continue
        result.rows_read += 1
        row = i + _HEADER_ROW + 1
        target = targets[rec["指标编号"]]

        def problem(message: str, fix: str) -> None:
            result.problems.append(Problem(INDICATOR_SHEET, _cell(INDICATOR_COLUMNS, "实际值", i), _text(raw),
                                           message, fix, row=row))

        if not ok:
            problem("实际值不是数字", "请填写数字，例如 95 或 95.5")
        elif target.kind == "yesno" and value not in (0.0, 1.0):
            problem("是/否类指标只能填 1（是）或 0（否）", "请填写 1 或 0")
        elif _is_share(target) and not 0 <= value <= 100:
            problem("百分比应在 0 到 100 之间", "请填写 0–100 之间的数，例如 95 表示 95%")
        elif value < 0 and "增长" not in target.name:
            problem("不能为负数", "请填写 0 或正数")
        elif not _texts_fit(result, INDICATOR_SHEET, INDICATOR_COLUMNS, rec, i, row,
                            (("数据来源", "data_source"), ("备注", "note"))):
            pass
        else:
            area = rec.get("区县") or CITY
            result.indicators.append(IndicatorRow(
                target.id, None if area == CITY else adcodes[area], period, value,
                _text(rec.get("数据来源")), _text(rec.get("备注")), INDICATOR_SHEET, row,
                department or target.lead_department))  # the grid is the department's own rows


def _texts_fit(result: ImportResult, sheet: str, columns: list[str], rec: dict, i: int, row: int,
               fields: tuple[tuple[str, str], ...]) -> bool:
    """Every text within its field's limit (the same limits as uploaded files); else a problem on its cell."""
    fit = True
    for column, f in fields:
        value = _text(rec.get(column))
        message = too_long(value, TEXT_LIMITS[f])
        if message:
            result.problems.append(Problem(sheet, _cell(columns, column, i), value[:50] + "…", message,
                                           f"请精简到 {TEXT_LIMITS[f]:,} 字以内", row=row))
            fit = False
    return fit


def _is_share(target: Target) -> bool:
    # A growth rate (年均增长) is a percentage that may be negative or exceed 100; rates and shares may not.
    return target.unit == "%" and "增长" not in target.name


def _tasks(df: pd.DataFrame, department: str, period: str, result: ImportResult) -> None:
    for i, rec in enumerate(df.to_dict("records")):
        status = _text(rec.get("进展状态"))
        percent_raw = rec.get("完成进度(%)")
        texts = [_text(rec.get(c)) for c in ("进展情况", "存在问题", "下一步计划")]
        if not status and _text(percent_raw) == "" and not any(texts):
            continue
        result.rows_read += 1
        row = i + _HEADER_ROW + 1
        before = len(result.problems)
        percent, ok = _number(percent_raw)
        if not status:
            result.problems.append(Problem(TASK_SHEET, _cell(TASK_COLUMNS, "进展状态", i), "", "进展状态为空",
                                           f"请从 {'/'.join(TASK_STATUSES)} 中选择", row=row))
        elif status not in TASK_STATUSES:
            result.problems.append(Problem(TASK_SHEET, _cell(TASK_COLUMNS, "进展状态", i), status,
                                           "进展状态不在可选范围内", f"请从 {'/'.join(TASK_STATUSES)} 中选择",
                                           row=row))
        if not ok:
            result.problems.append(Problem(TASK_SHEET, _cell(TASK_COLUMNS, "完成进度(%)", i), _text(percent_raw),
                                           "完成进度不是数字", "请填写 0–100 之间的数", row=row))
        elif percent is not None and not 0 <= percent <= 100:
            result.problems.append(Problem(TASK_SHEET, _cell(TASK_COLUMNS, "完成进度(%)", i), _text(percent_raw),
                                           "完成进度应在 0 到 100 之间", "请填写 0–100 之间的数，例如 60 表示 60%",
                                           row=row))
        _texts_fit(result, TASK_SHEET, TASK_COLUMNS, rec, i, row,
                   (("进展情况", "narrative"), ("存在问题", "problems"), ("下一步计划", "next_steps")))
        if len(result.problems) == before:
            result.tasks.append(TaskRow(int(rec["任务编号"]), department, period, status, percent, *texts,
                                        TASK_SHEET, row))


def editor_workbook(indicators: pd.DataFrame, tasks: pd.DataFrame) -> bytes:
    """The edited tables as an .xlsx with the template's sheet names: the kept 'original file'."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        indicators.to_excel(writer, sheet_name=INDICATOR_SHEET, index=False)
        tasks.to_excel(writer, sheet_name=TASK_SHEET, index=False)
        neutralise_workbook(writer.book)  # typed text kept as typed, never as a live formula
    return buffer.getvalue()
