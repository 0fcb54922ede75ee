"""The upload pipeline's speed-ups give the same answers as the plain ways.

validate_upload reads each distinct cell value once per file and remembers the reading
(core.importer.rows.MEMO); the parse child reads the workbook's XML without zipfile or regular
expressions; commit_import hands SQLite the rows directly. Each is compared here with the way it
replaced, on many files with good and bad cells.
"""
from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime

import pytest

from core.catalogue import load_catalogue
from core.importer import rows as row_rules
from core.importer.reader import ParsedBook, ParsedSheet, read_upload
from core.importer.validate import validate_upload
from tests import fixtures_excel as fx

CATALOGUE = load_catalogue()
KNOWN = ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]
IND_HEADER = ["指标编号", "指标名称", "单位", "目标值", "区县", "报告期", "实际值", "数据来源", "备注"]
TASK_HEADER = ["任务编号", "工作任务", "责任部门", "牵头/参与", "报告期", "进展状态", "完成进度(%)", "进展情况",
               "存在问题", "下一步计划"]


def _pick(rnd: random.Random, good: list, bad: list, bad_share: float) -> object:
    return rnd.choice(bad) if rnd.random() < bad_share else rnd.choice(good)


def _indicator_rows(rnd: random.Random, count: int, bad_share: float) -> list[list]:
    targets = CATALOGUE.targets
    districts = [d.name for d in CATALOGUE.districts]
    rows = []
    for _ in range(count):
        t = rnd.choice(targets)
        tid = _pick(rnd, [t.id, t.id, t.id.lower(), f"T{int(t.id[1:])}"], ["T99", "", "  ", None, 7.0, "X1"], bad_share)
        district = _pick(rnd, ["", "全市"] + (districts + [d[:2] for d in districts] + [CATALOGUE.districts[0].adcode]
                                              if t.district_breakdown else []),
                         ["火星区", None, 440802.0, districts[0]], bad_share)
        period = _pick(rnd, KNOWN + ["2020年第四季度", "2020-12", " 2020Q3 "],
                       ["2019Q4", "2021Q1", "第五季度", "", None, datetime(2020, 12, 31), 2020.0], bad_share)
        if t.kind == "yesno":
            value = _pick(rnd, ["是", "否", "达到", 1.0, 0.0], ["也许", 2.0, "", None], bad_share)
        elif t.unit == "%":
            value = _pick(rnd, [95.0, 88.5, "95%", "９５％", 0.95, 100.0, 0.0], [120.0, -3.0, "九十", "", float("inf")],
                          bad_share)
        else:
            value = _pick(rnd, [12.0, 3.5, "1,200", 0.0], ["许多", "", True], bad_share)
        rows.append([tid, t.name, t.unit, "", district, period, value,
                     _pick(rnd, ["统计年报", "", "  台账\r\n"], [None, 3.0], bad_share),
                     _pick(rnd, ["", "备注\u3000一"], [None], bad_share)])
    return rows


def _task_rows(rnd: random.Random, count: int, bad_share: float) -> list[list]:
    tasks = CATALOGUE.tasks
    departments = CATALOGUE.department_names()
    rows = []
    for _ in range(count):
        task = rnd.choice(tasks)
        members = [task.lead_department, *task.participants]
        tid = _pick(rnd, [task.id, float(task.id), str(task.id), f"{task.id}."], [999, "", None, 1.5, "十"], bad_share)
        dept = _pick(rnd, members + [m.removeprefix("市") for m in members], ["", rnd.choice(departments), "某局", None],
                     bad_share)
        period = _pick(rnd, KNOWN + ["2020年第四季度"], ["2019Q1", "", None, "Q9"], bad_share)
        status = _pick(rnd, ["推进中", "已完成", "未启动", "滞后", "进行中", "完成"], ["差不多", "", None], bad_share)
        percent = _pick(rnd, [60.0, 0.5, "80%", "", 100.0, 0.0], [150.0, -1.0, "大半"], bad_share)
        narrative = _pick(rnd, ["按计划推进", "", "第一行\n第二行"], [None], bad_share)
        rows.append([tid, task.title, dept, "", period, status, percent, narrative,
                     _pick(rnd, ["", "无"], [None], bad_share), "继续推进"])
    return rows


def _book(rnd: random.Random, bad_share: float, *, short_rows: bool = False, percent: bool = False) -> ParsedBook:
    ind = [["指标进展"], IND_HEADER] + _indicator_rows(rnd, 300, bad_share)
    tasks = [["任务进展"], TASK_HEADER] + _task_rows(rnd, 300, bad_share)
    if short_rows:  # CSV-like rows of different lengths
        ind = [r[:rnd.randint(6, len(r))] if i > 1 else r for i, r in enumerate(ind)]
        tasks = [r[:rnd.randint(5, len(r))] if i > 1 else r for i, r in enumerate(tasks)]
    if rnd.random() < 0.3:  # a row repeated: a duplicate on the second
        ind.append(list(ind[rnd.randint(2, len(ind) - 1)]))
        tasks.append(list(tasks[rnd.randint(2, len(tasks) - 1)]))
    cells = set()
    if percent:
        cells = {("指标进展", f"G{i}") for i in range(3, 300, 7)} | {("任务进展", f"G{i}") for i in range(3, 300, 5)}
    return ParsedBook("f.xlsx", "xlsx", [ParsedSheet("指标进展", ind), ParsedSheet("任务进展", tasks)],
                      percent_cells=cells)


class _Forgetful(dict):
    """A memo that never remembers: every cell is read afresh."""

    def __setitem__(self, key, value) -> None:
        pass


def _both_ways(monkeypatch, book: ParsedBook, **kw):
    fast = validate_upload(book, CATALOGUE, filename="f.xlsx", sha256="x", known_periods=KNOWN, **kw)
    monkeypatch.setattr(row_rules, "MEMO", _Forgetful)
    plain = validate_upload(book, CATALOGUE, filename="f.xlsx", sha256="x", known_periods=KNOWN, **kw)
    monkeypatch.setattr(row_rules, "MEMO", dict)
    return fast, plain


@pytest.mark.parametrize("seed", range(12))
def test_remembered_readings_give_the_same_result_as_reading_every_cell(monkeypatch, seed):
    rnd = random.Random(seed)
    kw = {}
    if seed % 4 == 1:
        kw["department"] = "市市场监管局"
    if seed % 4 == 2:
        kw["period"] = "2020Q4"
    book = _book(rnd, bad_share=[0.0, 0.05, 0.3][seed % 3], short_rows=seed % 5 == 4, percent=seed % 2 == 1)
    fast, plain = _both_ways(monkeypatch, book, **kw)
    assert fast.problems == plain.problems  # same problems, same words, same order
    assert fast.indicators == plain.indicators and fast.tasks == plain.tasks
    assert (fast.rows_read, fast.department, fast.period) == (plain.rows_read, plain.department, plain.period)
    assert fast.notes == plain.notes
    assert fast.indicators or fast.tasks or fast.problems


def test_remembered_readings_on_the_benchmark_sized_template_file(monkeypatch):
    content = fx.fill_template(fx.department_template(CATALOGUE, None))
    book = read_upload("全市.xlsx", content)
    fast, plain = _both_ways(monkeypatch, book)
    assert (fast.problems, fast.indicators, fast.tasks, fast.rows_read) == \
        (plain.problems, plain.indicators, plain.tasks, plain.rows_read)


def _old_style_scan(content: bytes) -> tuple[list, list]:
    """What the parse child found before it stopped using zipfile and regular expressions."""
    import html
    import io
    import re
    import zipfile

    zf = zipfile.ZipFile(io.BytesIO(content))
    wb = zf.read("xl/workbook.xml").decode()
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    targets = {}
    for tag in re.findall(r"<Relationship\b([^>]*)", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        targets[attrs["Id"]] = "xl/" + attrs["Target"].lstrip("/").removeprefix("xl/")
    styles = zf.read("xl/styles.xml")
    custom = {int(i) for i, code in re.findall(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', styles)
              if b"%" in code}
    block = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    percent_styles = {i for i, attrs in enumerate(re.findall(rb"<xf\b([^>]*)", block.group(1)))
                      if int(dict(re.findall(rb'(\w+)="([^"]*)"', attrs)).get(b"numFmtId", b"0")) in {9, 10} | custom}
    formulas, percents = [], []
    for name, rid in re.findall(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', wb):
        xml = zf.read(targets[rid])
        for m in re.finditer(rb"<c\s([^>]*?)(/?)>", xml):
            attrs = dict(re.findall(rb'(\w+)="([^"]*)"', m.group(1)))
            ref = attrs.get(b"r", b"").decode()
            if int(attrs.get(b"s", b"0") or 0) in percent_styles:
                percents.append((html.unescape(name), ref))
            if not m.group(2):
                body = xml[m.end():xml.find(b"</c>", m.end())]
                if b"<f" in body and not re.search(rb"<v>[^<]+</v>", body):
                    formulas.append((html.unescape(name), ref))
    return formulas, percents


def test_child_finds_the_same_formula_and_percent_cells_as_before():
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    rnd = random.Random(7)
    wb = Workbook()
    ws = wb.active
    ws.title = "进度 & <表>"
    for r in range(1, 120):
        for c in range(1, 7):
            cell = ws.cell(r, c)
            k = rnd.random()
            cell.value = f"=A{r}+1" if k < 0.2 else (rnd.random() if k < 0.5 else (f"文本{r}" if k < 0.7 else None))
            if rnd.random() < 0.4:
                cell.number_format = rnd.choice(["0%", "0.0%", "#,##0", "0.00", '0.0"%"', "yyyy-mm-dd"])
    other = wb.create_sheet("第二表")
    other.append(["完成进度"])
    other.append(["=SUM(1,2)"])
    other["A3"] = 0.5
    other["A3"].number_format = "0%"
    rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    other.add_data_validation(rule)
    rule.add("A1:A9")
    import io

    out = io.BytesIO()
    wb.save(out)
    content = out.getvalue()
    book = read_upload("公式.xlsx", content)
    formulas, percents = _old_style_scan(content)
    assert book.formula_cells == formulas and formulas
    assert book.percent_cells == set(percents) and percents


def test_child_answers_with_dates_too():
    content = fx.xlsx({"指标进展": [["报告期", "实际值"], [datetime(2020, 12, 31), 90], [date(2020, 6, 30), 80]]})
    rows = read_upload("日期.xlsx", content).sheets[0].rows
    assert rows[1][0] == date(2020, 12, 31) and rows[2][0] == date(2020, 6, 30) and rows[1][1] == 90


def test_sqlite_commit_stores_what_sqlalchemy_would(fresh_db, monkeypatch):
    """Rows handed to SQLite directly read back exactly like rows inserted through SQLAlchemy."""
    from sqlalchemy import insert

    from core.importer.preview import plan_changes
    from db import imports, queries

    content = fx.fill_template(fx.department_template(CATALOGUE, None))
    result = validate_upload(read_upload("全市.xlsx", content), CATALOGUE, filename="全市.xlsx", sha256="a",
                             known_periods=["2020Q4"])
    assert result.indicators and result.tasks and not result.problems

    def commit_and_read(sha: str) -> tuple[list, list]:
        plan = plan_changes(result, queries.current_values(), queries.current_progress(), CATALOGUE)
        assert len(plan.new) == len(result.indicators) + len(result.tasks)
        result.sha256 = sha
        done = imports.commit_import(result, plan, user="t", source="cli", file_bytes=content, mime="",
                                     department=None, period=None)
        with sqlite3.connect(fresh_db / "dashboard.sqlite3") as conn:
            def rows(sql: str) -> list:
                return conn.execute(sql, (done["submission_id"],)).fetchall()
            when = "(SELECT created_at FROM submission s WHERE s.id = submission_id)"
            stored = (rows(f"SELECT target_id, district_adcode, period_code, value, typeof(value), data_source, "
                           f"note, created_at = {when} FROM indicatorvalue WHERE submission_id = ? ORDER BY id"),
                      rows(f"SELECT task_id, department_id, period_code, status, percent, typeof(percent), "
                           f"narrative, problems, next_steps, created_at = {when} FROM taskprogress "
                           f"WHERE submission_id = ? ORDER BY id"))
        imports.undo_submission(done["submission_id"], "t")  # so the next commit writes every row again
        return stored

    direct = commit_and_read("direct")

    def through_sqlalchemy(session, table, columns, shared, rows):
        session.execute(insert(table), [{**dict(zip(columns, r)), **shared} for r in rows])

    monkeypatch.setattr(imports, "_insert_many", through_sqlalchemy)
    assert commit_and_read("sqlalchemy") == direct
    assert len(direct[0]) == len(result.indicators) and len(direct[1]) == len(result.tasks)
    assert all(r[-1] == 1 for r in direct[0] + direct[1])  # created_at is the submission's, in its format


def test_each_file_gets_a_child_started_ahead_with_its_limits(monkeypatch):
    import dataclasses

    from core.importer import reader
    from core.settings import load_settings

    started = []
    real_start = reader._start_child

    def counting_start(memory_mb):
        proc = real_start(memory_mb)
        started.append((memory_mb, proc))
        return proc

    monkeypatch.setattr(reader, "_start_child", counting_start)
    reader._dismiss_all()
    content = fx.progress_book([["T01", "", "", "", "", "2020Q4", 90]])
    settings = load_settings()
    read_upload("一.xlsx", content, settings)  # no child waiting: one for this file, one for the next
    assert [m for m, _ in started] == [settings.parse_memory_mb] * 2
    used_first, waiting = started[0][1], started[1][1]
    assert used_first.returncode is not None and waiting.poll() is None  # one file per child
    read_upload("二.xlsx", content, settings)  # takes the waiting child, starts the next
    assert len(started) == 3 and waiting.returncode is not None
    small = dataclasses.replace(settings, parse_memory_mb=settings.parse_memory_mb // 2)
    read_upload("三.xlsx", content, small)  # other limits: the waiting child is not used
    assert started[2][1].returncode is not None
    assert [m for m, _ in started[3:]] == [small.parse_memory_mb] * 2
    reader._dismiss_all()
    assert all(proc.returncode is not None for _, proc in started)
