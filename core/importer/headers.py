"""Which column is which: header synonyms, and finding the header row under title rows."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Canonical field -> the headers people write for it (compared after clean_header).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "target_id": ("指标编号", "指标代码", "编号"),
    "target_name": ("指标名称", "指标", "指标项目"),
    "unit": ("单位", "计量单位"),
    "target_value": ("目标值", "2020年目标", "目标"),
    "district": ("区县", "县区", "地区", "区域", "县(市、区)", "县市区", "行政区"),
    "period": ("报告期", "填报期", "季度", "报告季度", "统计期", "时间"),
    "value": ("实际值", "完成值", "当前值", "实际完成值", "完成情况", "本期值"),
    "data_source": ("数据来源", "来源"),
    "note": ("备注", "说明"),
    "task_id": ("任务编号", "任务序号"),
    "seq": ("序号",),
    "task_title": ("工作任务", "任务名称", "任务"),
    "content": ("主要内容", "工作内容", "任务内容"),
    "department": ("责任部门", "填报部门", "部门", "责任单位", "填报单位"),
    "role": ("牵头/参与", "牵头或参与", "角色", "牵头参与"),
    "status": ("进展状态", "状态", "完成状态", "推进状态"),
    "percent": ("完成进度(%)", "完成进度", "进度(%)", "进度", "完成比例", "完成率(%)", "完成百分比"),
    "narrative": ("进展情况", "工作进展", "进度情况", "进展", "工作进展情况", "推进情况"),
    "problems": ("存在问题", "问题", "存在的问题", "困难问题"),
    "next_steps": ("下一步计划", "下一步工作计划", "下一步工作", "下步计划", "下一步"),
}

INDICATOR_FIELDS = ("target_id", "target_name", "unit", "target_value", "district", "period", "value",
                    "data_source", "note")
TASK_FIELDS = ("task_id", "seq", "task_title", "content", "department", "role", "period", "status",
               "percent", "narrative", "problems", "next_steps")
TASK_INPUTS = ("status", "percent", "narrative", "problems", "next_steps")
HEADER_SEARCH_ROWS = 30


def clean_header(value: object) -> str:
    """Width, spaces, line breaks and the (%)/（%） variants do not distinguish headers."""
    s = unicodedata.normalize("NFKC", str(value or ""))
    s = re.sub(r"\s+", "", s)
    return s.replace("*", "").replace("：", "").replace(":", "")


_LOOKUP = {clean_header(h): f for f, hs in SYNONYMS.items() for h in hs}


def field_of(header: object) -> str | None:
    return _LOOKUP.get(clean_header(header))


@dataclass(frozen=True)
class Header:
    kind: str  # indicator | task
    row: int  # 0-based index of the header row
    columns: dict[str, int]  # field -> 0-based column index


def detect_header(rows: list[list], sheet_name: str) -> Header | None:
    """The first row in the top of the sheet that reads like an indicator or task header."""
    name_hint = clean_header(sheet_name)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for j, cell in enumerate(row):
            f = field_of(cell)
            if f and f not in columns:
                columns[f] = j
        kind = _kind_of(columns, name_hint)
        if kind:
            return Header(kind, i, columns)
    return None


def _kind_of(columns: dict[str, int], name_hint: str) -> str | None:
    indicator = ("target_id" in columns or "target_name" in columns) and "value" in columns
    task = ("task_id" in columns or "task_title" in columns) and any(f in columns for f in TASK_INPUTS)
    if indicator and task:
        return "task" if "任务" in name_hint else "indicator"
    if indicator:
        return "indicator"
    if task:
        return "task"
    return None
