"""Sheets per plan: the template names its plan and carries its id (说明 sheet, 方案编号), and a workbook
marked for another plan is refused whole, naming file, sheet, cell and both plans (core.importer.plan_mark);
a hand-made sheet without the marker is judged as before."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlmodel import func, select

from core import auth
from core.catalogue import load_catalogue
from core.importer.model import UploadRefused
from core.importer.plan_mark import check_plan, marker
from core.importer.reader import read_upload
from core.importer.templates import build_template
from core.paths import PLAN_DIR
from core.plan_context import use_plan
from core.plans import read_plan
from db import models as m
from db import users
from db.engine import session_scope
from services import submissions
from services.identity import Caller
from tests.auth_fixtures import make_user, token_for
from tests.support.periods import open_periods
from tests.support.plans import FIRST, FIRST_NAME, ROOT, SECOND, SECOND_NAME, two_plans  # noqa: F401  (fixture)

FIRST_PLAN = read_plan(PLAN_DIR)
SECOND_PLAN = read_plan(ROOT / "tests" / "fixtures" / "plans" / SECOND)
PLANS = {FIRST: FIRST_PLAN, SECOND: SECOND_PLAN}
DEPT = "市市场监管局"


def template(plan=FIRST_PLAN, period: str = "2020Q4") -> bytes:
    return build_template(load_catalogue(), period=period, deadline=date(2021, 1, 10), department=DEPT, plan=plan)


def test_the_template_names_its_plan_and_carries_its_id():
    wb = openpyxl.load_workbook(io.BytesIO(template(SECOND_PLAN)))
    sheet = wb["说明"]
    assert sheet["A1"].value == f"{SECOND_NAME} · 进度填报表"
    facts = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, max_row=8, values_only=True)}
    assert facts["方案"] == f"《{SECOND_NAME}》（2021Q1–2025Q4）" and facts["方案编号"] == SECOND
    assert sheet["A10"].value == "填写方法："  # the steps follow the facts


def test_the_marker_round_trips_through_the_parse_child():
    book = read_upload("模板.xlsx", template(SECOND_PLAN))
    assert marker(book) == (SECOND, "B8")
    assert marker(read_upload("模板.xlsx", template())) == (FIRST, "B8")


def test_a_sheet_of_the_current_plan_passes_and_another_plans_is_refused_naming_file_sheet_and_cell():
    book = read_upload("进度.xlsx", template(FIRST_PLAN))
    check_plan("进度.xlsx", book, FIRST_PLAN, PLANS)  # its own plan: nothing to say
    with pytest.raises(UploadRefused) as refused:
        check_plan("进度.xlsx", book, SECOND_PLAN, PLANS)
    assert str(refused.value) == (
        f"“进度.xlsx”的“说明”表 B8：此表是《{FIRST_NAME}》（2018Q1–2020Q4）的填报表，"
        f"当前选择的方案是《{SECOND_NAME}》（2021Q1–2025Q4）：请在左侧切换方案后再上传，或下载本方案的模板")
    cli_fix = f"：请加 --plan {FIRST} 后再导入，或用 manage.py template 生成本方案的模板$"
    with pytest.raises(UploadRefused, match=cli_fix):
        check_plan("进度.xlsx", book, SECOND_PLAN, PLANS, command_line=True)


def test_a_marker_naming_no_plan_is_refused_and_its_text_is_not_echoed_when_it_is_no_id():
    wb = openpyxl.load_workbook(io.BytesIO(template()))
    wb["说明"]["B8"].value = "下一期方案（草稿）"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(UploadRefused, match=r"“说明”表 B8 的方案编号“（无法识别）”不是本看板的方案"):
        check_plan("进度.xlsx", read_upload("进度.xlsx", out.getvalue()), FIRST_PLAN, PLANS)
    wb["说明"]["B8"].value = "2026-2030"
    wb.save(out := io.BytesIO())
    with pytest.raises(UploadRefused, match="方案编号“2026-2030”不是本看板的方案"):
        check_plan("进度.xlsx", read_upload("进度.xlsx", out.getvalue()), FIRST_PLAN, PLANS)


def test_a_hand_made_sheet_without_a_marker_is_judged_as_before():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标进展"
    ws.append(["指标编号", "指标名称", "报告期", "实际值"])
    ws.append(["T23", "", "2020Q4", 250])
    out = io.BytesIO()
    wb.save(out)
    book = read_upload("自制.xlsx", out.getvalue())
    assert marker(book) is None
    check_plan("自制.xlsx", book, SECOND_PLAN, PLANS)  # no marker: the period rules judge it


@pytest.fixture
def office(fresh_db, two_plans):
    make_user("office", auth.ADMIN)
    return Caller(users.user_identity("office"), token_for("office"))


def _rows() -> tuple[int, ...]:
    with session_scope() as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one()
                     for t in (m.Submission, m.IndicatorValue, m.TaskProgress))


def test_services_refuse_another_plans_workbook_and_write_nothing(office):
    wb = openpyxl.load_workbook(io.BytesIO(template(FIRST_PLAN)))
    for row in wb["指标进展"].iter_rows(min_row=3):
        if row[0].value == "T23" and row[4].value == "全市":
            row[6].value = 250
    filled = io.BytesIO()
    wb.save(filled)
    before = _rows()
    with use_plan(SECOND):
        draft = submissions.prepare_file(office, "进度.xlsx", filled.getvalue())
        assert draft.refused.startswith(f"“进度.xlsx”的“说明”表 B8：此表是《{FIRST_NAME}》")
        assert f"当前选择的方案是《{SECOND_NAME}》" in draft.refused
        assert submissions.commit(office, draft).refused == draft.refused
    assert _rows() == before
    open_periods("2020Q4")  # closed by itself years ago (报告期关闭); the office reopens it to take the sheet
    draft = submissions.prepare_file(office, "进度.xlsx", filled.getvalue())  # its own plan: read as before
    assert not draft.refused and not draft.problems
    assert [r.target_id for r in draft.result.indicators] == ["T23"]


def test_the_command_line_refuses_another_plans_workbook_and_names_its_plan_option(office, tmp_path, capsys):
    import json

    import manage

    path = tmp_path / "进度.xlsx"
    path.write_bytes(template(FIRST_PLAN))
    before = _rows()
    with use_plan(SECOND):  # what `--plan 2021-2025` will set (plans15)
        assert manage.main(["import", str(path), "--user", "office"]) == 2
    shown = json.dumps(json.loads(capsys.readouterr().out), ensure_ascii=False)
    assert f"此表是《{FIRST_NAME}》" in shown and f"请加 --plan {FIRST} 后再导入" in shown
    assert _rows() == before
