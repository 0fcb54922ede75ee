"""AppTest of 任务台账: the 30 tasks with the engine's status, filters, and the detail from ?task=."""
import pandas as pd

from components.status_style import status_cell
from core.status import evaluate_tasks
from db import queries


def _ledger(at) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "工作任务" in df.value.columns)


def test_ledger_lists_all_tasks_with_engine_status_and_explanation(app_test):
    at = app_test("pages/tasks.py")
    assert not at.exception
    assert at.title[0].value == "任务台账"
    # AppTest drops the router's sidebar from its element tree after switch_page (the browser test
    # checks it is there), so the period is the one the page states it used.
    period = queries.periods()["code"].iloc[-1]
    assert any(f"进展为截至 {period} 的最新报送" in c.value for c in at.caption)
    ledger = _ledger(at)
    tasks = queries.tasks()
    assert len(ledger) == len(tasks) == 30
    engine = evaluate_tasks(tasks, queries.current_progress(up_to_period=period), period).set_index("task_id")
    assert ledger["状态"].tolist() == [status_cell(s) for s in engine.loc[ledger["编号"], "status"]]
    assert ledger["说明"].tolist() == engine.loc[ledger["编号"], "explanation"].tolist()
    assert ledger["牵头部门"].tolist() == tasks["lead_department"].tolist()
    assert ledger["参与部门"].tolist() == tasks["participants"].tolist()
    assert ledger["最新进展"].str.contains("演示数据").all()


def test_filter_by_participating_department(app_test):
    at = app_test("pages/tasks.py")
    at.selectbox(key="tl_department").set_value("市自然资源局").run()
    ledger = _ledger(at)
    tasks = queries.tasks()
    involved = tasks[(tasks["lead_department"] == "市自然资源局") | tasks["participants"].str.contains("市自然资源局")]
    assert ledger["编号"].tolist() == involved["id"].tolist()
    assert 0 < len(ledger) < 30


def test_filter_by_status_and_measure(app_test):
    at = app_test("pages/tasks.py")
    at.multiselect(key="tl_status").set_value(["逾期"]).run()
    ledger = _ledger(at)
    assert len(ledger) > 0 and (ledger["状态"] == status_cell("逾期")).all()
    at.multiselect(key="tl_status").set_value([]).run()
    at.selectbox(key="tl_measure").set_value(6).run()
    ledger = _ledger(at)
    assert ledger["举措"].tolist() == [6] and ledger["编号"].tolist() == [4]


def test_task_detail_from_url_shows_content_and_report_history(app_test):
    at = app_test("pages/tasks.py", task="4", period="2019Q2")
    assert not at.exception
    assert at.selectbox(key="task").value == 4
    md = " ".join(m.value for m in at.markdown)
    assert "累计完成投资420亿元以上" in md  # the plan's 主要内容 of task 4
    # The report history (with 角色), not the 修订历史 of every revision below it.
    history = next(df.value for df in at.dataframe if {"自报状态", "角色"} <= set(df.value.columns))
    progress = queries.current_progress(up_to_period="2019Q2", task_id=4)
    assert len(history) == len(progress) > 0
    assert any("进展为截至 2019Q2 的最新报送" in c.value for c in at.caption)
    assert history["报告期"].max() == "2019Q2" and history["报告期"].iloc[0] == "2019Q2"
    assert history["角色"].iloc[0] == "牵头" and history["部门"].iloc[0] == "市工业和信息化局"
    assert history["说明"].str.contains("按序时进度应达|已完成|未报送").all()


def test_clicking_another_task_in_detail_updates_the_url(app_test):
    at = app_test("pages/tasks.py")
    at.selectbox(key="task").set_value(12).run()
    assert at.query_params["task"] == "12"
    assert any("市政务服务数据管理局" in str(m.value) for m in at.metric)
