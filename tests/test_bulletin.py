"""The 通报 workbook, read back with openpyxl."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.bulletin import TITLE, build_bulletin, safe
from core.scoring import ITEM_COLUMNS, Deduction, DepartmentScore, Scoreboard, ranking, red_list

SHEETS = ["排名", "区县排名", "滞后清单", "扣分明细", "评分规则"]


@pytest.fixture(scope="module")
def demo_board(demo_db_path):
    from tests.conftest import _point_at

    _point_at(demo_db_path)
    from services.scoring import scoreboard

    return scoreboard("2020Q4")


def read(data: bytes):
    return load_workbook(io.BytesIO(data))


def column(ws, col: int) -> list:
    return [ws.cell(r, col).value for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value is not None]


def test_sheets_title_period_and_demo_label(demo_board):
    wb = read(build_bulletin(demo_board, date(2021, 1, 20), demo=True))
    assert wb.sheetnames == SHEETS
    ws = wb["排名"]
    assert ws["A1"].value == f"{TITLE}（演示数据）——排名"
    assert "2020年第四季度（2020Q4）" in ws["A2"].value
    assert "2021年01月20日" in ws["A2"].value and "演示数据" in ws["A2"].value
    assert [c.value for c in ws[3]][:4] == ["名次", "部门", "等级", "得分"]


def test_ranking_order_equals_core_ranking(demo_board):
    ws = read(build_bulletin(demo_board, date(2021, 1, 20)))["排名"]
    assert column(ws, 2) == demo_board.ranking["name"].tolist()
    assert column(ws, 4) == demo_board.ranking["score"].tolist()
    assert column(ws, 3) == demo_board.ranking["grade"].tolist()
    assert len(column(ws, 2)) == 38  # every department of the catalogue has something to report
    assert "演示数据" not in ws["A1"].value


def test_grade_fills_and_print_setup(demo_board):
    wb = read(build_bulletin(demo_board, date(2021, 1, 20)))
    ws = wb["排名"]
    fills = {ws.cell(r, 3).value: ws.cell(r, 3).fill.fgColor.rgb for r in range(4, 4 + len(demo_board.ranking))}
    assert fills["D"].endswith("FFC7CE")
    assert all(rgb.endswith(("C6EFCE", "DDEBF7", "FFEB9C", "FFC7CE")) for rgb in fills.values())
    assert ws.cell(3, 1).fill.fgColor.rgb.endswith("1F4E78")
    for name in SHEETS:
        s = wb[name]
        assert s.page_setup.orientation == "landscape"
        assert s.page_setup.fitToWidth == 1 and s.page_setup.fitToHeight == 0
        assert s.sheet_properties.pageSetUpPr.fitToPage is True
        assert s.print_title_rows == "$3:$3"
        assert s.freeze_panes == "A4"
    assert wb["排名"].column_dimensions["B"].width == 26


def test_red_list_and_breakdown_carry_every_deduction(demo_board):
    wb = read(build_bulletin(demo_board, date(2021, 1, 20)))
    red = wb["滞后清单"]
    assert len(column(red, 1)) == len(red_list(demo_board)) > 0
    statuses = set(column(red, 5))
    assert "逾期" in statuses or "滞后" in statuses or "未完成" in statuses
    assert any(s.startswith("未报送") for s in statuses)  # the demo's skipped departments
    detail = wb["扣分明细"]
    first = demo_board.ranking["name"].iloc[-1]
    s = demo_board.score_of(first)
    rows = [(detail.cell(r, 5).value, detail.cell(r, 7).value) for r in range(4, detail.max_row + 1)
            if detail.cell(r, 1).value == first and detail.cell(r, 4).value != "说明"]
    assert rows == [(d.item, d.points) for d in s.deductions]
    assert pytest.approx(100 - sum(p for _, p in rows), abs=0.05) == s.score


def test_formula_like_text_is_neutralised():
    assert safe("=SUM(A1)") == "'=SUM(A1)" and safe("-1") == "'-1" and safe("@x") == "'@x"
    assert safe("市水务局") == "市水务局" and safe(-3.2) == -3.2
    evil = "=HYPERLINK(\"http://x\",\"点我\")"
    score = DepartmentScore(evil, "2020Q4", 50.0, "D", deductions=(Deduction("targets", "+T01 x", "滞后", 50.0, "@why"),),
                            timeliness="按时")
    items = pd.DataFrame([{"component": "targets", "key": "T01", "label": "+T01 x", "department": evil, "role": "牵头",
                           "weight": 1.0, "status": "滞后", "explanation": "-说明"}], columns=ITEM_COLUMNS)
    board = Scoreboard("2020Q4", "2020Q3", [score], ranking([score]), items, items.iloc[0:0], [],
                       ranking([]), pd.DataFrame(), ["=规则"])
    wb = read(build_bulletin(board, date(2021, 1, 20)))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(c.data_type == "f" for c in cells)
    assert wb["排名"]["B4"].value == "'" + evil
    assert wb["滞后清单"]["F4"].value == "'-说明"
    assert wb["评分规则"]["B4"].value == "'=规则"


def test_ranking_sheets_say_ties_whole(demo_board):
    ws = read(build_bulletin(demo_board, date(2021, 1, 20)))["排名"]
    assert ws.cell(3, 10).value == "并列"
    ties = column(ws, 10)
    # The demo's largest tie and a rank held alone, from the board itself (the demo moves with the rules).
    counts = demo_board.ranking["rank"].value_counts()
    rank, n = int(counts.idxmax()), int(counts.max())
    alone = int(counts[counts == 1].index.min())
    assert n > 1 and ties.count(f"并列第{rank}名，{n}个部门") == n
    assert ties[demo_board.ranking["rank"].tolist().index(alone)] is None  # a rank held alone says nothing more


def test_red_sheet_worst_status_first_within_a_department(demo_board):
    ws = read(build_bulletin(demo_board, date(2021, 1, 20)))["滞后清单"]
    rows = [(ws.cell(r, 1).value, ws.cell(r, 5).value) for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value]
    rank = {"未完成": 0, "逾期": 1, "滞后": 2}
    for dept in {d for d, _ in rows}:
        mine = [rank.get(s, 3) for d, s in rows if d == dept]
        assert mine == sorted(mine), dept
