"""AppTest of 总览: the cockpit's numbers are the engine's numbers, at "/" and at "/overview"."""
import pandas as pd

from components.status_style import status_badge, status_cell
from core import overview
from db import overview_reads, queries


def _statuses(period: str):
    targets, tasks = queries.targets(), queries.tasks()
    ts = overview.target_statuses(targets, queries.current_values(up_to_period=period, city_only=True), period)
    ks = overview.task_statuses(tasks, queries.current_progress(up_to_period=period), period)
    return ts, ks


def _table(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.main.markdown)


def test_root_is_the_cockpit_with_counts_from_the_engine(app_test):
    at = app_test()
    assert not at.exception
    assert at.title[0].value == "总览"
    period = at.selectbox(key="period").value
    ts, ks = _statuses(period)
    headers = [s.value for s in at.subheader]
    assert f"指标状态（共 {len(ts)} 个）" in headers and f"任务状态（共 {len(ks)} 个）" in headers
    md = _markdown(at)
    for label, n in ts["status"].value_counts().items():
        assert f"{status_badge(label)}　**{n}** 个" in md
    for label, n in ks["status"].value_counts().items():
        assert f"{status_badge(label)}　**{n}** 个" in md


def test_red_list_rows_match_engine_with_explanations_and_links(app_test):
    at = app_test()
    period = at.selectbox(key="period").value
    ts, ks = _statuses(period)
    expected = overview.red_list(ts, ks, period)
    assert len(expected) > 0
    shown = _table(at, "详情")
    assert f"红色清单（{len(expected)} 项）" in [s.value for s in at.subheader]
    assert shown["编号"].tolist() == expected["id"].tolist()
    assert shown["状态"].tolist() == [status_cell(s) for s in expected["status"]]
    # Status word and the sentence that explains it travel together.
    by_id = ts.set_index("target_id")["explanation"]
    for row in shown[shown["类别"] == "指标"].itertuples():
        assert row.说明 == by_id[row.编号]
        assert row.详情 == f"targets?target={row.编号}&period={period}"
    tasks = shown[shown["类别"] == "任务"]
    assert len(tasks) and all(link.startswith(f"tasks?task={i}&") for i, link in zip(tasks["编号"], tasks["详情"]))
    assert set(shown["牵头部门"]) <= set(queries.departments()["name"])


def test_choosing_a_period_shows_what_was_known_then(app_test):
    at = app_test()
    at.selectbox(key="period").set_value("2019Q2").run()
    assert not at.exception
    ts, ks = _statuses("2019Q2")
    latest_ts, _ = _statuses("2020Q4")
    assert ts["status"].value_counts().to_dict() != latest_ts["status"].value_counts().to_dict()
    md = _markdown(at)
    for label, n in ts["status"].value_counts().items():
        assert f"{status_badge(label)}　**{n}** 个" in md
    assert at.query_params["period"] == "2019Q2"


def test_freshness_names_departments_that_have_not_reported(app_test):
    at = app_test()
    period = at.selectbox(key="period").value
    expected = overview.expected_reporters(queries.targets(), queries.task_departments())
    fresh = overview.reporting_freshness(expected, overview_reads.reports_by_department(), period)
    missing = fresh.loc[~fresh["reported"], "department"].tolist()
    assert missing, "the demo leaves some departments without a report for the last period"
    warning = " ".join(w.value for w in at.warning)
    assert f"{len(missing)} 个尚未报送 {period} 数据" in warning
    assert all(d in warning for d in missing)
    table = _table(at, "本期")
    assert table[table["本期"] == "未报送"]["部门"].tolist() == missing
    assert len(table) == len(expected)
    # A department group reports through its members and is never asked for a report itself.
    groups = set(queries.departments().query("kind == 'group'")["name"])
    assert not groups & set(table["部门"])


def test_overview_url_path_also_serves_the_cockpit(app_test):
    at = app_test("pages/targets.py")
    assert at.title[0].value == "目标指标"
    urls = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert {"", "overview", "targets", "tasks"} <= urls
    at.switch_page("pages/overview.py").run()  # resolves to the page registered at /overview
    assert not at.exception
    assert at.title[0].value == "总览"


def test_demo_badge_on_cockpit(app_test):
    at = app_test()
    assert any("badge[演示数据]" in m.value for m in at.main.markdown)


def test_cockpit_on_freshly_uploaded_data_only(fresh_db):
    """No demo: one department's real submission is what the cockpit counts and names."""
    from sqlalchemy import insert, select
    from streamlit.testing.v1 import AppTest

    from db import models as m
    from db.current import refresh_submission
    from db.engine import bump_data_version, session_scope
    from tests.conftest import ROOT

    with session_scope() as s:
        dept = s.execute(select(m.Department.id).where(m.Department.name == "市市场监管局")).scalar_one()
        sub = m.Submission(department_id=dept, period_code="2019Q2", source="upload", filename="x.xlsx")
        s.add(sub)
        s.flush()
        s.execute(insert(m.IndicatorValue), [
            {"target_id": "T23", "period_code": "2019Q1", "value": 150.0, "submission_id": sub.id},
            {"target_id": "T23", "period_code": "2019Q2", "value": 152.0, "submission_id": sub.id},
        ])
        refresh_submission(s, sub.id)  # written around db.imports: the values in force kept by hand
        bump_data_version(s)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["period"] = "2019Q2"
    at.run()
    assert not at.exception and at.title[0].value == "总览"
    assert not any("演示数据" in m.value for m in at.markdown)
    ts, _ = _statuses("2019Q2")
    row = ts.set_index("target_id").loc["T23"]
    # 150 → 250 from 2019Q1 to 2020Q4 (7 quarters); one elapsed: 164.3 due, 152 is q = 0.14.
    assert row["status"] == "滞后"
    shown = _table(at, "详情")
    t23 = shown[shown["编号"] == "T23"].iloc[0]
    assert t23["说明"] == row["explanation"] == "实际 152 项，按序时进度应达 164.29 项，落后 12.29 项；基期未备案"
    table = _table(at, "本期")
    assert "市市场监管局" not in table[table["本期"] == "未报送"]["部门"].tolist()
    assert (table["本期"] == "未报送").sum() == len(table) - 1
