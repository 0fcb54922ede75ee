"""部门记分卡 scoring on hand-built cases: every number here is worked out by hand from the rule."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from core.scorecard import DOWN, NEW, SAME, UP, department_order, filter_matrix, item_order, matrix, trend_arrow
from core.scoring import (
    ITEM_COLUMNS,
    Report,
    ScoringRule,
    district_items,
    load_rule,
    most_improved,
    ranking,
    rule_text,
    score_department,
    score_districts,
    task_items,
    timeliness,
)
from core.timeutil import CHINA_TZ

RULE = ScoringRule(
    weights={"targets": 35.0, "tasks": 35.0, "reporting": 20.0, "data_quality": 10.0},
    lead_weight=1.0, join_weight=0.3,
    credit={"已达标": 1.0, "正常": 1.0, "已完成": 1.0, "按期": 1.0, "超前": 1.0, "即将到期": 1.0, "预警": 0.5,
            "滞后": 0.0, "未完成": 0.0, "逾期": 0.0, "未报送": 0.0},
    late_per_day=0.1, late_floor=0.3, returned_penalty=0.5, rejected_upload_penalty=0.25,
    grade_bands=(("A", 90.0), ("B", 80.0), ("C", 60.0)),
)
DEADLINE = date(2021, 1, 10)
PERIOD = "2020Q4"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TZ)


ON_TIME = Report(first_at=at(DEADLINE - timedelta(days=2)), submissions=1)


def items(*rows: tuple) -> pd.DataFrame:
    """rows: (component, key, department, role, status)."""
    out = []
    for comp, key, dept, role, status in rows:
        weight = 1.0 if comp == "targets" or role == "牵头" else 0.3
        label = f"{key} 名称{key}" if comp == "targets" else f"任务 {key[2:].lstrip('0')} 任务{key}"
        out.append({"component": comp, "key": key, "label": label, "department": dept, "role": role,
                    "weight": weight, "status": status, "explanation": f"{key} 的说明"})
    return pd.DataFrame(out, columns=ITEM_COLUMNS)


def score(dept, its, report=ON_TIME):
    return score_department(dept, PERIOD, its, report, DEADLINE, RULE)


def test_all_green_scores_100_and_grade_a_with_no_deductions():
    its = items(("targets", "T01", "甲局", "牵头", "已达标"), ("targets", "T02", "甲局", "牵头", "正常"),
                ("tasks", "任务01", "甲局", "牵头", "已完成"), ("tasks", "任务02", "甲局", "参与", "按期"))
    s = score("甲局", its)
    assert s.score == 100.0 and s.grade == "A"
    assert s.deductions == () and s.notes == ()
    assert [c.points for c in s.components] == [35.0, 35.0, 20.0, 10.0]
    assert s.timeliness == "按时"


def test_lagging_target_loses_its_share_and_says_where():
    its = items(("targets", "T01", "甲局", "牵头", "滞后"), ("targets", "T02", "甲局", "牵头", "预警"),
                ("tasks", "任务01", "甲局", "牵头", "已完成"))
    s = score("甲局", its)
    # Two targets share 35 points: 滞后 loses 17.5, 预警 keeps half of 17.5 and loses 8.75 → 8.8.
    assert [d.points for d in s.deductions] == [17.5, 8.8]
    assert s.lines == ["T01 名称T01 滞后：扣 17.5 分", "T02 名称T02 预警：扣 8.8 分"]
    assert s.score == pytest.approx(100 - 17.5 - 8.8)
    assert s.grade == "C"
    assert s.deductions[0].explanation == "T01 的说明"


def test_lead_and_join_tasks_weigh_one_and_point_three():
    its = items(("targets", "T01", "甲局", "牵头", "已达标"),
                ("tasks", "任务01", "甲局", "牵头", "滞后"), ("tasks", "任务02", "甲局", "参与", "滞后"))
    s = score("甲局", its)
    lead, join = s.deductions
    assert lead.points == round(35 * 1 / 1.3, 1) == 26.9
    assert join.points == round(35 * 0.3 / 1.3, 1) == 8.1
    assert lead.item.endswith("（牵头）") and join.item.endswith("（参与）")
    assert s.score == pytest.approx(100 - 26.9 - 8.1)


def test_only_participating_roles_redistribute_target_points_and_say_so():
    its = items(("tasks", "任务03", "乙局", "参与", "滞后"), ("tasks", "任务04", "乙局", "参与", "已完成"))
    s = score("乙局", its)
    c = {x.key: x for x in s.components}
    assert not c["targets"].applicable and c["targets"].points == 0
    # 35 + 20 + 10 = 65 points scaled to 100: tasks 53.8, reporting 30.8, data quality 15.4.
    assert c["tasks"].points == 53.8 and c["reporting"].points == 30.8 and c["data_quality"].points == 15.4
    assert any("不牵头任何指标" in n and "按比例分给其余各项" in n for n in s.notes)
    assert any("只参与任务" in n for n in s.notes)
    # Two equal participations: the lagging one loses half of 53.85.
    assert [d.points for d in s.deductions] == [26.9]
    assert s.score == 73.1 and s.grade == "C"


def test_department_with_nothing_to_report_is_not_scored_or_ranked():
    its = items(("targets", "T01", "甲局", "牵头", "已达标"))
    s = score("丙办", its, report=None)
    assert s.score is None and s.grade is None
    assert "无考核内容" in s.lines[0]
    table = ranking([s, score("甲局", its)])
    assert table["name"].tolist() == ["甲局"]


def test_late_submission_loses_a_tenth_of_reporting_per_day():
    its = items(("targets", "T01", "甲局", "牵头", "已达标"))
    late = Report(first_at=at(DEADLINE + timedelta(days=3)), submissions=1)
    s = score("甲局", its, late)
    assert s.timeliness == "逾期 3 天"
    (d,) = s.deductions
    # No tasks: reporting is 20/65 of 100 = 30.77 points; 3 days late loses 30% of it.
    assert d.component == "reporting" and d.points == round(100 * 20 / 65 * 0.3, 1) == 9.2
    assert d.text == "2020Q4 报送 逾期 3 天：扣 9.2 分"
    assert "2021-01-10" in d.explanation and "2021-01-13" in d.explanation


def test_very_late_submission_keeps_the_floor():
    its = items(("targets", "T01", "甲局", "牵头", "已达标"), ("tasks", "任务01", "甲局", "牵头", "已完成"))
    s = score("甲局", its, Report(first_at=at(DEADLINE + timedelta(days=40)), submissions=1))
    assert s.deductions[0].points == 14.0  # 70% of 20, the 30% floor kept
    assert s.score == 86.0 and s.grade == "B"


def test_deadline_is_a_beijing_calendar_day():
    # 17:30 UTC on the deadline is 01:30 the next day in Beijing: one day late.
    utc_late = Report(first_at=datetime(2021, 1, 10, 17, 30, tzinfo=timezone.utc), submissions=1)
    assert timeliness(utc_late, DEADLINE) == ("late", 1)
    assert timeliness(Report(first_at=at(DEADLINE, 23)), DEADLINE) == ("on_time", 0)


def test_missing_submission_loses_reporting_and_redistributes_data_quality():
    its = items(("targets", "T01", "甲局", "牵头", "未报送"), ("tasks", "任务01", "甲局", "牵头", "未报送"))
    s = score("甲局", its, report=None)
    assert s.timeliness == "未报送"
    c = {x.key: x for x in s.components}
    assert not c["data_quality"].applicable
    assert any("无可评价的数据质量" in n for n in s.notes)
    assert s.score == 0.0 and s.grade == "D"
    assert sum(d.points for d in s.deductions) == pytest.approx(100.0, abs=0.15)
    assert [d.component for d in s.deductions] == ["targets", "tasks", "reporting"]


def test_returned_report_counts_as_missing_for_timeliness():
    its = items(("targets", "T01", "甲局", "牵头", "已达标"))
    s = score("甲局", its, Report(first_at=None, submissions=1, returned=1))
    assert s.timeliness == "未报送（报送被退回后未重报）"
    kinds = {d.component: d for d in s.deductions}
    assert kinds["reporting"].points == round(100 * 20 / 65, 1)
    assert kinds["data_quality"].status == "被退回 1 次"


def test_rejected_uploads_and_returns_lower_data_quality():
    its = items(("targets", "T01", "甲局", "牵头", "已达标"), ("tasks", "任务01", "甲局", "牵头", "已完成"))
    clean = score("甲局", its)
    one_rejected = score("甲局", its, Report(first_at=ON_TIME.first_at, submissions=2, rejected_uploads=1,
                                           rejected_rows=4))
    returned_and_rejected = score("甲局", its, Report(first_at=ON_TIME.first_at, submissions=3, returned=1,
                                                    rejected_uploads=3, rejected_rows=9))
    assert clean.score == 100.0
    (d,) = one_rejected.deductions
    assert d.component == "data_quality" and d.points == 2.5 and "4 行" in d.explanation
    assert one_rejected.score == 97.5
    # Returned costs 5 of 10; three refused uploads would cost 7.5 but only 5 are left.
    assert [x.points for x in returned_and_rejected.deductions] == [5.0, 5.0]
    assert returned_and_rejected.score == 90.0 and returned_and_rejected.grade == "A"


def test_grades_at_band_edges():
    assert [RULE.grade(x) for x in (100, 90, 89.9, 80, 79.9, 60, 59.9, 0)] == ["A", "A", "B", "B", "C", "C", "D", "D"]


def test_score_equals_100_minus_the_listed_deductions():
    its = items(*[("targets", f"T{i:02d}", "甲局", "牵头", s) for i, s in enumerate(["滞后", "预警", "正常"] * 3)],
                *[("tasks", f"任务{i:02d}", "甲局", r, "预警") for i, r in enumerate(["牵头", "参与", "参与"])])
    s = score("甲局", its, Report(first_at=at(DEADLINE + timedelta(days=1)), submissions=1))
    assert s.score == round(100 - sum(d.points for d in s.deductions), 1)
    assert all(c.lost == round(sum(d.points for d in s.deductions if d.component == c.key), 1) for c in s.components)


def test_rule_file_matches_the_issue_and_reads_in_words():
    rule = load_rule()
    assert dict(rule.grade_bands) == {"A": 90.0, "B": 80.0, "C": 60.0}
    assert sum(rule.weights.values()) == 100
    assert (rule.lead_weight, rule.join_weight) == (1.0, 0.3)
    text = "".join(rule_text(rule))
    assert "A ≥ 90" in text and "D" in text and "0.3 份" in text and "按比例分给其余各项" in text


def test_task_items_fill_missing_roles_and_skip_groups():
    tasks = pd.DataFrame({"id": [1], "title": ["提高农产品优质供给水平"], "lead_department": ["甲局"]})
    roles = pd.DataFrame({"task_id": [1, 1, 1], "department": ["甲局", "乙局", "某某成员单位"],
                          "department_kind": ["department", "department", "group"], "role": ["牵头", "参与", "参与"]})
    progress = pd.DataFrame({"task_id": [1], "department": ["甲局"], "period_code": ["2019Q4"],
                             "status": ["推进中"], "percent": [60.0]})
    df = task_items(tasks, roles, progress, "2019Q4", RULE)
    assert df["department"].tolist() == ["甲局", "乙局"]
    assert df["weight"].tolist() == [1.0, 0.3]
    assert df.loc[1, "status"] == "未报送" and "未报送" in df.loc[1, "explanation"]
    assert df.loc[0, "status"] not in ("未报送", "") and df.loc[0, "label"] == "任务 1 提高农产品优质供给水平"


def test_ranking_ties_change_and_most_improved():
    def fixed(name, value):
        from core.scoring import DepartmentScore

        return DepartmentScore(name, PERIOD, value, RULE.grade(value), timeliness="按时")

    now = [fixed("甲", 80.0), fixed("乙", 95.0), fixed("丙", 80.0), fixed("丁", 50.0)]
    before = [fixed("甲", 70.0), fixed("乙", 96.0), fixed("丙", 60.0)]
    table = ranking(now, before)
    assert table["name"].tolist() == ["乙", "丙", "甲", "丁"]
    assert table["rank"].tolist() == [1, 2, 2, 4]
    change = table.set_index("name")["change"]
    assert [change["乙"], change["丙"], change["甲"]] == [-1.0, 20.0, 10.0] and pd.isna(change["丁"])
    assert most_improved(table) == ["丙"]


def test_county_peer_group_uses_district_statuses_and_skips_counties_without_data():
    targets = pd.DataFrame({
        "id": ["T02", "T03"], "name": ["合格率", "全市指标"], "unit": ["%", "%"], "comparator": ["≥", "≥"],
        "target_value": [96.0, 100.0], "target_max": [None, None], "target_year": [2020, 2020],
        "kind": ["numeric", "numeric"], "baseline": [None, None], "district_breakdown": [True, False]})
    values = pd.DataFrame({"target_id": ["T02", "T02", "T02"], "district_adcode": ["440802", "440803", "440803"],
                           "period_code": ["2020Q4", "2020Q3", "2020Q4"], "value": [97.0, 80.0, 80.5]})
    districts = pd.DataFrame({"adcode": ["440802", "440803", "440804"], "name": ["赤坎区", "霞山区", "坡头区"]})
    its = district_items(targets, values, districts, "2020Q4")
    assert its["department"].tolist() == ["赤坎区", "霞山区"]  # 坡头区 has no district data
    scores = {s.department: s for s in score_districts(its, districts, "2020Q4", RULE)}
    assert scores["赤坎区"].score == 100.0 and scores["赤坎区"].grade == "A"
    assert scores["霞山区"].score == 0.0 and scores["霞山区"].lines[-1].startswith("T02 合格率 未完成：扣 100.0 分")
    assert scores["坡头区"].score is None
    assert ranking(list(scores.values()))["name"].tolist() == ["赤坎区", "霞山区"]


def test_trend_arrows_follow_the_credit_kept():
    assert trend_arrow("正常", "预警", RULE) == UP
    assert trend_arrow("滞后", "预警", RULE) == DOWN
    assert trend_arrow("已达标", "正常", RULE) == SAME
    assert trend_arrow("正常", "", RULE) == NEW


def test_matrix_rows_filters_and_orders():
    now = items(("targets", "T01", "甲局", "牵头", "滞后"), ("tasks", "任务01", "甲局", "牵头", "正常"),
                ("tasks", "任务01", "乙局", "参与", "预警"))
    before = items(("targets", "T01", "甲局", "牵头", "预警"), ("tasks", "任务01", "甲局", "牵头", "滞后"))
    m = matrix(now, before, RULE)
    assert m["trend"].tolist() == [DOWN, UP, NEW]
    assert m.loc[0, "kind"] == "指标" and m.loc[0, "color"] == "#cf222e"
    assert m.loc[0, "tooltip"] == "滞后 ↓（上期 预警）：T01 的说明"
    assert filter_matrix(m, red_only=True)["key"].tolist() == ["T01"]
    assert filter_matrix(m, kinds=["任务"], departments=["乙局"])["department"].tolist() == ["乙局"]
    rank = pd.DataFrame({"name": ["甲局", "乙局"], "score": [40.0, 90.0]})
    assert department_order(m, rank, "score") == ["甲局", "乙局"]
    assert department_order(m, rank, "red") == ["甲局", "乙局"]
    assert item_order(m) == ["T01", "任务01"]


def test_submission_timeliness_per_report():
    from core.scoring import submission_timeliness

    subs = pd.DataFrame({"created_at": [at(DEADLINE), at(DEADLINE + timedelta(days=4)), at(DEADLINE)],
                         "deadline": ["2021-01-10", "2021-01-10", None]})
    assert submission_timeliness(subs).tolist() == ["按时", "逾期 4 天", ""]
