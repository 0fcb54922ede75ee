"""Issue 16 rules in the status engine: 超过 strictly, 左右 within a tolerance, registered baselines
(基期未备案 when none), and checked completion (待核验)."""
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from core.periods import period_from_code
from core.settings import Settings
from core.status import (
    DONE,
    FAILED,
    MET,
    ON_TRACK,
    PENDING_CHECK,
    WARNING,
    TargetSpec,
    effective_comparator,
    evaluate_target,
    evaluate_targets,
    evaluate_task,
    evaluate_tasks,
    meets,
    target_text,
)

S = Settings(first_period="2018Q1", last_period="2020Q4", deadline_days=10, on_track=0.95, warning=0.60,
             due_soon_days=30, max_file_mb=20, max_uncompressed_mb=200, parse_memory_mb=1024, parse_seconds=60,
             cache_ttl_seconds=600)
LONG_AFTER = date(2030, 1, 1)


def spec(qualifier="", target=95.0, unit="%", baseline=None, year=None, registered=None):
    return TargetSpec("测试", unit, "≥", target, None, 2020, "numeric", baseline, qualifier, year, registered)


def judge(s, series, period, settings=S):
    return evaluate_target(s, series, period_from_code(period), settings)


# --- 超过 -------------------------------------------------------------------------------------------


def test_strict_target_is_not_met_at_its_value():
    s = spec("超过")
    assert not meets(s, 95.0) and meets(s, 95.1)
    assert meets(spec(""), 95.0)  # 达到 95% is met at 95%


def test_strict_target_sentence_says_why():
    at = judge(spec("超过"), {"2020Q4": 95.0}, "2020Q4")
    assert at.kind is FAILED
    assert at.explanation.count("须高于 95%，等于不算达到") == 1
    below = judge(spec("超过"), {"2020Q4": 90.0}, "2020Q4")
    assert below.kind is FAILED
    assert below.explanation.endswith("未达到目标 超过95%（方案写“超过”，须高于 95%，等于不算达到）")
    above = judge(spec("超过"), {"2020Q4": 95.5}, "2020Q4")
    assert above.kind is MET and "已达到目标 超过95%" in above.explanation and "方案写“超过”" in above.explanation


def test_strict_target_text_and_comparator():
    assert target_text(spec("超过")) == "超过95%"
    assert effective_comparator(spec("超过")) == ">"
    assert effective_comparator(spec("")) == "≥"


# --- 左右 -------------------------------------------------------------------------------------------


def test_about_target_met_within_tolerance():
    s = spec("左右", target=16.0)
    assert meets(s, 15.2, 0.05) and not meets(s, 15.1, 0.05)
    st = judge(s, {"2020Q4": 15.5}, "2020Q4")
    assert st.kind is MET and "16%左右" in st.explanation and "±5%" in st.explanation and "15.2%" in st.explanation
    failed = judge(s, {"2020Q4": 15.1}, "2020Q4")
    assert failed.kind is FAILED and failed.explanation.endswith("不低于 15.2% 即达到）")


def test_about_tolerance_comes_from_settings():
    s = spec("左右", target=16.0)
    wide = replace(S, about_tolerance=0.10)
    assert judge(s, {"2020Q4": 14.5}, "2020Q4", wide).kind is MET  # 16 x 0.9 = 14.4
    assert judge(s, {"2020Q4": 14.5}, "2020Q4").kind is FAILED
    assert effective_comparator(s, 0.10) == "≈(±10%)"


# --- Baselines ---------------------------------------------------------------------------------------


def test_registered_baseline_year_sets_the_start_of_the_path():
    # Baseline 80 at the end of 2018 (2018Q4): 96 due 8 quarters later; at 2019Q4 (4 quarters) 88 expected.
    st = judge(spec(target=96.0, baseline=80.0, year=2018, registered=True), {"2019Q4": 88.0}, "2019Q4")
    assert st.expected == pytest.approx(88.0) and st.kind is ON_TRACK
    assert "基期未备案" not in st.explanation


def test_unregistered_baseline_is_said_on_every_status():
    s = spec(target=96.0, registered=False)
    for series, period in (({"2018Q1": 80.0, "2019Q2": 86.0}, "2019Q2"), ({"2019Q2": 97.0}, "2019Q2"),
                           ({}, "2019Q2")):
        assert judge(s, series, period).explanation.endswith("基期未备案")
    assert "基期未备案" not in judge(spec(target=96.0), {"2019Q2": 97.0}, "2019Q2").explanation


def test_from_row_reads_registration_columns():
    row = {"name": "x", "unit": "%", "comparator": "≥", "target_value": 95, "target_max": None, "target_year": 2020,
           "kind": "numeric", "baseline": 80.0, "baseline_year": 2017.0, "baseline_registered": True,
           "qualifier": "超过"}
    s = TargetSpec.from_row(row)
    assert (s.baseline, s.baseline_year, s.baseline_registered, s.qualifier) == (80.0, 2017, True, "超过")
    bare = TargetSpec.from_row({k: v for k, v in row.items() if k not in ("baseline_year", "baseline_registered",
                                                                         "qualifier")})
    assert (bare.baseline_year, bare.baseline_registered, bare.qualifier) == (None, None, "")


# --- Checked completion --------------------------------------------------------------------------------


def task(percent, status="已完成", verification=None, reason=""):
    return evaluate_task(percent, status, period_from_code("2019Q2"), S, today=LONG_AFTER,
                         verification=verification, verification_reason=reason)


def test_complete_waits_for_the_office_check():
    assert task(100.0, verification="").kind is PENDING_CHECK
    assert task(100.0, verification="").label == "待核验"
    done = task(100.0, verification="已核验")
    assert done.kind is DONE and "督查办已核验" in done.explanation
    back = task(100.0, verification="退回", reason="缺少验收报告")
    assert back.kind is WARNING and "缺少验收报告" in back.explanation
    assert task(100.0).kind is DONE  # checks not tracked by the caller


def test_incomplete_report_is_never_pending_check():
    assert task(90.0, verification="").kind is not PENDING_CHECK


def _progress(rows):
    return pd.DataFrame(rows, columns=["task_id", "department", "period_code", "status", "percent", "verification",
                                       "verification_reason"])


def test_evaluate_tasks_uses_verification_and_carries_it_forward():
    tasks = pd.DataFrame([{"id": 1, "lead_department": "甲局"}, {"id": 2, "lead_department": "甲局"}])
    progress = _progress([
        (1, "甲局", "2019Q1", "已完成", 100.0, "已核验", ""),
        (1, "甲局", "2019Q2", "已完成", 100.0, None, None),
        (2, "甲局", "2019Q2", "已完成", 100.0, None, None),
        (2, "乙局", "2019Q2", "已完成", 100.0, "退回", "无佐证"),
    ])
    city = evaluate_tasks(tasks, progress, "2019Q2", S, today=LONG_AFTER).set_index("task_id")
    assert city.loc[1, "status"] == "已完成"  # verified in 2019Q1, still complete
    assert city.loc[2, "status"] == "待核验"
    per = evaluate_tasks(tasks, progress, "2019Q2", S, per_department=True, today=LONG_AFTER)
    per = per.set_index(["task_id", "department"])
    assert per.loc[(2, "乙局"), "status"] == "预警" and "无佐证" in per.loc[(2, "乙局"), "explanation"]
    assert per.loc[(2, "甲局"), "status"] == "待核验"


def test_evaluate_tasks_without_verification_column_is_unchanged():
    tasks = pd.DataFrame([{"id": 1, "lead_department": "甲局"}])
    progress = _progress([(1, "甲局", "2019Q2", "已完成", 100.0, None, None)]).drop(
        columns=["verification", "verification_reason"])
    assert evaluate_tasks(tasks, progress, "2019Q2", S, today=LONG_AFTER)["status"].iloc[0] == "已完成"


def test_districts_are_judged_from_their_own_registered_baseline():
    targets = pd.DataFrame([{"id": "T02", "name": "合格率", "unit": "%", "comparator": "≥", "target_value": 96.0,
                             "target_max": None, "target_year": 2020, "kind": "numeric", "baseline": 90.0,
                             "baseline_year": 2017, "baseline_registered": True,
                             "district_baselines": '{"440802": [80.0, 2017]}'}])
    values = pd.DataFrame([("T02", "440802", "2019Q2", 88.0), ("T02", "440803", "2018Q1", 80.0),
                           ("T02", "440803", "2019Q2", 88.0)],
                          columns=["target_id", "district_adcode", "period_code", "value"])
    st = evaluate_targets(targets, values, "2019Q2", S, district_level=True).set_index("district_adcode")
    # 440802: 80 → 96 over 12 quarters, 88 expected at 2019Q2: on the path.
    assert st.loc["440802", "expected"] == pytest.approx(88.0) and "基期未备案" not in st.loc["440802", "explanation"]
    # 440803 has no registration of its own: it does not borrow the city's 90 and says so.
    assert st.loc["440803", "explanation"].endswith("基期未备案")
    # Without the column (callers that do not track registrations) the city spec holds as before.
    plain = evaluate_targets(targets.drop(columns=["district_baselines"]), values, "2019Q2", S, district_level=True)
    assert "基期未备案" not in " ".join(plain["explanation"])


def test_annual_indicator_keeps_its_last_report_between_years():
    annual = replace(spec(target=96.0, baseline=80.0, year=2017), frequency="annual")
    st = judge(annual, {"2018Q4": 85.4}, "2019Q2")
    assert st.kind is ON_TRACK  # 85.4 at 2018Q4 is on the 80 → 96 path (85.3 expected then, not 90.7 at 2019Q2)
    assert st.explanation.startswith("年度指标（每年第四季度报送），沿用 2018Q4 的数值")
    # A quarterly indicator without a report is 未报送; an annual one is too when its Q4 report is missing.
    assert judge(spec(target=96.0, baseline=80.0, year=2017), {"2018Q4": 84.0}, "2019Q2").label == "未报送"
    assert judge(annual, {"2018Q4": 84.0}, "2019Q4").label == "未报送"
    assert TargetSpec.from_row({"name": "x", "unit": "%", "comparator": "≥", "target_value": 1, "target_year": 2020,
                                "kind": "numeric", "frequency": "annual"}).frequency == "annual"
