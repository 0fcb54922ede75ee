"""The 通报: the scoreboard of one period as an Excel workbook ready to print and circulate.

Sheets: 排名 (departments), 区县排名 (county peer group), 滞后清单 (red list),
扣分明细 (every deducted point per department) and 评分规则 (the rule in words).
Every sheet prints landscape, one page wide, with its header row repeated.
"""
from __future__ import annotations

import io
from datetime import date
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.periods import period_from_code
from core.ranking import rank_texts
from core.red_order import natural_key, severity
from core.scoring import COMPONENTS, Scoreboard, red_list
from core.spreadsheet_safety import neutralise, neutralise_workbook
from core.status import ALL_KINDS

TITLE = "湛江市质量提升行动 部门记分卡通报"
HEADER_ROW = 3
GRADE_FILLS = {"A": "C6EFCE", "B": "DDEBF7", "C": "FFEB9C", "D": "FFC7CE"}
HEADER_FILL = "1F4E78"
# Light versions of the status engine's colours, so printed red lists stay readable in grey.
STATUS_FILLS = {"#1a7f37": "C6EFCE", "#2da44e": "E2F0D9", "#d4a72c": "FFEB9C", "#cf222e": "FFC7CE",
                "#82071e": "F4B6B6", "#8c959f": "E7E6E6", "#0969da": "DDEBF7"}
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
safe = neutralise  # the one rule (core.spreadsheet_safety); the sheet builders below call it safe()


def build_bulletin(board: Scoreboard, generated_on: date, demo: bool = False) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    subtitle = _subtitle(board.period, generated_on, demo)
    title = TITLE + ("（演示数据）" if demo else "")
    _ranking_sheet(wb, title, subtitle, board)
    _county_sheet(wb, title, subtitle, board)
    _red_sheet(wb, title, subtitle, board)
    _breakdown_sheet(wb, title, subtitle, board)
    _rule_sheet(wb, title, subtitle, board)
    wb.properties.title = title
    wb.properties.creator = "湛江质量提升督查看板"
    neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _subtitle(period: str, generated_on: date, demo: bool) -> str:
    text = f"报告期：{period_from_code(period).label}（{period}）　生成日期：{generated_on:%Y年%m月%d日}"
    return text + ("　（含演示数据，并非真实报送）" if demo else "")


def _sheet(wb: Workbook, name: str, title: str, subtitle: str, headers: Sequence[str],
           widths: Sequence[int]) -> Worksheet:
    ws = wb.create_sheet(name)
    last = get_column_letter(len(headers))
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws["A1"] = f"{title}——{name}"
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws["A2"] = subtitle
    ws["A2"].font = Font(size=11, color="595959")
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.row_dimensions[1].height = 30
    for col, (head, width) in enumerate(zip(headers, widths), 1):
        c = ws.cell(HEADER_ROW, col, head)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    _print_setup(ws, last)
    return ws


def _print_setup(ws: Worksheet, last_column: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW}"


def _rows(ws: Worksheet, rows: Iterable[Sequence], wrap: Sequence[int] = ()) -> int:
    n = 0
    for n, values in enumerate(rows, 1):
        r = HEADER_ROW + n
        for col, v in enumerate(values, 1):
            c = ws.cell(r, col, safe(v))
            c.border = _BORDER
            c.alignment = Alignment(vertical="top", wrap_text=col in wrap)
    if n:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ws.max_column)}{HEADER_ROW + n}"
    return n


def _fill(ws: Worksheet, row: int, col: int, rgb: str | None) -> None:
    if rgb:
        ws.cell(row, col).fill = PatternFill("solid", fgColor=rgb)


def _change(v) -> float | str:
    return "—" if v is None or v != v else float(v)


def _ranking_sheet(wb: Workbook, title: str, subtitle: str, board: Scoreboard) -> None:
    heads = ["名次", "部门", "等级", "得分", "上期得分", "较上期", "进步最大", "报送情况", "扣分最多的一项", "并列"]
    ws = _sheet(wb, "排名", title, subtitle, heads, [7, 26, 7, 9, 10, 9, 9, 16, 60, 20])
    t = board.ranking
    ties = [x if x.startswith("并列") else "" for x in rank_texts(t["rank"].tolist())]
    _rows(ws, ([int(r["rank"]), r["name"], r["grade"], float(r["score"]), _change(r["previous_score"]),
                _change(r["change"]), "★" if r["most_improved"] else "", r["timeliness"], r["main_loss"], tie]
               for r, tie in zip(t.to_dict("records"), ties)), wrap=(9,))
    _style_ranking(ws, t, grade_col=3, change_col=6)
    for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(t)):
        ws.cell(r, 4).number_format = ws.cell(r, 5).number_format = "0.0"
        ws.cell(r, 6).number_format = "+0.0;-0.0;0.0"


def _style_ranking(ws: Worksheet, table, grade_col: int, change_col: int) -> None:
    for i, r in enumerate(table.to_dict("records")):
        row = HEADER_ROW + 1 + i
        _fill(ws, row, grade_col, GRADE_FILLS.get(r["grade"]))
        ws.cell(row, grade_col).alignment = Alignment(horizontal="center", vertical="top")
        change = r["change"]
        if change is not None and change == change and change != 0:
            ws.cell(row, change_col).font = Font(color="1A7F37" if change > 0 else "CF222E", bold=True)


def _county_sheet(wb: Workbook, title: str, subtitle: str, board: Scoreboard) -> None:
    heads = ["名次", "区县", "等级", "得分", "上期得分", "较上期", "进步最大", "扣分最多的一项", "并列"]
    ws = _sheet(wb, "区县排名", title, subtitle, heads, [7, 14, 7, 9, 10, 9, 9, 70, 20])
    t = board.county_ranking
    ties = [x if x.startswith("并列") else "" for x in rank_texts(t["rank"].tolist(), "区县")]
    n = _rows(ws, ([int(r["rank"]), r["name"], r["grade"], float(r["score"]), _change(r["previous_score"]),
                    _change(r["change"]), "★" if r["most_improved"] else "", r["main_loss"], tie]
                   for r, tie in zip(t.to_dict("records"), ties)), wrap=(8,))
    _style_ranking(ws, t, grade_col=3, change_col=6)
    unranked = [s.department for s in board.county_scores if s.score is None]
    note = "区县按分区县指标的状态评分（满分 100 分）；按时报送与数据质量是部门考核项，不适用于区县。"
    if unranked:
        note += f"截至本期无分区县数据、未参与排名：{'、'.join(unranked)}。"
    ws.cell(HEADER_ROW + n + 2, 1, note).font = Font(italic=True, color="595959")


def _red_sheet(wb: Workbook, title: str, subtitle: str, board: Scoreboard) -> None:
    heads = ["部门", "类别", "事项", "角色", "状态", "说明"]
    ws = _sheet(wb, "滞后清单", title, subtitle, heads, [24, 7, 44, 7, 14, 70])
    red = _by_severity(red_list(board))
    _rows(ws, red[["department", "kind", "item", "role", "status", "explanation"]].itertuples(index=False),
          wrap=(3, 6))
    for i, status in enumerate(red["status"]):
        kind = ALL_KINDS.get(status)
        _fill(ws, HEADER_ROW + 1 + i, 5, STATUS_FILLS.get(kind.color) if kind else GRADE_FILLS["D"])


def _by_severity(red):
    """Departments in the scoreboard's order (worst first); within one, core.red_order's order (未完成/逾期 first,
    then 滞后, 未报送; numbers as numbers)."""
    order = {d: i for i, d in enumerate(dict.fromkeys(red["department"]))}
    keys = [(order[d], severity("未报送" if str(s).startswith("未报送") else s), natural_key(item))
            for d, s, item in red[["department", "status", "item"]].itertuples(index=False)]
    return red.iloc[sorted(range(len(red)), key=keys.__getitem__)].reset_index(drop=True)


def _breakdown_sheet(wb: Workbook, title: str, subtitle: str, board: Scoreboard) -> None:
    heads = ["部门", "得分", "等级", "考核项", "扣分事项", "状态", "扣分", "说明"]
    ws = _sheet(wb, "扣分明细", title, subtitle, heads, [24, 8, 7, 14, 46, 16, 8, 62])
    by_name = {s.department: s for s in board.scores}
    rows, grades = [], []
    for name in board.ranking["name"]:
        s = by_name[name]
        for note in s.notes:
            rows.append([name, s.score, s.grade, "说明", note, "", None, ""])
        for d in s.deductions:
            rows.append([name, s.score, s.grade, COMPONENTS[d.component], d.item, d.status, d.points, d.explanation])
        if not s.deductions:
            rows.append([name, s.score, s.grade, "", "无扣分", "", 0.0, ""])
    grades = [r[2] for r in rows]
    _rows(ws, rows, wrap=(5, 8))
    for i, g in enumerate(grades):
        _fill(ws, HEADER_ROW + 1 + i, 3, GRADE_FILLS.get(g))
        ws.cell(HEADER_ROW + 1 + i, 7).number_format = "0.0"


def _rule_sheet(wb: Workbook, title: str, subtitle: str, board: Scoreboard) -> None:
    ws = _sheet(wb, "评分规则", title, subtitle, ["序号", "规则"], [7, 120])
    _rows(ws, ([i, line] for i, line in enumerate(board.rule_lines, 1)), wrap=(2,))
