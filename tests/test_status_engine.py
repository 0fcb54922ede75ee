"""The status engine on hand-built cases: every status, comparator and edge the plan's targets have.

Settings are built here (plan 2018Q1–2020Q4, bands 0.95/0.60, reminder 30 days) so the cases
read as arithmetic; one test checks that the real thresholds come from settings.toml.
"""
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from core.periods import Period, period_from_code
from core.settings import Settings, load_settings
from core.status import (
    AHEAD,
    DONE,
    DUE_SOON,
    FAILED,
    LAGGING,
    MET,
    MISSING,
    ON_TIME,
    ON_TRACK,
    OVERDUE,
    WARNING,
    TargetSpec,
    evaluate_target,
    evaluate_targets,
    evaluate_task,
    evaluate_tasks,
    fmt,
    meets,
    target_text,
)

S = Settings(first_period="2018Q1", last_period="2020Q4", deadline_days=10, on_track=0.95, warning=0.60,
             due_soon_days=30, max_file_mb=20, max_uncompressed_mb=200, parse_memory_mb=1024, parse_seconds=60,
             cache_ttl_seconds=600)
LONG_AFTER = date(2030, 1, 1)  # "today" for historical periods: the reminder counts from the period end


def P(code: str) -> Period:
    return period_from_code(code)


def spec(comparator="≥", target=96.0, unit="%", target_max=None, year=2020, kind="numeric", baseline=None):
    return TargetSpec("测试指标", unit, comparator, target, target_max, year, kind, baseline)


def target(s: TargetSpec, series: dict, period: str):
    return evaluate_target(s, series, P(period), S)


# --- Targets: the bands of 序时进度 -------------------------------------------------------------------
# Baseline 80 in the catalogue means 2017Q4 = 80; the target 96 is due at 2020Q4 (12 quarters later),
# so by 2019Q2 (6 quarters) 88 is expected.


def test_on_track_when_q_at_least_095():
    st = target(spec(baseline=80), {"2019Q2": 87.6}, "2019Q2")  # q = 7.6 / 8 = 0.95
    assert st.kind is ON_TRACK
    assert st.expected == pytest.approx(88.0)
    assert st.q == pytest.approx(0.95)
    assert st.explanation == "实际 87.6%，按序时进度应达 88%，落后 0.4 个百分点"


def test_warning_between_060_and_095():
    st = target(spec(baseline=80), {"2019Q2": 87.5}, "2019Q2")  # q = 0.9375
    assert st.kind is WARNING and st.color == "#d4a72c"
    assert st.explanation == "实际 87.5%，按序时进度应达 88%，落后 0.5 个百分点"
    assert target(spec(baseline=80), {"2019Q2": 84.8}, "2019Q2").kind is WARNING  # q = 0.60


def test_lagging_below_060():
    st = target(spec(baseline=80), {"2019Q2": 84.7}, "2019Q2")  # q = 0.5875
    assert st.kind is LAGGING and st.color == "#cf222e"
    assert "落后 3.3 个百分点" in st.explanation


def test_ahead_of_path_says_ahead():
    st = target(spec(baseline=80), {"2019Q2": 90.0}, "2019Q2")
    assert st.kind is ON_TRACK
    assert st.explanation.endswith("领先 2 个百分点")


def test_issue_example_sentence():
    # 80 → 96 over 12 quarters; at 2020Q2 (10 quarters) 93.33 is expected; 88.5 is 4.8 points behind.
    st = target(spec(baseline=80), {"2020Q2": 88.5}, "2020Q2")
    assert st.explanation == "实际 88.5%，按序时进度应达 93.3%，落后 4.8 个百分点"
    assert st.kind is WARNING  # q = 8.5 / 13.33 = 0.64


def test_stated_gap_equals_difference_of_stated_numbers():
    # expected 93.333…, actual 88.46: a raw gap of 4.87 would read oddly next to 93.3 and 88.5.
    st = target(spec(baseline=80), {"2020Q2": 88.46}, "2020Q2")
    assert "实际 88.5%" in st.explanation and "应达 93.3%" in st.explanation
    assert st.explanation.endswith("落后 4.8 个百分点")


def test_thresholds_come_from_settings():
    strict = replace(S, on_track=0.99, warning=0.9)
    st = evaluate_target(spec(baseline=80), {"2019Q2": 87.6}, P("2019Q2"), strict)
    assert st.kind is WARNING
    real = load_settings()
    assert (real.on_track, real.warning, real.due_soon_days) == (0.95, 0.60, 30)


# --- Targets: comparators ------------------------------------------------------------------------------


def test_greater_or_equal_met_at_the_target():
    st = target(spec(target=96), {"2019Q1": 96.0}, "2019Q1")
    assert st.kind is MET and st.label == "已达标"
    assert st.explanation == "实际 96%，已达到目标 ≥96%"


def test_lower_is_better_met_and_measured_downwards():
    s = spec("≤", target=10.0, unit="天", baseline=30.0)
    assert target(s, {"2019Q1": 10.0}, "2019Q1").kind is MET
    # 30 → 10 over 12 quarters; at 2019Q2 20 is expected. 21 is behind by 1 day, q = 9/10.
    st = target(s, {"2019Q2": 21.0}, "2019Q2")
    assert st.kind is WARNING
    assert st.explanation == "实际 21 天，按序时进度应达 20 天，落后 1 天"
    st = target(s, {"2019Q2": 18.0}, "2019Q2")
    assert st.kind is ON_TRACK and st.explanation.endswith("领先 2 天")
    # Moving the wrong way is lagging.
    assert target(s, {"2019Q2": 31.0}, "2019Q2").kind is LAGGING


def test_lower_is_better_percentage_is_not_capped():
    s = spec("≤", target=5.0, baseline=120.0)
    st = target(s, {"2018Q1": 110.0}, "2018Q1")
    assert st.actual == 110.0


def test_equal_comparator():
    s = spec("=", target=100.0, unit="个", baseline=40.0)
    assert target(s, {"2019Q1": 100.0}, "2019Q1").kind is MET
    assert target(s, {"2019Q1": 99.0}, "2019Q1").kind is ON_TRACK
    assert target(s, {"2019Q1": 40.0}, "2019Q1").kind is LAGGING


def test_range_two_to_three_items():
    s = spec("区间", target=2.0, target_max=3.0, unit="个")
    assert target_text(s) == "2–3 个"
    assert target(s, {"2019Q1": 2.0}, "2019Q1").kind is MET
    assert target(s, {"2019Q1": 3.0}, "2019Q1").kind is MET
    above = target(s, {"2019Q1": 4.0}, "2019Q1")
    assert above.kind is MET and "超过区间上限 3 个" in above.explanation
    # Below the range: measured against the lower bound on the path from the first report.
    st = target(s, {"2018Q1": 0.0, "2019Q2": 1.0}, "2019Q2")
    assert st.kind is ON_TRACK and st.expected == pytest.approx(2 * 5 / 11)


def test_yes_no_targets():
    s = spec("=", target=1.0, unit="是/否", kind="yesno")
    assert target_text(s) == "是"
    st = target(s, {"2019Q1": 1.0}, "2019Q1")
    # In the target's own words, never "实际 是，已达到目标 是" / "实际 否，未达到目标 是".
    assert st.kind is MET and st.explanation == "已实现：测试指标"
    st = target(s, {"2019Q1": 0.0}, "2019Q1")
    assert st.kind is WARNING and st.explanation.startswith("尚未实现：测试指标")
    assert "距目标年底还有 7 个季度" in st.explanation
    assert target(s, {"2020Q3": 0.0}, "2020Q3").kind is LAGGING  # one quarter left
    st = target(s, {"2020Q4": 0.0}, "2020Q4")
    assert st.kind is FAILED and st.explanation == "目标期限（2020 年底）已到，尚未实现：测试指标"


# --- Targets: missing data, deadline, caps, baselines, as-of -------------------------------------------


def test_missing_value_for_the_period():
    st = target(spec(baseline=80), {"2019Q1": 86.0}, "2019Q2")
    assert st.kind is MISSING and st.label == "未报送" and st.color == "#8c959f"
    assert st.explanation == "2019Q2 未报送；最近一次为 2019Q1 的 86%"
    st = target(spec(baseline=80), {}, "2019Q2")
    assert st.explanation == "2019Q2 未报送；此前也无报送"
    assert target(spec(), {"2019Q2": float("nan")}, "2019Q2").kind is MISSING


def test_target_year_passed_and_not_met():
    st = target(spec(target=96, year=2019), {"2020Q1": 95.0}, "2020Q1")
    assert st.kind is FAILED and st.label == "未完成"
    assert st.explanation == "目标期限（2019 年底）已到，实际 95%，未达到目标 ≥96%"
    assert st.expected == 96.0  # at the deadline the path has reached the target


def test_year_end_report_short_of_target_is_failed_not_on_track():
    # q would be 0.94 / 0.99 territory, but 2020Q4 is the deadline itself.
    st = target(spec(target=96, baseline=80), {"2020Q4": 95.9}, "2020Q4")
    assert st.kind is FAILED
    assert target(spec(target=96, baseline=80), {"2020Q4": 96.0}, "2020Q4").kind is MET


def test_percent_above_100_is_capped():
    st = target(spec(target=100.0, baseline=90), {"2019Q1": 103.0}, "2019Q1")
    assert st.kind is MET and st.actual == 100.0
    assert "实际 100%" in st.explanation and "报送值 103%，按 100% 计" in st.explanation


def test_baseline_from_catalogue_vs_first_value():
    with_base = target(spec(baseline=80), {"2018Q3": 85.0, "2019Q2": 88.0}, "2019Q2")
    assert with_base.expected == pytest.approx(88.0)  # from 80 at 2017Q4
    without = target(spec(), {"2018Q3": 85.0, "2019Q2": 88.0}, "2019Q2")
    # from 85 at 2018Q3: 9 quarters to 2020Q4, 3 elapsed → 85 + 11 * 3/9
    assert without.expected == pytest.approx(85 + 11 * 3 / 9)
    first = target(spec(), {"2018Q3": 85.0}, "2018Q3")
    assert first.kind is ON_TRACK and "以本期为基线" in first.explanation


def test_as_of_period_ignores_later_reports():
    series = {"2018Q4": 82.0, "2019Q2": 84.0, "2020Q1": 96.0}
    assert target(spec(baseline=80), series, "2020Q1").kind is MET
    as_then = target(spec(baseline=80), series, "2019Q2")
    assert as_then.kind is LAGGING and as_then.actual == 84.0  # the 2020Q1 value was not known then
    # The first-value baseline is also the first value known as of then.
    assert target(spec(), {"2018Q1": 70.0, "2019Q1": 80.0}, "2018Q1").expected is None


def test_meets_and_fmt_helpers():
    assert meets(spec("≤", target=5), 5.0) and not meets(spec("≤", target=5), 5.1)
    assert fmt(None, "%") == "—" and fmt(1234.5, "万元/人") == "1,234.5 万元/人" and fmt(0.0, "是/否") == "否"


def test_evaluate_targets_frame_city_and_district_rows():
    targets = pd.DataFrame([
        {"id": "T01", "name": "甲", "unit": "%", "comparator": "≥", "target_value": 96.0, "target_max": None,
         "target_year": 2020, "kind": "numeric", "baseline": 80.0},
        {"id": "T02", "name": "乙", "unit": "个", "comparator": "≥", "target_value": 10.0, "target_max": None,
         "target_year": 2020, "kind": "numeric", "baseline": None},
    ])
    values = pd.DataFrame([
        {"target_id": "T01", "district_adcode": "", "period_code": "2019Q2", "value": 84.7},
        {"target_id": "T01", "district_adcode": "440802", "period_code": "2019Q2", "value": 90.0},
    ])
    city = evaluate_targets(targets, values, "2019Q2", S).set_index("target_id")
    assert list(city.index) == ["T01", "T02"]
    assert city.loc["T01", "status"] == "滞后" and city.loc["T02", "status"] == "未报送"
    assert city.loc["T01", "explanation"] == target(spec(baseline=80), {"2019Q2": 84.7}, "2019Q2").explanation
    districts = evaluate_targets(targets, values, "2019Q2", S, district_level=True)
    assert districts[["target_id", "district_adcode", "status"]].values.tolist() == [["T01", "440802", "正常"]]


# --- Tasks -----------------------------------------------------------------------------------------------
# The plan runs 12 quarters; by 2019Q2 (6 of 12) 50% is expected.


def task(percent, status="推进中", period="2019Q2", today=LONG_AFTER):
    return evaluate_task(percent, status, P(period), S, today=today)


def test_task_done_only_at_100_percent():
    assert task(100.0).kind is DONE
    assert task(100.0, "已完成").explanation == "已完成（2019Q2 报告完成 100%）"
    # Self-declared completion below 100% is judged on its percent and flagged (issue 16).
    st = task(80.0, "已完成")
    assert st.kind is AHEAD and st.explanation.startswith("自报已完成但完成比例为 80%，未达 100%")
    assert task(20.0, "已完成").kind is LAGGING


def test_task_on_time_ahead_warning_lagging():
    on_time = task(50.0)
    assert on_time.kind is ON_TIME and on_time.explanation == "完成 50%，按序时进度应达 50%，与序时进度持平"
    assert task(48.0).kind is ON_TIME  # q = 0.96
    ahead = task(53.0)  # q = 1.06, the mirror of the 0.95 band
    assert ahead.kind is AHEAD and ahead.explanation.endswith("领先 3 个百分点")
    assert task(52.0).kind is ON_TIME
    warn = task(40.0)  # q = 0.8
    assert warn.kind is WARNING and warn.explanation == "完成 40%，按序时进度应达 50%，落后 10 个百分点"
    assert task(30.0).kind is WARNING  # q = 0.6
    assert task(29.0).kind is LAGGING


def test_task_self_reported_lag_turns_warning_red():
    st = task(40.0, "滞后")
    assert st.kind is LAGGING and st.explanation.endswith("部门自报滞后")


def test_task_due_quarter_running_is_not_yet_overdue():
    st = task(96.0, period="2020Q4", today=date(2020, 12, 31))
    assert st.kind is DUE_SOON and st.explanation.endswith("距计划期结束还有 0 天")
    assert task(90.0, period="2020Q4", today=date(2021, 1, 1)).kind is OVERDUE


def test_task_overdue_at_and_after_due_date():
    st = task(90.0, period="2020Q4")
    assert st.kind is OVERDUE and st.label == "逾期"
    assert st.explanation == "计划期已于 2020年12月31日 结束，截至 2020Q4 完成 90%，已逾期"
    assert task(90.0, period="2021Q1").kind is OVERDUE
    assert task(100.0, period="2021Q1").kind is DONE


def test_task_due_within_30_days_gets_blue_reminder():
    # Looking at the running quarter 2020Q3 on 20 Sep 2020: the plan ends 102 days later.
    st = task(96.0, period="2020Q3", today=date(2020, 9, 20))
    assert st.kind is ON_TIME
    # A task due at the end of 2020Q3, looked at on 5 Sep 2020 while that quarter runs: 25 days left.
    st = evaluate_task(96.0, "推进中", P("2020Q3"), S, due=P("2020Q3"), today=date(2020, 9, 5))
    assert st.kind is DUE_SOON and st.color == "#0969da" and st.label == "即将到期"
    assert st.explanation.endswith("距计划期结束还有 25 天")
    # Behind and due soon stays red: the reminder is appended, the colour is the worse one.
    st = evaluate_task(40.0, "推进中", P("2020Q3"), S, due=P("2020Q3"), today=date(2020, 9, 5))
    assert st.kind is LAGGING and st.explanation.endswith("距计划期结束还有 25 天")


def test_task_reminder_counts_from_period_end_for_past_periods():
    # 2020Q3 ended 92 days before the due date: no reminder, whatever today is.
    assert task(90.0, period="2020Q3").kind is ON_TIME  # 11 of 12 quarters: 92% due, q = 0.98


def test_task_missing():
    st = task(None, None)
    assert st.kind is MISSING and st.explanation == "2019Q2 未报送进展"


def test_evaluate_tasks_prefers_lead_then_participants_and_respects_period():
    tasks = pd.DataFrame([{"id": 1, "lead_department": "甲局"}, {"id": 2, "lead_department": "乙局"},
                          {"id": 3, "lead_department": "丙局"}])
    progress = pd.DataFrame([
        {"task_id": 1, "department": "甲局", "period_code": "2019Q2", "status": "推进中", "percent": 50.0},
        {"task_id": 1, "department": "丁局", "period_code": "2019Q2", "status": "滞后", "percent": 10.0},
        {"task_id": 2, "department": "丁局", "period_code": "2019Q2", "status": "推进中", "percent": 20.0},
        {"task_id": 2, "department": "戊局", "period_code": "2019Q2", "status": "推进中", "percent": 40.0},
        {"task_id": 3, "department": "丙局", "period_code": "2019Q1", "status": "推进中", "percent": 40.0},
    ])
    out = evaluate_tasks(tasks, progress, "2019Q2", S, today=LONG_AFTER).set_index("task_id")
    assert out.loc[1, "status"] == "按期" and out.loc[1, "percent"] == 50.0
    assert out.loc[2, "percent"] == 30.0 and out.loc[2, "status"] == "预警"
    assert out.loc[3, "status"] == "未报送"  # a report for 2019Q1 does not answer for 2019Q2
    per_dept = evaluate_tasks(tasks, progress, "2019Q2", S, per_department=True, today=LONG_AFTER)
    assert set(per_dept["department"]) == {"甲局", "丁局", "戊局"}
    assert per_dept.set_index(["task_id", "department"]).loc[(1, "丁局"), "status"] == "滞后"


def _catalogue_targets() -> pd.DataFrame:
    from core.catalogue import load_catalogue

    return pd.DataFrame([{"id": t.id, "name": t.name, "unit": t.unit, "comparator": t.comparator,
                          "target_value": t.target_value, "target_max": t.target_max,
                          "target_year": t.target_year, "kind": t.kind, "baseline": t.baseline}
                         for t in load_catalogue().targets])


def _random_values(targets: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Gappy series for the city and three districts: values near the target, some above 100%,
    some missing (None), some periods after the one judged, series with nothing before it."""
    import random

    rng = random.Random(seed)
    codes = [p.code for p in period_range_codes("2018Q1", "2021Q2")]
    rows = []
    for t in targets.itertuples():
        for dist in ("", "440802", "440803", "440882"):
            if rng.random() < 0.15:
                continue  # no series at all
            for code in codes:
                if rng.random() < 0.35:
                    continue
                spread = max(abs(t.target_value), 1.0) * 0.4
                value = None if rng.random() < 0.05 else round(t.target_value + rng.uniform(-spread, spread * 0.3), 2)
                rows.append({"target_id": t.id, "district_adcode": dist, "period_code": code, "value": value})
    return pd.DataFrame(rows)


def period_range_codes(first: str, last: str):
    from core.periods import period_range

    return period_range(first, last)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_evaluate_targets_equals_the_scalar_engine_series_by_series(seed):
    """The grouped evaluate_targets must say exactly what evaluate_target says for each series."""
    targets = _catalogue_targets()
    values = _random_values(targets, seed)
    specs = {t["id"]: TargetSpec.from_row(t) for t in targets.to_dict("records")}
    series_of: dict[tuple[str, str], dict[str, float]] = {}
    for r in values.itertuples():
        series_of.setdefault((r.target_id, r.district_adcode), {})[r.period_code] = r.value
    for period in ("2018Q1", "2018Q4", "2019Q3", "2020Q2", "2020Q4", "2021Q1"):
        for district_level in (False, True):
            got = evaluate_targets(targets, values, period, S, district_level=district_level)
            expected = []
            for tid in targets["id"]:
                dists = sorted(d for (t, d) in series_of if t == tid and (d != "") == district_level)
                if not district_level and not dists:
                    dists = [""]
                for dist in dists:
                    st = evaluate_target(specs[tid], series_of.get((tid, dist), {}), P(period), S)
                    expected.append([tid, dist, st.label, st.explanation, st.actual, st.expected, st.q])
            got_rows = got[["target_id", "district_adcode", "status", "explanation", "actual", "expected",
                            "q"]].astype(object).where(got.notna(), None).values.tolist()
            assert len(got_rows) == len(expected) > 0
            assert got_rows == expected, (period, district_level)
            assert set(got["status"]) - {"未报送"}, "the random series must reach statuses other than 未报送"


def test_evaluate_targets_for_given_units_lists_every_target_and_unit_in_order():
    targets = _catalogue_targets().head(3)
    values = pd.DataFrame([{"target_id": targets["id"].iloc[0], "district_adcode": "440803",
                            "period_code": "2019Q2", "value": 1.0}])
    got = evaluate_targets(targets, values, "2019Q2", S, district_level=True, units=["440882", "440803"])
    assert got[["target_id", "district_adcode"]].values.tolist() == [
        [t, u] for t in targets["id"] for u in ("440882", "440803")]
    never = got[got["district_adcode"] == "440882"]
    assert set(never["status"]) == {"未报送"} and set(never["explanation"]) == {"2019Q2 未报送；此前也无报送"}
    assert got.loc[1, "explanation"] == target(TargetSpec.from_row(targets.iloc[0]), {"2019Q2": 1.0},
                                               "2019Q2").explanation
