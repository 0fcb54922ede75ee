"""Which column is which: header synonyms, and finding the header row under title rows."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Canonical field -> the headers people write for it (compared after clean_header).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "target_id": ("指标编号", "指标代码", "编号", "指标序号"),
    "target_name": ("指标名称", "指标", "指标项目", "指标内容", "考核指标", "目标指标", "主要指标", "指标名"),
    "unit": ("单位", "计量单位"),
    "target_value": ("目标值", "2020年目标", "目标", "目标任务", "2020年目标值", "预期目标", "目标要求"),
    "district": ("区县", "县区", "地区", "区域", "县(市、区)", "县市区", "行政区", "县(市区)"),
    "period": ("报告期", "填报期", "季度", "报告季度", "统计期", "时间", "统计时间", "截止时间", "报送期"),
    "value": ("实际值", "完成值", "当前值", "实际完成值", "完成情况", "本期值", "本年完成", "本期完成", "本季完成",
              "完成数", "实际完成", "实际完成数", "累计完成", "累计完成值", "本年实际", "实际数", "指标值",
              "当期值", "本年完成值", "本年累计", "实际达到", "现状值", "完成量"),
    "data_source": ("数据来源", "来源", "数据出处"),
    "note": ("备注", "说明"),
    "task_id": ("任务编号", "任务序号"),
    "seq": ("序号",),
    "task_title": ("工作任务", "任务名称", "任务", "重点任务", "工作事项"),
    "content": ("主要内容", "工作内容", "任务内容"),
    "department": ("责任部门", "填报部门", "部门", "责任单位", "填报单位", "牵头单位", "牵头部门", "报送单位"),
    "role": ("牵头/参与", "牵头或参与", "角色", "牵头参与"),
    "status": ("进展状态", "状态", "完成状态", "推进状态"),
    "percent": ("完成进度(%)", "完成进度", "进度(%)", "进度", "完成比例", "完成率(%)", "完成百分比",
                "完成比例(%)"),
    "narrative": ("进展情况", "工作进展", "进度情况", "进展", "工作进展情况", "推进情况", "工作完成情况",
                  "落实情况", "工作落实情况"),
    "problems": ("存在问题", "问题", "存在的问题", "困难问题"),
    "next_steps": ("下一步计划", "下一步工作计划", "下一步工作", "下步计划", "下一步"),
}
# How the preview names each field ("“本年完成”读作实际值").
FIELD_LABELS = {
    "target_id": "指标编号", "target_name": "指标名称", "unit": "单位（不导入）", "target_value": "目标值（不导入）",
    "district": "区县", "period": "报告期", "value": "实际值", "data_source": "数据来源", "note": "备注",
    "task_id": "任务编号", "seq": "序号", "task_title": "工作任务", "content": "主要内容（不导入）",
    "department": "责任部门", "role": "牵头/参与（不导入）", "status": "进展状态", "percent": "完成进度",
    "narrative": "进展情况", "problems": "存在问题", "next_steps": "下一步计划",
}

# The template's own heading of each field: any other heading gets a note in the preview.
TEMPLATE_HEADINGS = {
    "target_id": "指标编号", "target_name": "指标名称", "unit": "单位", "target_value": "目标值", "district": "区县",
    "period": "报告期", "value": "实际值", "data_source": "数据来源", "note": "备注", "task_id": "任务编号",
    "task_title": "工作任务", "department": "责任部门", "role": "牵头/参与", "status": "进展状态",
    "percent": "完成进度(%)", "narrative": "进展情况", "problems": "存在问题", "next_steps": "下一步计划",
}

INDICATOR_FIELDS = ("target_id", "target_name", "unit", "target_value", "district", "period", "value",
                    "data_source", "note", "department")
TASK_FIELDS = ("task_id", "seq", "task_title", "content", "department", "role", "period", "status",
               "percent", "narrative", "problems", "next_steps")
TASK_INPUTS = ("status", "percent", "narrative", "problems", "next_steps")
HEADER_SEARCH_ROWS = 30
PREVIOUS_VALUE = "上期值"  # the template's read-only column of last period's values: never read


def clean_header(value: object) -> str:
    """Width, spaces, line breaks and the (%)/（%） variants do not distinguish headers."""
    s = unicodedata.normalize("NFKC", str(value or ""))
    s = re.sub(r"\s+", "", s)
    return s.replace("*", "").replace("：", "").replace(":", "")


_LOOKUP = {clean_header(h): f for f, hs in SYNONYMS.items() for h in hs}
_UNIT_IN_HEADER = re.compile(r"[(（\[【][^()（）]{0,8}[)）\]】]$")
_QUARTER_HEADER = re.compile(
    r"(?:(\d{4})年?)?(?:第?([一二三四1-4])季度|Q([1-4])|1[-~—至到]+(3|6|9|12)月|(上半年|前三季度|全年))"
    r"(?:末|底)?(?:完成值|实际值|完成情况|完成进度|进展情况|进展|进度|完成|数据|值|情况)?")
_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
                  "上半年": 2, "前三季度": 3, "全年": 4}


@lru_cache(maxsize=4096)
def field_of(header: object) -> str | None:
    h = clean_header(header)
    found = _LOOKUP.get(h)
    if found is None and _UNIT_IN_HEADER.search(h):
        found = _LOOKUP.get(_UNIT_IN_HEADER.sub("", h))  # "实际值（件）", "完成值(%)"
    if found is None:
        # "2020年实际值", "2020年第四季度完成值": a year in front does not change the column's meaning.
        bare = re.sub(r"^\d{4}年(第?[一二三四1-4]季度)?", "", h)
        if bare != h and not _QUARTER_HEADER.fullmatch(h):
            found = _LOOKUP.get(bare)
    return found


@lru_cache(maxsize=4096)
def quarter_of(header: object) -> tuple[int | None, int] | None:
    """(year or None, quarter) of a wide layout's column heading: 2020Q1, 2020年一季度, 一季度, 1-6月."""
    m = _QUARTER_HEADER.fullmatch(clean_header(header).upper())
    if not m:
        return None
    year, cn, q, months, half = m.groups()
    quarter = _QUARTER_WORDS.get(cn or "") or (int(q) if q else None) or \
        (int(months) // 3 if months else None) or _QUARTER_WORDS.get(half or "")
    return (int(year) if year else None, quarter) if quarter else None


@dataclass(frozen=True)
class Header:
    kind: str  # indicator | task
    row: int  # 0-based index of the header row
    columns: dict[str, int]  # field -> 0-based column index
    quarters: dict[int, tuple[int | None, int]] = field(default_factory=dict)  # wide layout: column -> (year, q)
    headings: dict[int, str] = field(default_factory=dict)  # column -> the heading as written


def detect_header(rows: list[list], sheet_name: str) -> Header | None:
    """The first row in the top of the sheet that reads like an indicator or task header."""
    name_hint = clean_header(sheet_name)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        quarters: dict[int, tuple[int | None, int]] = {}
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            f = field_of(cell)
            if f and f not in columns:
                columns[f] = j
            elif f is None and clean_header(cell) != PREVIOUS_VALUE:
                q = quarter_of(cell)
                if q:
                    quarters[j] = q
        kind = _kind_of(columns, quarters, name_hint)
        if kind:
            if kind == "task":
                if "target_id" in columns and "task_id" not in columns:
                    columns["task_id"] = columns.pop("target_id")  # "编号" in a task sheet
                if "value" in columns:  # "完成情况": a percent or a status word
                    columns.setdefault("percent" if "percent" not in columns else "status", columns.pop("value"))
                    columns.pop("value", None)
            if (kind == "indicator" and "value" in columns) or (kind == "task" and "percent" in columns):
                quarters = {}  # one value column: quarter-like headings are other information
            headings = {j: str(row[j]).strip() for j in (*columns.values(), *quarters)}
            return Header(kind, i, columns, quarters, headings)
    return None


def _kind_of(columns: dict[str, int], quarters: dict, name_hint: str) -> str | None:
    indicator = ("target_id" in columns or "target_name" in columns) and ("value" in columns or bool(quarters))
    task = ("task_id" in columns or "task_title" in columns) and (
        any(f in columns for f in TASK_INPUTS) or "value" in columns or bool(quarters))
    if indicator and task:
        if "task_title" in columns and "target_name" not in columns:
            return "task"
        if "target_name" in columns and "task_title" not in columns:
            return "indicator"
        return "task" if "任务" in name_hint else "indicator"
    if indicator:
        return "indicator"
    if task:
        return "task"
    return None
