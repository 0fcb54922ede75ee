"""Templates (round trip, protection, drop-downs), change preview and marked workbooks."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from core.catalogue import load_catalogue
from core.importer.marking import PROBLEM_FILL, SUMMARY_SHEET, mark_workbook
from core.importer.preview import plan_changes
from core.importer.reader import read_upload, sha256_of
from core.importer.validate import validate_upload
from tests import fixtures_excel as fx

CAT = load_catalogue()


def validate(content: bytes, filename: str = "填好.xlsx"):
    return validate_upload(read_upload(filename, content), CAT, filename=filename, sha256=sha256_of(content))


def test_department_template_rows_and_instructions():
    wb = load_workbook(io.BytesIO(fx.department_template(CAT, "市农业农村局")))
    assert wb.sheetnames == ["说明", "指标进展", "任务进展"]
    facts = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=3, max_row=6, values_only=True)}
    assert facts == {"填报部门": "市农业农村局", "报告期": "2020Q4", "报告期说明": "2020年第四季度", "报送截止": "2021-01-10"}
    ind = wb["指标进展"]
    assert [c.value for c in ind[2]] == ["指标编号", "指标名称", "单位", "目标值", "区县", "报告期", "实际值", "数据来源", "备注"]
    ids = [(r[0], r[4]) for r in ind.iter_rows(min_row=3, values_only=True)]
    # T02 is broken down per district: a 全市 row and one per district; T30 is city-wide only.
    assert ids.count(("T02", "全市")) == 1 and ("T02", "雷州市") in ids and [i for i in ids if i[0] == "T30"] == [("T30", "全市")]
    assert len(ids) == 1 + len(CAT.districts) + 1
    tasks = [(r[0], r[2], r[3]) for r in wb["任务进展"].iter_rows(min_row=3, values_only=True)]
    assert (1, "市农业农村局", "牵头") in tasks and (8, "市农业农村局", "参与") in tasks
    assert all(d == "市农业农村局" for _, d, _ in tasks)


def test_template_is_pleasant_to_fill():
    wb = load_workbook(io.BytesIO(fx.department_template(CAT)))
    ind, tasks = wb["指标进展"], wb["任务进展"]
    assert ind.protection.sheet and tasks.protection.sheet and not ind.protection.password
    assert ind["A3"].protection.locked and not ind["G3"].protection.locked
    assert tasks["B3"].protection.locked and not tasks["F3"].protection.locked and not tasks["H3"].protection.locked
    assert ind.freeze_panes == "A3" and tasks.freeze_panes == "A3"
    lists = {str(dv.sqref): dv.formula1 for dv in tasks.data_validations.dataValidation}
    assert any(f == '"未启动,推进中,已完成,滞后"' and r.startswith("F3") for r, f in lists.items())
    district_lists = [dv.formula1 for dv in ind.data_validations.dataValidation if str(dv.sqref).startswith("E3")]
    assert district_lists and "赤坎区" in district_lists[0] and "全市" in district_lists[0]
    assert ind.column_dimensions["B"].width > 30 and tasks["G3"].number_format == "0"


def test_template_filled_in_validates_cleanly():
    filled = fx.fill_template(fx.department_template(CAT, "市市场监管局"))
    r = validate(filled)
    assert not r.problems, [p.text() for p in r.problems[:5]]
    assert (r.department, r.period) == ("市市场监管局", "2020Q4")
    led = [t for t in CAT.targets if t.lead_department == "市市场监管局"]
    assert len(r.indicators) == sum(1 + len(CAT.districts) * t.district_breakdown for t in led)
    assert {t.task_id for t in r.tasks} >= {2, 13, 30}


def test_whole_city_template_filled_in_validates_cleanly():
    filled = fx.fill_template(fx.department_template(CAT, None, "2020Q2"))
    r = validate(filled)
    assert not r.problems, [p.text() for p in r.problems[:5]]
    assert r.department is None and r.period == "2020Q2"
    assert {i.target_id for i in r.indicators} == {t.id for t in CAT.targets}
    assert {t.task_id for t in r.tasks} == {t.id for t in CAT.tasks}


def test_empty_template_reads_no_rows():
    r = validate(fx.department_template(CAT))
    assert r.rows_read == 0 and not r.indicators and not r.tasks and not r.problems


def test_plan_changes_new_changed_unchanged_rejected():
    content = fx.progress_book(
        [["T01", "", "", "", "", "2020Q4", 96], ["T09", "", "", "", "", "2020Q4", 2], ["T10", "", "", "", "", "2020Q4", 5],
         ["T99", "", "", "", "", "2020Q4", 1]],
        [[2, "", "市市场监管局", "", "2020Q4", "推进中", 60, "推进", "", ""],
         [13, "", "市市场监管局", "", "2020Q4", "已完成", 100, "完成", "", ""]])
    r = validate(content)
    current_values = pd.DataFrame({"target_id": ["T01", "T09"], "district_adcode": ["", ""],
                                   "period_code": ["2020Q4", "2020Q4"], "value": [90.0, 2.0],
                                   "data_source": ["", ""], "note": ["", ""]})
    current_progress = pd.DataFrame({"task_id": [2], "department": ["市市场监管局"], "period_code": ["2020Q4"],
                                     "status": ["推进中"], "percent": [50.0], "narrative": ["推进"],
                                     "problems": [""], "next_steps": [""]})
    plan = plan_changes(r, current_values, current_progress, CAT)
    assert [(c.what.split(" ")[0], c.old, c.new) for c in plan.changed] == [("T01", "90%", "96%"), ("任务2", "推进中 50%", "推进中 60%")]
    assert [c.what.split(" ")[0] for c in plan.unchanged] == ["T09"]
    assert [(c.what.split(" ")[0], c.new) for c in plan.new] == [("T10", "5 家"), ("任务13", "已完成 100%")]
    assert [p.where for p in plan.rejected] == ["指标进展!A6"]
    assert [i.target_id for i in plan.indicators_to_write] == ["T01", "T10"]
    assert [t.task_id for t in plan.tasks_to_write] == [2, 13]


def test_marked_workbook_highlights_and_comments_each_problem_cell():
    content = fx.progress_book([["T99", "", "", "", "", "2020Q4", 90], ["T01", "", "", "", "", "2020Q4", "很多"]])
    r = validate(content, "我的进度.xlsx")
    data, name = mark_workbook("我的进度.xlsx", content, r.problems)
    assert name == "我的进度-问题标注.xlsx"
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == SUMMARY_SHEET and wb.active.title == SUMMARY_SHEET
    ws = wb["指标进展"]
    assert ws["A3"].fill.fgColor.rgb.endswith(PROBLEM_FILL.fgColor.rgb[-6:])
    assert "指标编号不存在" in ws["A3"].comment.text and "T01–T52" in ws["A3"].comment.text
    assert "不是数字" in ws["G4"].comment.text
    assert ws["G3"].comment is None and ws["A4"].comment is None
    summary = [r for r in wb[SUMMARY_SHEET].iter_rows(min_row=4, values_only=True)]
    assert [s[0] for s in summary] == ["指标进展!A3", "指标进展!G4"]
    assert wb[SUMMARY_SHEET]["A4"].hyperlink.location == "'指标进展'!A3"


def test_marked_csv_becomes_xlsx_with_cells_in_place():
    rows = [["任务编号", "责任部门", "报告期", "进展状态"], ["2", "市场监管局", "2020Q4", "推进中"]]
    content = fx.csv_bytes(rows, "gbk")
    r = validate(content, "进度.csv")
    data, name = mark_workbook("进度.csv", content, r.problems)
    assert name == "进度-问题标注.xlsx"
    ws = load_workbook(io.BytesIO(data))["进度"]
    assert ws["B2"].value == "市场监管局" and "市市场监管局" in ws["B2"].comment.text
