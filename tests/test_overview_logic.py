"""core.overview and core.task_views on hand-built frames."""
from datetime import date

import pandas as pd

from core import overview
from core.task_views import filter_tasks, task_history, task_ledger

TARGETS = pd.DataFrame([
    {"id": "T02", "name": "乙", "unit": "%", "comparator": "≥", "target_value": 96.0, "target_max": None,
     "target_year": 2020, "kind": "numeric", "baseline": 80.0, "lead_department": "甲局"},
    {"id": "T10", "name": "丙", "unit": "个", "comparator": "≥", "target_value": 10.0, "target_max": None,
     "target_year": 2019, "kind": "numeric", "baseline": 0.0, "lead_department": "乙局"},
    {"id": "T03", "name": "丁", "unit": "%", "comparator": "≥", "target_value": 90.0, "target_max": None,
     "target_year": 2020, "kind": "numeric", "baseline": 80.0, "lead_department": "甲局"},
])
VALUES = pd.DataFrame([
    {"target_id": "T02", "district_adcode": "", "period_code": "2019Q2", "value": 84.0},   # q 0.5 滞后
    {"target_id": "T10", "district_adcode": "", "period_code": "2020Q1", "value": 6.0},    # year passed 未完成
    {"target_id": "T03", "district_adcode": "", "period_code": "2020Q1", "value": 95.0},   # 已达标
    {"target_id": "T02", "district_adcode": "440802", "period_code": "2020Q1", "value": 10.0},  # a district: ignored
])
TASKS = pd.DataFrame([
    {"id": 1, "title": "任务一", "measure": 3, "lead_department": "甲局", "participants": "丙局、市直相关单位",
     "content": "内容一"},
    {"id": 2, "title": "任务二", "measure": 4, "lead_department": "乙局", "participants": "", "content": "内容二"},
])
PROGRESS = pd.DataFrame([
    {"task_id": 1, "department": "甲局", "period_code": "2020Q1", "status": "推进中", "percent": 30.0,
     "narrative": "甲一", "problems": "缺钱", "next_steps": "再推", "is_demo": False},
    {"task_id": 1, "department": "丙局", "period_code": "2020Q1", "status": "推进中", "percent": 90.0,
     "narrative": "丙一", "problems": "", "next_steps": "", "is_demo": False},
    {"task_id": 1, "department": "甲局", "period_code": "2019Q4", "status": "推进中", "percent": 20.0,
     "narrative": "甲旧", "problems": "", "next_steps": "", "is_demo": False},
    {"task_id": 2, "department": "乙局", "period_code": "2020Q1", "status": "推进中", "percent": 75.0,
     "narrative": "乙一", "problems": "", "next_steps": "", "is_demo": False},
])


def test_red_list_is_worst_first_with_links():
    ts = overview.target_statuses(TARGETS, VALUES, "2020Q1")
    ks = overview.task_statuses(TASKS, PROGRESS, "2020Q1")
    assert ts.set_index("target_id")["status"].to_dict() == {"T02": "未报送", "T10": "未完成", "T03": "已达标"}
    red = overview.red_list(ts, ks, "2020Q1")
    # 未完成 (rank 0) before 滞后 (rank 1); task 1 at 30% of 75% due is 滞后.
    assert red[["kind", "id", "status"]].values.tolist() == [["指标", "T10", "未完成"], ["任务", "1", "滞后"]]
    assert red["link"].tolist() == ["targets?target=T10&period=2020Q1", "tasks?task=1&period=2020Q1"]
    assert red["lead_department"].tolist() == ["乙局", "甲局"]
    assert red.loc[0, "explanation"] == "目标期限（2019 年底）已到，实际 6 个，未达到目标 ≥10 个"


def test_counts_keep_every_status_word_in_engine_order():
    ts = overview.target_statuses(TARGETS, VALUES, "2020Q1")
    counts = overview.target_counts(ts)
    assert counts["status"].tolist() == ["已达标", "正常", "预警", "滞后", "未完成", "未报送"]
    assert counts["count"].tolist() == [1, 0, 0, 0, 1, 1]
    assert "95%" in counts.set_index("status").loc["正常", "meaning"]


def test_share_on_track_counts_missing_as_not_on_track():
    series = overview.share_on_track(TARGETS, VALUES, TASKS, PROGRESS, "2019Q1", "2019Q2")
    t = series[series["kind"] == "指标"].set_index("period_code")
    assert t.loc["2019Q1", "total"] == 3 and t.loc["2019Q1", "on_track"] == 0  # nothing reported yet
    assert t.loc["2019Q2", "on_track"] == 0  # T02 is lagging then
    later = overview.share_on_track(TARGETS, VALUES, TASKS, PROGRESS, "2020Q1", "2020Q1")
    assert later.set_index("kind").loc["指标", "share"] == 1 / 3  # only T03 met
    # Task 1 at 30% of the 75% due (9 of 12 quarters) is 滞后; task 2 at 75% is 按期.
    assert overview.task_statuses(TASKS, PROGRESS, "2020Q1").set_index("task_id")["status"].to_dict() == \
        {1: "滞后", 2: "按期"}
    assert later.set_index("kind").loc["任务", "share"] == 0.5


def test_expected_reporters_and_freshness():
    tds = pd.DataFrame([
        {"task_id": 1, "department": "甲局", "department_kind": "department", "role": "牵头"},
        {"task_id": 1, "department": "丙局", "department_kind": "department", "role": "参与"},
        {"task_id": 1, "department": "市直相关单位", "department_kind": "group", "role": "参与"},
    ])
    expected = overview.expected_reporters(TARGETS, tds)
    assert expected == ["甲局", "乙局", "丙局"]
    at = lambda s: pd.Timestamp(s, tz="Asia/Shanghai")  # noqa: E731
    reported = pd.DataFrame([
        {"department": "甲局", "period_code": "2020Q1", "first_at": at("2020-04-05 09:00"), "last_at": at("2020-04-05")},
        {"department": "乙局", "period_code": "2020Q1", "first_at": at("2020-04-15 09:00"), "last_at": at("2020-04-15")},
        {"department": "丙局", "period_code": "2019Q4", "first_at": at("2020-01-05 09:00"), "last_at": at("2020-01-05")},
        {"department": "丙局", "period_code": "2020Q2", "first_at": at("2020-07-05 09:00"), "last_at": at("2020-07-05")},
    ])
    fresh = overview.reporting_freshness(expected, reported, "2020Q1", date(2020, 4, 10))
    assert fresh[["department", "state", "last_period"]].values.tolist() == [
        ["丙局", "未报送", "2019Q4"], ["乙局", "逾期报送", "2020Q1"], ["甲局", "按时报送", "2020Q1"]]
    assert overview.freshness_sentence(fresh, "2020Q1") == "应报送的 3 个部门中，1 个尚未报送 2020Q1 数据：丙局。"


def test_task_ledger_latest_report_is_the_leads_and_filters():
    ledger = task_ledger(TASKS, PROGRESS, "2020Q1", today=date(2030, 1, 1)).set_index("id")
    assert ledger.loc[1, "latest_narrative"] == "甲一" and ledger.loc[1, "latest_problems"] == "缺钱"
    assert ledger.loc[1, "percent"] == 30.0 and ledger.loc[1, "status"] == "滞后"
    as_then = task_ledger(TASKS, PROGRESS, "2019Q4", today=date(2030, 1, 1)).set_index("id")
    assert as_then.loc[1, "latest_narrative"] == "甲旧" and as_then.loc[2, "status"] == "未报送"
    ledger = ledger.reset_index()
    assert filter_tasks(ledger, department="丙局")["id"].tolist() == [1]
    assert filter_tasks(ledger, department="乙局")["id"].tolist() == [2]
    assert filter_tasks(ledger, statuses=["滞后"])["id"].tolist() == [1]
    assert filter_tasks(ledger, measure=4)["id"].tolist() == [2]
    assert filter_tasks(ledger, query="内容二")["id"].tolist() == [2]


def test_task_history_newest_first_lead_first_each_judged():
    h = task_history(PROGRESS, 1, "甲局", today=date(2030, 1, 1))
    assert h[["period_code", "department", "role"]].values.tolist() == [
        ["2020Q1", "甲局", "牵头"], ["2020Q1", "丙局", "参与"], ["2019Q4", "甲局", "牵头"]]
    assert h["status"].tolist()[0] == "滞后" and h["explanation"].iloc[0].startswith("完成 30%，按序时进度应达 75%")
    assert task_history(PROGRESS, 99, "甲局").empty
