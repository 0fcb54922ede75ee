"""Two plans side by side, end to end (issue 15, "Done when"): the real 2018–2020 plan with its demo data in the
home database and the fictitious 2021-2025 successor (tests/fixtures/plans/2021-2025) in its own, both browsed
through the pages, an upload landing in the successor only, the joined series with real values of both
databases, archiving and re-activating, and a catalogue revision leaving past periods judged as before.
Nothing here is faked: the pieces' own tests (tests/test_plan*_*.py, tests/test_continuity.py) use fakes."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from components.plan_switch import READ_ONLY
from core import auth
from core.catalogue import load_catalogue
from core.plan_context import use_plan
from db import users
from db.engine import get_engine
from services import plans, submissions
from services.identity import Caller
from tests import fixtures_excel as fx
from tests.auth_fixtures import AGRI, make_user, run_as, token_for
from tests.conftest import clear_streamlit_caches
from tests.support.cli import run_cli
from tests.support.plans import FIRST, SUCCESSOR, open_periods, reset_plan_caches, two_plans  # noqa: F401

SUCCESSOR_PERIODS = [f"{y}Q{q}" for y in range(2021, 2026) for q in range(1, 5)]
VALUE = 98.6  # 市农业农村局's 2021Q4 value of the successor's T01
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def both(demo_db, two_plans):
    """The demo database at home (2018–2020) and the successor's own database beside it."""
    plans.ensure_ready(SUCCESSOR)
    clear_streamlit_caches()
    yield demo_db
    # `activate` also makes a plan the default, in the home database the next test without a database fixture
    # still points at (ZJ_VAR_DIR): hand the default back to 2018–2020.
    if plans.default_plan_id() != FIRST:
        plans.activate(FIRST, actor="测试")
    reset_plan_caches()
    clear_streamlit_caches()


def _count(table: str, where: str = "") -> int:
    with get_engine().connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table} {where}")).scalar()


def _counts(table: str, where: str = "") -> tuple[int, int]:
    """(2018–2020, successor) row counts of `table`."""
    with use_plan(FIRST):
        first = _count(table, where)
    with use_plan(SUCCESSOR):
        second = _count(table, where)
    return first, second


def _report(var, period: str, *plan: str) -> str:
    result = run_cli(var, "report", *plan, "--period", period, "--format", "json")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _successor_sheet(value: float = VALUE, period: str = "2021Q4") -> bytes:
    with use_plan(SUCCESSOR):  # the template marks the plan it was made under
        catalogue = submissions.plan_catalogue()
        return fx.fill_template(fx.department_template(catalogue, AGRI, period), value=value)


def _reporter_draft():
    """A 市农业农村局 填报员's previewed successor sheet (T01 2021Q4, reopened): (identity, token, draft)."""
    make_user("nong_tb", auth.REPORTER, AGRI)
    token = token_for("nong_tb")
    reporter = users.session_identity(token)
    content = _successor_sheet()
    with use_plan(SUCCESSOR):
        open_periods("2021Q4")
        draft = submissions.prepare_file(reporter, "农业.xlsx", content, source="upload")
    assert not draft.problems and not draft.refused, (draft.problems, draft.refused)
    return reporter, token, draft


def _upload_t01(var) -> None:
    """A 市农业农村局 填报员 uploads the successor's sheet; the office approves it (a reporter's is pending)."""
    make_user("office", auth.ADMIN)
    reporter, token, draft = _reporter_draft()
    with use_plan(SUCCESSOR):
        outcome = submissions.commit(Caller(reporter, token), draft)
        assert outcome.written and outcome.state == "pending", outcome.refused
        office = token_for("office")
        submissions.review(Caller(users.session_identity(office), office), outcome.submission_id, "approve")
    clear_streamlit_caches()


# --- 1. both plans browsable ------------------------------------------------------------------------------


def _target_ids(at) -> list[str]:
    frames = [df.value for df in at.dataframe if "编号" in df.value.columns]
    return sorted(i for f in frames for i in f["编号"])


def test_each_plan_lists_its_own_targets_tasks_and_periods(both):
    at = run_as(None, "pages/targets.py", plan=SUCCESSOR)
    assert not at.exception
    assert "共 3 个指标" in " ".join(c.value for c in at.caption)
    assert _target_ids(at) == ["T01", "T02", "T03"]
    assert at.sidebar.selectbox(key="period").options == [
        f"{p[:4]}年第{'一二三四'[int(p[-1]) - 1]}季度（{p}）" for p in SUCCESSOR_PERIODS]
    at = run_as(None, "pages/targets.py")
    assert not at.exception
    assert "共 52 个指标" in " ".join(c.value for c in at.caption)
    assert len(_target_ids(at)) == 52
    assert at.sidebar.selectbox(key="period").options[-1].endswith("（2020Q4）")
    assert len(at.sidebar.selectbox(key="period").options) == 12


def test_the_task_ledger_and_the_overview_of_the_successor(both):
    at = run_as(None, "pages/tasks.py", plan=SUCCESSOR)
    assert not at.exception
    assert "共 3 项任务" in " ".join(c.value for c in at.caption)
    assert "30 项" not in " ".join(m.value for m in [*at.markdown, *at.caption])  # that is the 2018–2020 plan
    at = run_as(None, "pages/tasks.py")
    assert "共 30 项任务" in " ".join(c.value for c in at.caption)
    at = run_as(None, "pages/overview.py", plan=SUCCESSOR)
    assert not at.exception


def test_the_scorecard_matrix_names_each_plans_own_ids(both):
    for plan, targets, tasks in ((SUCCESSOR, "T01–T03", "1–3"), (FIRST, "T01–T52", "1–30")):
        at = run_as(None, "pages/departments.py", plan=plan)
        assert not at.exception
        shown = [m.value for m in at.markdown]
        assert f"**牵头指标（{targets}，列为指标编号）**" in shown
        assert f"**工作任务（任务 {tasks}，列为任务编号）**" in shown


# --- 2. an upload lands in its plan; 3. the joined series -------------------------------------------------


def test_an_upload_to_the_successor_lands_there_only_and_the_detail_joins_both_plans(both):
    before_report = _report(both, "2020Q4")
    before = _counts("submission"), _counts("current_value")
    _upload_t01(both)
    after = _counts("submission"), _counts("current_value")
    assert after[0] == (before[0][0], before[0][1] + 1)  # one submission, in the successor's database
    assert after[1][0] == before[1][0] and after[1][1] > before[1][1]
    with use_plan(SUCCESSOR):
        assert _count("current_value", "WHERE target_id = 'T01' AND period_code = '2021Q4'") >= 1
    assert _report(both, "2020Q4") == before_report
    # The successor's own report has the value; 2018–2020 T01 knows nothing of it.
    successor = json.loads(_report(both, "2021Q4", "--plan", SUCCESSOR))
    assert {t["target_id"]: t["actual"] for t in successor["targets"]}["T01"] == VALUE

    # 3. The 指标详情 of the successor's T01: 2018–2020 T02's demo values, then 2021Q4's.
    with use_plan(FIRST):
        from db import queries

        demo = queries.current_values(target_id="T02", city_only=True)
    at = run_as(None, "pages/targets.py", plan=SUCCESSOR, target="T01")
    assert not at.exception
    assert "2021年起：96% → 98%（调整）" in [i.value for i in at.info]
    table = next(df.value for df in at.dataframe if "方案" in df.value.columns)
    assert table["报告期"].tolist() == [*demo["period_code"], "2021Q4"]
    assert len(demo) >= 8 and demo["is_demo"].all() and demo["period_code"].between("2018Q1", "2020Q4").all()
    assert "图表数据含演示数据，并非真实报送。" in [c.value for c in at.caption]
    assert table["方案"].tolist() == [FIRST] * len(demo) + [SUCCESSOR]
    assert table["实际值"].iloc[-1] == "98.6%"
    from core.status import fmt

    assert table["实际值"].tolist()[:-1] == [fmt(v, "%") for v in demo["value"]]
    assert "方案更替：2021年起：96% → 98%（调整）" in table["说明"].tolist()


# --- 4. archive -------------------------------------------------------------------------------------------


def test_an_archived_successor_refuses_writes_and_activate_restores_them(both):
    reporter, token, draft = _reporter_draft()
    report = _report(both, "2021Q4", "--plan", SUCCESSOR)
    plans.archive(SUCCESSOR, actor="测试")
    clear_streamlit_caches()
    assert _report(both, "2021Q4", "--plan", SUCCESSOR) == report  # an archived plan's views stay as they were
    with use_plan(SUCCESSOR):
        outcome = submissions.commit(Caller(reporter, token), draft)
        assert not outcome.written and "已归档，只读" in outcome.refused
        assert outcome.refused == submissions.archived_refusal()
        assert _count("submission") == 0 and _count("current_value", "WHERE period_code = '2021Q4'") == 0
        assert submissions.prepare_file(reporter, "农业.xlsx", draft.content, source="upload").refused
    at = run_as(token, "pages/upload.py", plan=SUCCESSOR)
    assert not at.exception
    assert READ_ONLY in [i.value for i in at.info]
    assert at.file_uploader(key="up_file").proto.disabled
    commit = at.button(key="up_on_commit")
    assert commit.proto.disabled
    # The 2018–2020 plan stays writable meanwhile.
    assert READ_ONLY not in [i.value for i in run_as(token, "pages/upload.py", plan=FIRST).info]
    plans.activate(SUCCESSOR, actor="测试")
    clear_streamlit_caches()
    with use_plan(SUCCESSOR):
        outcome = submissions.commit(Caller(reporter, token), draft)
        assert outcome.written, outcome.refused
        assert _count("submission") == 1
    at = run_as(token, "pages/upload.py", plan=SUCCESSOR)
    assert READ_ONLY not in [i.value for i in at.info] and not at.file_uploader(key="up_file").proto.disabled


# --- 5. a catalogue revision ------------------------------------------------------------------------------


def _revise(folder) -> None:
    targets = folder / "targets.csv"
    rows = targets.read_text(encoding="utf-8").splitlines()
    rows = [r.replace(",20,,2025,", ",22,,2025,").replace("达到20%", "达到22%") if r.startswith("T03,") else r
            for r in rows]
    targets.write_text("\n".join(rows) + "\n", encoding="utf-8")
    plan_toml = folder / "plan.toml"
    head, table, rest = plan_toml.read_text(encoding="utf-8").partition("[continuity]")
    # Top-level keys go above the first table; [catalogue] is a table of its own.
    plan_toml.write_text(head + table + rest + '\n[catalogue]\nrevised_from = "2023Q1"\n', encoding="utf-8")


def _t03(var, period: str) -> dict:
    report = json.loads(_report(var, period, "--plan", SUCCESSOR))
    return {t["target_id"]: t for t in report["targets"]}["T03"]


def test_a_revision_of_the_successor_leaves_2022_judged_as_before(both, two_plans):
    from db.catalogue_sync import sync_catalogue

    make_user("office", auth.ADMIN)
    office = users.user_identity("office")
    with use_plan(SUCCESSOR):
        open_periods()
        catalogue = submissions.plan_catalogue()
        for period in ("2022Q4", "2023Q1"):  # 市工业和信息化局's T03 at 21%: above 20, below 22
            content = fx.fill_template(fx.department_template(catalogue, "市工业和信息化局", period), value=21)
            draft = submissions.prepare_file(office, f"工信{period}.xlsx", content, source="cli")
            assert not draft.problems and not draft.refused, (draft.problems, draft.refused)
            assert submissions.commit(Caller(office, None, "cli"), draft).written
    clear_streamlit_caches()
    report_2022 = _report(both, "2022Q4", "--plan", SUCCESSOR)
    before = _t03(both, "2023Q1")
    assert before["target"] == "≥20%" and before["actual"] == 21
    folder = two_plans / SUCCESSOR
    _revise(folder)
    reset_plan_caches()
    with use_plan(SUCCESSOR):
        sync_catalogue(load_catalogue(folder), folder)
    clear_streamlit_caches()
    assert _report(both, "2022Q4", "--plan", SUCCESSOR) == report_2022
    after = _t03(both, "2023Q1")
    assert after["target"] == "≥22%" and after["actual"] == 21
    # Judged by 22: behind the time-proportional path to 22 (by 20 it was already reached, no path to follow).
    assert before["expected"] is None and after["expected"] > 21, (before, after)
    assert after["status"] != before["status"] and "落后" in after["explanation"], (before, after)
    assert {t["target_id"]: t["target"] for t in json.loads(report_2022)["targets"]}["T03"] == "≥20%"


def test_the_upload_page_of_the_successor_commits_there_and_refuses_once_archived_under_it(both):
    """The page's path: a 填报员 previews a sheet on 进度填报 under ?plan=2021-2025, the office archives the plan
    meanwhile, the click on 确认入库 (rendered enabled) is refused at the write; re-activated it goes in."""
    make_user("nong_tb", auth.REPORTER, AGRI)
    token = token_for("nong_tb")
    with use_plan(SUCCESSOR):
        open_periods("2021Q4")
    content = _successor_sheet()
    at = run_as(token, "pages/upload.py", plan=SUCCESSOR)
    assert not at.exception
    at.file_uploader(key="up_file").upload("农业.xlsx", content, XLSX).run()
    assert not at.exception
    commit = at.button(key="up_file_commit")
    assert not commit.proto.disabled
    plans.archive(SUCCESSOR, actor="测试")
    before = _counts("submission")
    commit.click().run()
    assert not at.exception
    shown = " ".join(e.value for e in [*at.error, *at.warning, *at.info])
    assert submissions.archived_refusal() in shown and "已归档，只读" in shown
    assert _counts("submission") == before
    assert at.file_uploader(key="up_file").proto.disabled  # the page now says it before a write
    assert READ_ONLY in [i.value for i in at.info]
    plans.activate(SUCCESSOR, actor="测试")
    at = run_as(token, "pages/upload.py", plan=SUCCESSOR)
    at.file_uploader(key="up_file").upload("农业.xlsx", content, XLSX).run()
    at.button(key="up_file_commit").click().run()
    assert not at.exception
    assert "已提交，待审核（提交编号" in " ".join(s.value for s in at.success)
    assert _counts("submission") == (before[0], before[1] + 1)


def test_the_joined_series_follows_a_new_value_in_the_predecessor_while_both_are_active(both):
    """Both plans active in one server process: a 2018–2020 value changed after the successor's detail was
    shown appears there on the next run (the cached join is keyed by both plans' data versions)."""
    make_user("office", auth.ADMIN)
    office = users.user_identity("office")
    at = run_as(None, "pages/targets.py", plan=SUCCESSOR, target="T01")
    table = next(df.value for df in at.dataframe if "方案" in df.value.columns)
    assert table.set_index("报告期").loc["2020Q4", "实际值"] != "97.7%"
    with use_plan(FIRST):  # 2020Q4 is open in the demo database
        content = fx.fill_template(fx.department_template(load_catalogue(), AGRI, "2020Q4"), value=97.7)
        draft = submissions.prepare_file(office, "农业2020Q4.xlsx", content, source="cli")
        assert not draft.problems and not draft.refused, (draft.problems, draft.refused)
        outcome = submissions.commit(Caller(office, None, "cli"), draft, note="测试：按 97.7 重报，已核实")
        assert outcome.written, outcome.refused
    at.run()  # no cache cleared: what a running server does
    assert not at.exception
    table = next(df.value for df in at.dataframe if "方案" in df.value.columns)
    assert table.set_index("报告期").loc["2020Q4", "实际值"] == "97.7%"
