"""`manage.py report`: the statuses it prints are the engine's, and the cockpit's, for the same period.
In-process (tests/support/cli.py)."""
import json

import pytest

from components.status_style import status_cell
from core.status import evaluate_targets, evaluate_tasks
from db import queries
from tests.support.cli import run_cli


def report(var, *args):
    return run_cli(var, "report", *args)


@pytest.mark.parametrize("period", ["2019Q2", "2020Q4"])
def test_json_report_equals_the_engine(demo_db, period):
    r = report(demo_db, "--period", period, "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["period"] == period
    targets = evaluate_targets(queries.targets(), queries.current_values(up_to_period=period, city_only=True),
                               period)
    tasks = evaluate_tasks(queries.tasks(), queries.current_progress(up_to_period=period), period)
    assert [(t["target_id"], t["status"], t["explanation"]) for t in out["targets"]] == \
        list(zip(targets["target_id"], targets["status"], targets["explanation"]))
    assert [(t["task_id"], t["status"], t["explanation"]) for t in out["tasks"]] == \
        list(zip(tasks["task_id"], tasks["status"], tasks["explanation"]))
    assert len(out["targets"]) == len(queries.targets()) and len(out["tasks"]) == 30
    first = out["targets"][0]
    assert set(first) == {"target_id", "name", "lead_department", "status", "explanation", "actual", "expected",
                          "responsible_department", "comparator", "target", "baseline"}
    assert set(out["tasks"][0]) == {"task_id", "title", "lead_department", "status", "explanation", "percent"}


def test_report_agrees_with_the_cockpit_red_list(demo_db, app_test):
    out = json.loads(report(demo_db, "--period", "2019Q2", "--format", "json").stdout)
    at = app_test(period="2019Q2")
    assert at.title[0].value == "总览"
    red = next(df.value for df in at.dataframe if "详情" in df.value.columns)
    cli = {(t["target_id"], status_cell(t["status"]), t["explanation"]) for t in out["targets"]} | \
          {(str(t["task_id"]), status_cell(t["status"]), t["explanation"]) for t in out["tasks"]}
    shown = set(zip(red["编号"], red["状态"], red["说明"]))
    assert shown and shown <= cli
    cli_red = {x for x in cli if x[1] in {status_cell(s) for s in ("滞后", "未完成", "逾期")}}
    assert shown == cli_red


def test_text_report_and_bad_period(demo_db):
    r = report(demo_db, "--period", "2020Q4")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("湛江质量提升督查 状态报告 · 2020Q4")
    assert "【指标】共 52 个" in r.stdout and "【任务】共 30 个" in r.stdout
    assert "T23  [" in r.stdout and "社会公用计量标准（市市场监管局）— " in r.stdout
    assert "升级建设县级公立医院（牵头 市政务服务数据管理局，责任 市卫生健康局）— " in r.stdout
    bad = report(demo_db, "--period", "2030Q1", "--format", "json")
    assert bad.returncode == 2 and "不是报告期：2030Q1" in bad.stderr and bad.stdout == ""


def test_json_report_shows_baseline_responsible_department_and_comparator(demo_db):
    """Issue 16: each target's registered baseline (or none), the department charged and the comparator."""
    out = json.loads(report(demo_db, "--period", "2020Q4", "--format", "json").stdout)
    by_id = {t["target_id"]: t for t in out["targets"]}
    # The demo registers a baseline for every target, labelled 演示.
    assert all(t["baseline"] is not None and t["baseline"]["demo"] and t["baseline"]["year"] == 2017
               for t in out["targets"])
    assert "基期未备案" not in " ".join(t["explanation"] for t in out["targets"])
    # T47–T51 are 市卫生健康局's, T52 市公安局's; the plan's lead stays the lead.
    assert {by_id[f"T{i}"]["responsible_department"] for i in range(47, 52)} == {"市卫生健康局"}
    assert by_id["T52"]["responsible_department"] == "市公安局"
    assert by_id["T47"]["lead_department"] == "市政务服务数据管理局"
    assert by_id["T42"]["responsible_department"] == "市政务服务数据管理局"
    assert by_id["T01"]["comparator"] == ">" and by_id["T01"]["target"] == "超过95%"
    assert by_id["T33"]["comparator"] == "≈(±5%)" and by_id["T02"]["comparator"] == "≥"


def test_json_report_without_registrations_says_none(demo_db):
    from sqlalchemy import delete

    from db.engine import session_scope
    from db.models import TargetBaseline

    with session_scope() as session:
        session.execute(delete(TargetBaseline))
    out = json.loads(report(demo_db, "--period", "2020Q4", "--format", "json").stdout)
    assert all(t["baseline"] is None for t in out["targets"])
    assert all(t["responsible_department"] == t["lead_department"] for t in out["targets"])
    numeric = [t for t in out["targets"] if t["target"] != "是"]
    assert numeric and all(t["explanation"].endswith("基期未备案") for t in numeric)
