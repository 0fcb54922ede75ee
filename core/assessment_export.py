"""年度考核 as an Excel workbook: results with every line's arithmetic, the 加分/扣分 items with their
appeals, the 一票否决 and the rule in words. Laid out and printed like the 通报 (core.bulletin's sheet
layout); every typed text goes through core.spreadsheet_safety so nothing runs as a formula.
"""
from __future__ import annotations

import io
from datetime import date
from typing import Iterable, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.assessment import KIND_LABELS, AnnualResult
from core.bulletin import GRADE_FILLS, HEADER_ROW, _sheet
from core.spreadsheet_safety import neutralise

TITLE = "湛江市质量提升行动 年度考核"
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _text(value) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return neutralise(value)


def _rows(ws: Worksheet, rows: Iterable[Sequence], wrap: Sequence[int] = ()) -> int:
    n = 0
    for n, values in enumerate(rows, 1):
        for col, v in enumerate(values, 1):
            c = ws.cell(HEADER_ROW + n, col, _text(v))
            c.border = _BORDER
            c.alignment = Alignment(vertical="top", wrap_text=col in wrap)
            if isinstance(v, float):
                c.number_format = "0.0"
    if n:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ws.max_column)}{HEADER_ROW + n}"
    return n


def build_annual_workbook(year: int, quarters: Sequence[str], results: Sequence[AnnualResult],
                          adjustments: pd.DataFrame, vetoes: pd.DataFrame, rule_lines: Sequence[str],
                          generated_on: date, demo: bool = False) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    title = f"{TITLE}（{year} 年度）" + ("（演示数据）" if demo else "")
    subtitle = f"生成日期：{generated_on:%Y年%m月%d日}" + ("　（含演示数据，并非真实考核结果）" if demo else "")
    _results_sheet(wb, title, subtitle, quarters, results)
    _adjustments_sheet(wb, title, subtitle, adjustments, vetoes)
    ws = _sheet(wb, "考核规则", title, subtitle, ["序号", "规则"], [7, 120])
    _rows(ws, ([i, line] for i, line in enumerate(rule_lines, 1)), wrap=(2,))
    wb.properties.title = title
    wb.properties.creator = "湛江质量提升督查看板"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _results_sheet(wb: Workbook, title: str, subtitle: str, quarters: Sequence[str],
                   results: Sequence[AnnualResult]) -> None:
    heads = ["名次", "部门", *quarters, "汇总分", "扣分", "加分", "最终得分", "等级", "算式（汇总 − 扣分 + 加分）",
             "自评分", "状态", "一票否决理由"]
    widths = [16, 24, *([9] * len(quarters)), 9, 7, 7, 9, 14, 30, 8, 10, 40]
    ws = _sheet(wb, "考核结果", title, subtitle, heads, widths)
    rows = []
    for r in results:
        state = r.state + ("（已锁定）" if r.locked else "")
        rows.append([r.rank_text, r.department, *(r.quarter_scores.get(q) for q in quarters), r.rollup, r.penalty,
                     r.bonus, r.final, r.grade_text, r.equation, r.self_score, state, r.veto_reason])
    _rows(ws, rows, wrap=(len(heads),))
    grade_col = heads.index("等级") + 1
    for i, r in enumerate(results):
        if r.grade in GRADE_FILLS:
            ws.cell(HEADER_ROW + 1 + i, grade_col).fill = PatternFill("solid", fgColor=GRADE_FILLS[r.grade])


def _adjustments_sheet(wb: Workbook, title: str, subtitle: str, adjustments: pd.DataFrame,
                       vetoes: pd.DataFrame) -> None:
    heads = ["部门", "类别", "项目", "分值", "理由", "佐证材料", "记录人", "是否有效", "申诉理由", "答复结果", "答复"]
    ws = _sheet(wb, "加分扣分与否决", title, subtitle, heads, [22, 8, 34, 7, 40, 24, 10, 14, 34, 10, 34])
    rows = []
    for a in adjustments.to_dict("records"):
        valid = "已撤销：" + str(a["withdrawn_reason"]) if a["withdrawn"] else "有效"
        rows.append([a["department"], KIND_LABELS.get(a["kind"], a["kind"]), f"{a['code']} {a['name']}",
                     float(a["points"]), a["reason"], a["evidence"], a["created_by"], valid, a["appeal_reason"],
                     a["appeal_outcome"] or ("待答复" if isinstance(a["appeal_reason"], str) else ""),
                     a["appeal_answer"]])
    for v in vetoes.to_dict("records"):
        valid = "已撤销：" + str(v["lifted_reason"]) if v["lifted"] else "有效"
        rows.append([v["department"], "一票否决", "等级为 D", None, v["reason"], v["evidence"], v["created_by"], valid,
                     "", "", ""])
    _rows(ws, rows, wrap=(3, 5, 8, 9, 11))
