"""build_template: the progress workbook a department downloads, fills in Excel or WPS and uploads."""
from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.auth import may_report_target
from core.catalogue import Catalogue, Target
from core.importer.plan_mark import plan_facts
from core.importer.scope import INSTRUCTIONS_SHEET
from core.periods import period_from_code
from core.plans import Plan, current_plan
from core.reporting import TASK_STATUSES
from core.spreadsheet_safety import neutralise_workbook
from core.status import TargetSpec, target_text

INDICATOR_SHEET = "指标进展"
TASK_SHEET = "任务进展"
INDICATOR_HEADERS = ("指标编号", "指标名称", "单位", "目标值", "区县", "报告期", "实际值", "数据来源", "备注")
TASK_HEADERS = ("任务编号", "工作任务", "责任部门", "牵头/参与", "报告期", "进展状态", "完成进度(%)",
                "进展情况", "存在问题", "下一步计划")
CITY = "全市"
HEADER_ROW = 2  # row 1 holds the title
FIRST_DATA_ROW = HEADER_ROW + 1

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFFBE6")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    editable: bool = False
    number_format: str = "@"
    wrap: bool = False


_INDICATOR_COLUMNS = (
    _Column("指标编号", 9), _Column("指标名称", 44, wrap=True), _Column("单位", 8), _Column("目标值", 12),
    _Column("区县", 10, editable=True), _Column("报告期", 10),
    _Column("实际值", 12, editable=True, number_format="#,##0.0#"),
    _Column("数据来源", 20, editable=True, wrap=True), _Column("备注", 24, editable=True, wrap=True),
)
_TASK_COLUMNS = (
    _Column("任务编号", 9, number_format="0"), _Column("工作任务", 32, wrap=True), _Column("责任部门", 20),
    _Column("牵头/参与", 10), _Column("报告期", 10),
    _Column("进展状态", 11, editable=True), _Column("完成进度(%)", 12, editable=True, number_format="0"),
    _Column("进展情况", 44, editable=True, wrap=True), _Column("存在问题", 30, editable=True, wrap=True),
    _Column("下一步计划", 30, editable=True, wrap=True),
)


PREVIOUS_HEADER = "上期值"  # read-only; the importer never reads it (core.importer.headers.PREVIOUS_VALUE)
_PREVIOUS = _Column(PREVIOUS_HEADER, 12)


def build_template(catalogue: Catalogue, *, period: str, deadline: date, department: str | None = None,
                   previous: Mapping[tuple, object] | None = None, assigned: Mapping[str, str] | None = None,
                   plan: Plan | None = None) -> bytes:
    """The workbook to fill. `previous`: the values in force last period, written read-only in a grey 上期值
    column next to the input so a clerk updates rather than retypes. Keys: (target_id, district adcode or
    None) -> number (是/否 targets: 1 or 0); (task_id, department) -> text such as "推进中 60%".
    `assigned`: targets 基期与责任备案 gave to a participating department, listed in that department's
    template too (core.auth.may_report_target).
    `plan`: the plan the workbook is for (its 说明 sheet names it, and the importer refuses the workbook
    under another plan: core.importer.plan_mark); default the plan the code runs for."""
    plan = plan or current_plan()
    p = period_from_code(period)
    if department is not None and catalogue.canonical_department(department) is None:
        raise ValueError(f"不是方案中的责任部门：{department}")
    department = catalogue.canonical_department(department) if department else None
    wb = Workbook()
    _instructions(wb.active, plan, p.code, p.label, deadline, department)
    scope = department or CITY
    _indicator_sheet(wb.create_sheet(INDICATOR_SHEET), catalogue, p.code, department, scope, previous, assigned)
    _task_sheet(wb.create_sheet(TASK_SHEET), catalogue, p.code, department, scope, previous)
    out = io.BytesIO()
    neutralise_workbook(wb)  # department and catalogue text: never a live formula
    wb.save(out)
    return out.getvalue()


def template_filename(period: str, department: str | None) -> str:
    return f"进度填报模板-{department or '全市'}-{period}.xlsx"


def _instructions(ws: Worksheet, plan: Plan, code: str, label: str, deadline: date,
                  department: str | None) -> None:
    ws.title = INSTRUCTIONS_SHEET
    ws["A1"] = f"{plan.name} · 进度填报表"
    ws["A1"].font = Font(size=16, bold=True)
    facts = (("填报部门", department or CITY), ("报告期", code), ("报告期说明", label),
             ("报送截止", f"{deadline:%Y-%m-%d}"), *plan_facts(plan))
    for i, (k, v) in enumerate(facts, start=3):
        ws.cell(i, 1, k).font = Font(bold=True)
        ws.cell(i, 2, v)
    steps = (
        "填写方法：",
        f"1. 在“{INDICATOR_SHEET}”表填写“实际值”（百分比填 95 或 95% 均可；是/否类指标填“是”或“否”），"
        "可补充数据来源和备注。",
        f"2. 在“{TASK_SHEET}”表为每项任务选择“进展状态”（{'、'.join(TASK_STATUSES)}），"
        "填写完成进度（0–100）和进展情况、存在问题、下一步计划。",
        "3. 灰色列为方案内容，已锁定，请勿修改（“上期值”列为上期已入库的数值，仅供对照，不会导入）；浅黄色列为填写区。"
        "没有进展需要报告的行可以留空，留空的行不会导入。",
        "4. 不要改动表头和工作表名称；请直接填写数值，不要使用公式。",
        f"5. 保存后在看板“进度填报”页面上传，或交市质量强市办。报送截止：{deadline:%Y年%m月%d日}。",
        "上传后系统会逐格检查，有问题的单元格会标红并附批注，可下载标注后的文件修改后重新上传。",
    )
    for i, line in enumerate(steps, start=3 + len(facts) + 1):
        ws.cell(i, 1, line)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 60
    ws.protection.sheet = True


def _prepare(ws: Worksheet, columns: tuple[_Column, ...], title: str) -> None:
    ws.cell(1, 1, title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    for j, col in enumerate(columns, start=1):
        c = ws.cell(HEADER_ROW, j, col.header)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = _HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = _BORDER
        ws.column_dimensions[c.column_letter].width = col.width
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.row_dimensions[HEADER_ROW].height = 30


def _write_rows(ws: Worksheet, columns: tuple[_Column, ...], rows: list[tuple]) -> None:
    for i, values in enumerate(rows, start=FIRST_DATA_ROW):
        for j, (col, value) in enumerate(zip(columns, values), start=1):
            c = ws.cell(i, j, value)
            c.number_format = col.number_format
            c.border = _BORDER
            c.alignment = Alignment(vertical="top", wrap_text=col.wrap)
            c.fill = _INPUT_FILL if col.editable else _LOCKED_FILL
            c.protection = Protection(locked=not col.editable)


def _protect(ws: Worksheet) -> None:
    # No password: the lock guards against slips, not against the department itself.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False


def _target_text(t: Target) -> str:
    spec = TargetSpec(t.name, t.unit, t.comparator, t.target_value, t.target_max, t.target_year, t.kind, t.baseline)
    return target_text(spec, with_unit=False)


def _with_previous(columns: tuple[_Column, ...], before: str, previous) -> tuple[_Column, ...]:
    if previous is None:
        return columns
    at = next(i for i, c in enumerate(columns) if c.header == before)
    return (*columns[:at], _PREVIOUS, *columns[at:])


def _letter(columns: tuple[_Column, ...], header: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.header == header))


def _previous_text(value: object, target: Target | None = None) -> object:
    if value is None or value == "":
        return ""
    if target is not None and target.kind == "yesno" and isinstance(value, (int, float)):
        return "是" if value >= 1 else "否"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _indicator_sheet(ws: Worksheet, catalogue: Catalogue, code: str, department: str | None, scope: str,
                     previous: Mapping[tuple, object] | None = None, assigned: Mapping[str, str] | None = None) -> None:
    columns = _with_previous(_INDICATOR_COLUMNS, "实际值", previous)
    _prepare(ws, columns, f"指标进展 · {scope} · {code}")
    targets = [t for t in catalogue.targets
               if department is None or may_report_target(t.id, t.lead_department, department, assigned)]
    rows, yesno_rows = [], []
    for t in targets:
        areas = [(None, CITY)] + ([(d.adcode, d.name) for d in catalogue.districts] if t.district_breakdown else [])
        for adcode, district in areas:
            row = [t.id, t.name, t.unit, _target_text(t), district, code, None, "", ""]
            if previous is not None:
                row.insert(6, _previous_text(previous.get((t.id, adcode)), t))
            rows.append(tuple(row))
            if t.kind == "yesno":
                yesno_rows.append(FIRST_DATA_ROW + len(rows) - 1)
    _write_rows(ws, columns, rows)
    last = FIRST_DATA_ROW + max(len(rows), 1) - 1
    area, value = _letter(columns, "区县"), _letter(columns, "实际值")
    names = ",".join([CITY] + [d.name for d in catalogue.districts])
    districts = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True, showErrorMessage=True,
                               errorTitle="区县", error="请从下拉列表选择区县")
    districts.add(f"{area}{FIRST_DATA_ROW}:{area}{last}")
    ws.add_data_validation(districts)
    if yesno_rows:
        yesno = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                               error="是/否类指标请选择“是”或“否”")
        for r in yesno_rows:
            yesno.add(f"{value}{r}")
        ws.add_data_validation(yesno)
    _protect(ws)


def _task_sheet(ws: Worksheet, catalogue: Catalogue, code: str, department: str | None, scope: str,
                previous: Mapping[tuple, object] | None = None) -> None:
    columns = _with_previous(_TASK_COLUMNS, "进展状态", previous)
    _prepare(ws, columns, f"任务进展 · {scope} · {code}")
    members = set(catalogue.department_names())
    rows = []
    for task in catalogue.tasks:
        for role, dept in [("牵头", task.lead_department)] + [("参与", d) for d in task.participants]:
            if dept in members and (department is None or dept == department):
                row = [task.id, task.title, dept, role, code, None, None, "", "", ""]
                if previous is not None:
                    row.insert(5, _previous_text(previous.get((task.id, dept))))
                rows.append(tuple(row))
    _write_rows(ws, columns, rows)
    last = FIRST_DATA_ROW + max(len(rows), 1) - 1
    status_col, percent_col = _letter(columns, "进展状态"), _letter(columns, "完成进度(%)")
    status = DataValidation(type="list", formula1='"' + ",".join(TASK_STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="进展状态",
                            error=f"请从下拉列表选择：{'、'.join(TASK_STATUSES)}")
    status.add(f"{status_col}{FIRST_DATA_ROW}:{status_col}{last}")
    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                             showErrorMessage=True, errorTitle="完成进度", error="请填写 0 到 100 之间的数字")
    percent.add(f"{percent_col}{FIRST_DATA_ROW}:{percent_col}{last}")
    ws.add_data_validation(status)
    ws.add_data_validation(percent)
    _protect(ws)
