"""core.importer.online: the online-entry tables and their conversion into an ImportResult."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from core.catalogue import load_catalogue
from core.importer import online

DEPT, PERIOD = "市农业农村局", "2020Q4"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame(columns=["target_id", "district_adcode", "period_code", "value", "data_source", "note"])


def _empty_progress() -> pd.DataFrame:
    return pd.DataFrame(columns=["task_id", "department", "period_code", "status", "percent", "narrative",
                                 "problems", "next_steps"])


def test_indicator_frame_has_city_and_district_rows_prefilled(cat):
    current = pd.DataFrame([{"target_id": "T02", "district_adcode": "440802", "period_code": PERIOD, "value": 97.1,
                             "data_source": "抽检", "note": ""},
                            {"target_id": "T02", "district_adcode": "", "period_code": "2020Q3", "value": 90.0,
                             "data_source": "", "note": ""}])
    df = online.indicator_frame(cat, DEPT, PERIOD, current)
    led = [t.id for t in cat.targets if t.lead_department == DEPT]
    assert set(df["指标编号"]) == set(led) and "T02" in led
    t02 = df[df["指标编号"] == "T02"]
    assert len(t02) == 1 + len(cat.districts)  # 全市 + every district
    assert t02["区县"].iloc[0] == "全市" and pd.isna(t02["实际值"].iloc[0])  # 2020Q3's value is not 2020Q4's
    chikan = t02[t02["区县"] == "赤坎区"].iloc[0]
    assert chikan["实际值"] == 97.1 and chikan["数据来源"] == "抽检"
    assert list(df.columns) == online.INDICATOR_COLUMNS


def test_task_frame_lists_led_and_joined_tasks(cat):
    df = online.task_frame(cat, "市市场监管局", PERIOD, _empty_progress())
    roles = dict(zip(df["任务编号"], df["牵头/参与"]))
    assert roles[1] == "参与"  # task 1: 市农业农村局 leads, 市自然资源局、市市场监管局 join
    assert "牵头" in roles.values()
    assert list(df.columns) == online.TASK_COLUMNS


def test_filled_rows_become_import_rows_and_blank_rows_are_skipped(cat):
    ind = online.indicator_frame(cat, DEPT, PERIOD, _empty_values())
    tasks = online.task_frame(cat, DEPT, PERIOD, _empty_progress())
    city = ind.index[(ind["指标编号"] == "T02") & (ind["区县"] == "全市")][0]
    chikan = ind.index[(ind["指标编号"] == "T02") & (ind["区县"] == "赤坎区")][0]
    ind.loc[city, "实际值"] = 96.5
    ind.loc[chikan, ["实际值", "数据来源"]] = [98.0, "市农检中心"]
    tasks.loc[0, ["进展状态", "完成进度(%)", "进展情况"]] = ["推进中", 70.0, "已完成春季抽检"]
    r = online.result_from_editor(ind, tasks, cat, department=DEPT, period=PERIOD, filename="在线填报.xlsx",
                                  sha256="x")
    assert r.problems == [] and r.rows_read == 3
    assert [(i.target_id, i.district_adcode, i.value, i.data_source) for i in r.indicators] == [
        ("T02", None, 96.5, ""), ("T02", "440802", 98.0, "市农检中心")]
    assert r.indicators[0].row == city + 2 and r.indicators[0].sheet == "指标进展"
    t = r.tasks[0]
    assert (t.task_id, t.department, t.status, t.percent, t.narrative) == (
        int(tasks.loc[0, "任务编号"]), DEPT, "推进中", 70.0, "已完成春季抽检")


def test_bad_cells_are_problems_with_excel_cells(cat):
    ind = online.indicator_frame(cat, DEPT, PERIOD, _empty_values())
    tasks = online.task_frame(cat, DEPT, PERIOD, _empty_progress())
    ind["实际值"] = ind["实际值"].astype(object)
    first = ind.index[ind["指标编号"] == "T02"][0]
    ind.loc[first, "实际值"] = 120.0
    tasks.loc[0, ["进展状态", "完成进度(%)"]] = ["快完成了", -5.0]
    tasks.loc[1, "进展情况"] = "写了进展但没选状态"
    r = online.result_from_editor(ind, tasks, cat, department=DEPT, period=PERIOD, filename="f", sha256="x")
    texts = {p.where: p.message for p in r.problems}
    assert texts[f"指标进展!G{first + 2}"] == "百分比应在 0 到 100 之间"
    assert texts["任务进展!F2"] == "进展状态不在可选范围内"
    assert texts["任务进展!G2"] == "完成进度应在 0 到 100 之间"
    assert texts["任务进展!F3"] == "进展状态为空"
    assert r.indicators == [] and r.tasks == []
    assert r.rejected_rows == {("指标进展", first + 2), ("任务进展", 2), ("任务进展", 3)}
    assert not r.blocking


def test_yesno_target_accepts_only_one_or_zero(cat):
    dept = next(t.lead_department for t in cat.targets if t.id == "T06")
    ind = online.indicator_frame(cat, dept, PERIOD, _empty_values())
    row = ind.index[ind["指标编号"] == "T06"][0]
    ind.loc[row, "实际值"] = 2.0
    r = online.result_from_editor(ind, online.task_frame(cat, dept, PERIOD, _empty_progress()).iloc[0:0], cat,
                                  department=dept, period=PERIOD, filename="f", sha256="x")
    assert [p.message for p in r.problems] == ["是/否类指标只能填 1（是）或 0（否）"]


def test_editor_workbook_keeps_template_sheets(cat):
    ind = online.indicator_frame(cat, DEPT, PERIOD, _empty_values())
    tasks = online.task_frame(cat, DEPT, PERIOD, _empty_progress())
    wb = openpyxl.load_workbook(io.BytesIO(online.editor_workbook(ind, tasks)))
    assert wb.sheetnames == ["指标进展", "任务进展"]
    assert [c.value for c in wb["指标进展"][1]] == online.INDICATOR_COLUMNS
    assert wb["任务进展"].max_row == len(tasks) + 1


def test_online_entry_bounds_texts_and_refuses_negative_counts(cat):
    ind = online.indicator_frame(cat, "市市场监管局", PERIOD, _empty_values())
    t09 = ind.index[ind["指标编号"] == "T09"][0]
    t01 = ind.index[ind["指标编号"] == "T01"][0]
    ind.loc[t09, "实际值"] = -3.0
    ind.loc[t01, ["实际值", "备注"]] = [96.0, "长" * 501]
    tasks = online.task_frame(cat, "市市场监管局", PERIOD, _empty_progress())
    tasks.loc[0, ["进展状态", "进展情况"]] = ["推进中", "字" * 2001]
    r = online.result_from_editor(ind, tasks, cat, department="市市场监管局", period=PERIOD, filename="在线",
                                  sha256="x")
    messages = sorted(p.message for p in r.problems)
    assert messages == ["不能为负数", "文字过长（2,001 字，最多 2,000 字）", "文字过长（501 字，最多 500 字）"]
    assert not r.indicators and not r.tasks
