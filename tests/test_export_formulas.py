"""Formula injection, one test over every workbook the dashboard writes (core.spreadsheet_safety is the one rule):
the meeting summary, the stored original of an online entry, the 通报, the audit log export (xlsx and CSV), the
templates. Each is made from text that starts like a formula; none may hold a live formula cell, and the text must
come back exactly as typed (quote-prefixed) or apostrophe-prefixed (CSV and the older 通报/audit rule)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from core.importer.online import editor_workbook
from core.importer.templates import build_template
from core.spreadsheet_safety import FORMULA_STARTS, safe_csv_bytes, safe_xlsx_bytes

EVIL = '=HYPERLINK("http://evil.example/x","点此查看")'
CMD = "=cmd|' /C calc'!A0"


def assert_no_live_formula(data: bytes) -> list:
    """Every text cell of the workbook; fails on any formula cell or unprotected formula-like text."""
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "live formula cells"
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
    assert all(c.quotePrefix for c in risky), [c.coordinate for c in risky if not c.quotePrefix]
    return [c.value for c in cells if isinstance(c.value, str)]


def test_meeting_summary_xlsx(demo_db):
    from core.meeting_export import summary_xlsx
    from db import meetings

    meetings.add_decision(5, EVIL, "批示", "测试")
    payload = meetings.live_payload("2020Q4")
    payload["meeting"] = {"name": CMD, "date": "2020-12-30"}
    texts = assert_no_live_formula(summary_xlsx(payload))
    assert EVIL in texts  # shown as typed


def test_online_entry_stored_original():
    indicators = pd.DataFrame([{"指标编号": "T01", "区县": "全市", "实际值": "=1+1", "数据来源": EVIL, "备注": "@x"}])
    tasks = pd.DataFrame([{"任务编号": 1, "进展状态": "推进中", "完成进度(%)": 50, "进展情况": CMD,
                           "存在问题": "-无", "下一步计划": "+继续"}])
    texts = assert_no_live_formula(editor_workbook(indicators, tasks))
    assert {EVIL, CMD, "=1+1"} <= set(texts)


def test_bulletin(demo_db_path):
    from core.bulletin import build_bulletin
    from core.scoring import (
        ITEM_COLUMNS,
        Deduction,
        DepartmentScore,
        Scoreboard,
        ranking,
    )

    score = DepartmentScore(EVIL, "2020Q4", 50.0, "D", deductions=(Deduction("targets", "+T01", "滞后", 50.0, "@"),),
                            timeliness="按时")
    items = pd.DataFrame([{"component": "targets", "key": "T01", "label": "+T01", "department": EVIL,
                           "role": "牵头", "weight": 1.0, "status": "滞后", "explanation": CMD}], columns=ITEM_COLUMNS)
    board = Scoreboard("2020Q4", "2020Q3", [score], ranking([score]), items, items.iloc[0:0], [], ranking([]),
                       pd.DataFrame(), ["=规则"])
    assert_no_live_formula(build_bulletin(board, date(2021, 1, 20)))


def test_audit_export_xlsx_and_csv():
    from components.auth_audit import log_table

    log = pd.DataFrame({"at": pd.to_datetime(["2026-01-05 08:00"]).tz_localize("UTC"), "user_name": [CMD],
                        "action": ["login_failed"], "detail": ['{"reason": "=1+1"}']})
    table = log_table(log)
    assert_no_live_formula(safe_xlsx_bytes(table, "审计日志"))
    rows = list(csv.reader(io.StringIO(safe_csv_bytes(table).decode("utf-8-sig"))))
    assert not [c for r in rows[1:] for c in r if c[:1] in "=+-@"]


def test_templates():
    from core.catalogue import load_catalogue

    cat = load_catalogue()
    for department in (None, cat.department_names()[0]):
        assert_no_live_formula(build_template(cat, period="2020Q4", deadline=date(2021, 1, 20), department=department))
