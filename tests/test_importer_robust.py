"""validate_upload never fails on what a sheet may hold: random headers, layouts and cell types in every place
give problems and notes, never an exception (found: an indicator header with quarter columns and a status)."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest

from core.catalogue import load_catalogue
from core.importer.headers import SYNONYMS
from core.importer.reader import ParsedBook, ParsedSheet
from core.importer.validate import validate_upload

CAT = load_catalogue()
HEADS = [h for hs in SYNONYMS.values() for h in hs] + ["一季度", "2020Q2", "上期值", "1-6月", "全年", "", "乱七八糟"]
VALUES = ["", None, "T01", "t2", "T99", 1, 2.5, float("nan"), float("inf"), True, "约90", "90左右", "12项", "3.5万",
          "已完成", "推进中，60%", "60%", "１２", "2020年四季度", "2020Q5", date(2020, 12, 1), datetime(2020, 1, 1),
          time(1, 2), timedelta(days=1), "=A1", "每万人口发明专利拥有量", "市市场监管局", "牵头部门：市农业农村局",
          "赤坎", "审核人：张三", "填报单位：市农业农村局", "x" * 3000, "-5", "1e400", "9" * 400,
          "（2）提高食品药品质量安全水平"]


@pytest.mark.parametrize("seed", range(4))
def test_random_sheets_give_problems_never_exceptions(seed):
    rnd = random.Random(seed)
    for _ in range(150):
        sheets = []
        for s in range(rnd.randint(1, 3)):
            rows = [[rnd.choice(VALUES) for _ in range(rnd.randint(0, 6))] for _ in range(rnd.randint(0, 3))]
            rows.append([rnd.choice(HEADS) for _ in range(rnd.randint(2, 9))])
            rows += [[rnd.choice(VALUES) for _ in range(rnd.randint(0, 10))] for _ in range(rnd.randint(0, 12))]
            sheets.append(ParsedSheet(rnd.choice(["任务", "指标", "S"]) + str(s), rows))
        book = ParsedBook("f.xlsx", rnd.choice(["xlsx", "csv", "ods"]), sheets)
        result = validate_upload(book, CAT, filename="f", sha256="x", known_periods=["2020Q3", "2020Q4"],
                                 period=rnd.choice([None, "2020Q4"]), department=rnd.choice([None, "市市场监管局"]))
        assert all(p.message and p.fix for p in result.problems)
        kept = {(r.sheet, r.row) for r in [*result.indicators, *result.tasks]}
        assert not kept & result.rejected_rows
