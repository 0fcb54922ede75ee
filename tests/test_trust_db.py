"""Trustworthy-data writes (db.trust), the service (services.trust) and the CLI (`baseline`, `period`):
identity re-checked inside each write, history and audit kept, closed periods refused cell by cell,
the scoreboard charging the registered department."""
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import manage
from core import auth
from core.importer.model import IndicatorRow, TaskRow
from db import queries
from db import trust as store
from db.audit import audit_log
from db.trust import CLI, Actor, TrustRefused
from services import trust as service
from tests.auth_fixtures import AGRI, make_user, token_for


@pytest.fixture
def people(demo_db):
    make_user("office", auth.ADMIN)
    make_user("zw_tb", auth.REPORTER, "市政务服务数据管理局")
    make_user("nong_tb", auth.REPORTER, AGRI)
    make_user("kan", auth.VIEWER)
    return {name: Actor(name, token_for(name)) for name in ("office", "zw_tb", "nong_tb", "kan")}


def _city(target_id: str) -> pd.Series:
    df = store.baselines()
    return df[(df["target_id"] == target_id) & (df["district_adcode"] == "")].iloc[0]


# --- identity inside the transaction ---------------------------------------------------------------


def test_every_write_rechecks_the_session_and_the_account(people):
    office = people["office"]
    store.set_period_state(office, "2019Q1", "close")
    with pytest.raises(TrustRefused, match="登录已失效"):
        store.set_period_state(Actor("office", "forged-token"), "2019Q1", "open")
    with pytest.raises(TrustRefused, match="登录已失效"):
        store.set_period_state(Actor("office", people["zw_tb"].token), "2019Q1", "open")  # someone else's token
    with pytest.raises(TrustRefused, match="只有督查办管理员"):
        store.set_period_state(people["zw_tb"], "2019Q1", "open")
    from db.users import set_active

    make_user("office2", auth.ADMIN)
    second = Actor("office2", token_for("office2"))
    set_active("office2", False, by="测试")
    with pytest.raises(TrustRefused, match="已停用"):
        store.set_period_state(second, "2019Q1", "open")
    office_rows = store.period_closures().query("user_name != @store.DEMO_USER")  # the demo reopened 2020Q4
    assert office_rows["action"].tolist() == ["close"]  # refused writes wrote nothing


# --- 基期与责任备案 ---------------------------------------------------------------------------------------


def test_office_registers_confirms_and_changes_with_a_reason(people):
    office = people["office"]
    store.set_baseline(office, "T02", value=88.0, year=2017, source="2017年例行监测年报")
    row = _city("T02")
    assert (row["value"], row["year"], row["confirmed"], row["is_demo"]) == (88.0, 2017, False, False)
    store.set_baseline(office, "T02", value=88.0, year=2017, source="2017年例行监测年报", confirm=True)
    assert bool(_city("T02")["confirmed"])
    with pytest.raises(TrustRefused, match="须填写变更原因"):
        store.set_baseline(office, "T02", value=89.0, year=2017, source="2017年例行监测年报")
    store.set_baseline(office, "T02", value=89.0, year=2017, source="2017年例行监测年报", reason="市统计局更正")
    history = store.baseline_history("T02")
    assert history["reason"].iloc[0] == "市统计局更正" and '"value": 88.0' in history["before"].iloc[0]
    assert len(history) == 3
    assert (audit_log(action="baseline_set")["user_name"] == "office").sum() == 3
    # The engine uses it.
    t = queries.targets().set_index("id").loc["T02"]
    assert (t["baseline"], t["baseline_year"], bool(t["baseline_confirmed"])) == (89.0, 2017, True)


def test_lead_department_assigns_to_a_participant_and_scoring_charges_it(people):
    store.set_baseline(people["zw_tb"], "T48", value=3.0, year=2017, source="卫健年报", responsible="市卫生健康局")
    assert _city("T48")["responsible_department"] == "市卫生健康局"
    with pytest.raises(TrustRefused, match="只有牵头部门或督查办"):
        store.set_baseline(people["nong_tb"], "T48", value=3.0, year=2017, responsible="市农业农村局")
    with pytest.raises(TrustRefused, match="不能指定为责任部门"):
        store.set_baseline(people["office"], "T02", value=80.0, year=2017, responsible="市卫生健康局")
    with pytest.raises(TrustRefused, match="浏览账号"):
        store.set_baseline(people["kan"], "T48", value=3.0, year=2017)
    # Confirmed registrations are the office's to change.
    store.set_baseline(people["office"], "T48", value=3.0, year=2017, source="卫健年报", responsible="市卫生健康局",
                       confirm=True)
    with pytest.raises(TrustRefused, match="由督查办办理"):
        store.set_baseline(people["zw_tb"], "T48", value=4.0, year=2017, reason="更正")


def test_demo_registrations_change_the_scoreboard(demo_db):
    """T47–T51 are 市卫生健康局's and T52 市公安局's in the demo: their items move off 市政务服务数据管理局."""
    from db.scoring_reads import scoreboard

    board = scoreboard("2020Q4")
    items = board.items[board.items["component"] == "targets"]
    owner = dict(zip(items["key"], items["department"]))
    assert {owner[f"T{i}"] for i in range(47, 52)} == {"市卫生健康局"} and owner["T52"] == "市公安局"
    assert owner["T42"] == "市政务服务数据管理局"
    assert set(items.loc[items["key"].isin(["T47", "T52"]), "role"]) == {"责任"}
    health = board.score_of("市卫生健康局")
    assert health.component("targets").applicable  # it now answers for targets
    # Without the registrations the lead carries all of task 12's targets again.
    from core.scoring import target_items

    plain = queries.targets().drop(columns=["responsible_department"])
    assert set(target_items(plain, queries.current_values(), "2020Q4").set_index("key").loc[
        ["T47", "T52"], "department"]) == {"市政务服务数据管理局"}


def test_demo_clear_removes_demo_registrations_only(people):
    store.set_baseline(people["office"], "T02", value=85.0, year=2017, source="真实")
    from db.demo import clear_demo

    clear_demo()
    df = store.baselines()
    assert df["target_id"].tolist() == ["T02"] and not df["is_demo"].any()


# --- 报告期关闭 ----------------------------------------------------------------------------------------


def test_closed_period_is_refused_cell_by_cell_unless_excepted(people):
    when = datetime(2021, 6, 1, tzinfo=timezone.utc)  # long after 2020Q4's deadline + 30 days
    rows = [IndicatorRow("T02", None, "2019Q4", 95.0, "", "", "指标", 5),
            TaskRow(1, AGRI, "2020Q3", "推进中", 80.0, "", "", "", "任务", 9)]
    problems = service.closed_cells(rows, AGRI, when)
    assert [(p.sheet, p.cell, p.row) for p in problems] == [("指标", "A5", 5), ("任务", "A9", 9)]
    assert problems[0].message.startswith("2019Q4 已关闭") and "申请解锁" in problems[0].fix
    from core.timeutil import CHINA_TZ

    until = (datetime.now(timezone.utc) + timedelta(days=1)).astimezone(CHINA_TZ).replace(microsecond=0)
    gid = store.grant_lock_exception(people["office"], AGRI, "2019Q4", until, "补报年报数据")
    assert store.lock_exceptions().set_index("id").loc[gid, "until"] == until  # the same instant, not shifted 8 h
    now = datetime.now(timezone.utc)
    # Now (2026) 2020Q3 has closed by itself; 2019Q4 is open to 市农业农村局 through the exception.
    assert [p.value for p in service.closed_cells(rows, AGRI, now)] == ["2020Q3"]
    assert service.closed_reason_for("2019Q4", AGRI) is None
    assert service.closed_reason_for("2019Q4", "市市场监管局") is not None
    store.revoke_lock_exception(people["office"], gid)
    assert service.closed_reason_for("2019Q4", AGRI) is not None
    assert {"lock_exception", "lock_exception_revoke"} <= set(audit_log()["action"])


def test_office_reopens_and_closes_a_period(people):
    store.set_period_state(people["office"], "2019Q4", "open", "补录")
    assert service.closed_reason_for("2019Q4", AGRI) is None
    store.set_period_state(people["office"], "2019Q4", "close")
    assert service.closed_reason_for("2019Q4", AGRI).startswith("2019Q4 已关闭（督查办")
    states = service.period_states().set_index("period_code")
    assert bool(states.loc["2019Q4", "closed"])


# --- 完成核验 ------------------------------------------------------------------------------------------


def _pending_completion() -> tuple[int, str, str]:
    todo = store.completions_to_check()
    todo = todo[todo["verification"] == ""]
    r = todo.iloc[0]
    return int(r["task_id"]), r["department"], r["period_code"]


def test_office_verifies_or_returns_a_complete_report(people):
    task_id, dept, period = _pending_completion()
    per = lambda: service_status(task_id, dept, period)  # noqa: E731
    assert per() == "待核验"
    with pytest.raises(TrustRefused, match="退回须填写原因"):
        store.verify_task(people["office"], task_id, dept, period, approve=False)
    store.verify_task(people["office"], task_id, dept, period, approve=False, reason="缺少验收报告")
    assert per() == "预警"
    with pytest.raises(TrustRefused, match="没有佐证材料"):
        store.verify_task(people["office"], task_id, dept, period, approve=True)
    from db.users import user_identity
    from services.identity import CLI, Caller
    from services.report_evidence import attach

    attach(Caller(user_identity("office"), channel=CLI), task_id, dept, period, [("验收报告.pdf", b"%PDF-1.4\n")])
    assert per() == "待核验"  # new files answer the return
    store.verify_task(people["office"], task_id, dept, period, approve=True)
    assert per() == "已完成"
    with pytest.raises(TrustRefused, match="只有督查办"):
        store.verify_task(people["zw_tb"], task_id, dept, period, approve=True)
    with pytest.raises(TrustRefused, match="没有 100% 完成的报送"):
        store.verify_task(people["office"], 1, AGRI, "2018Q1", approve=True)


def service_status(task_id: int, dept: str, period: str) -> str:
    from core.status import evaluate_tasks

    st = evaluate_tasks(queries.tasks(), queries.current_progress(up_to_period=period), period, per_department=True)
    return st.set_index(["task_id", "department"]).loc[(task_id, dept), "status"]


# --- CLI ----------------------------------------------------------------------------------------------


def test_cli_baseline_set_and_list(people, capsys):
    assert manage.main(["baseline", "set", "--target", "T30", "--value", "20", "--year", "2017", "--source",
                        "农业农村局名录", "--user", "office"]) == 0
    assert manage.main(["baseline", "set", "--target", "T30", "--value", "200", "--year", "1990",
                        "--user", "office"]) == 1
    assert "应在 2000–2020 年之间" in capsys.readouterr().err
    assert manage.main(["baseline", "set", "--target", "T30", "--value", "21", "--year", "2017",
                        "--user", "nobody"]) == 1
    capsys.readouterr()
    assert manage.main(["baseline", "list", "--target", "T30", "--format", "json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["value"] == 20.0 and rows[0]["source"] == "农业农村局名录" and not rows[0]["demo"]


def test_cli_period_close_open_and_exceptions(people, capsys):
    assert manage.main(["period", "close", "2020Q4", "--user", "office", "--reason", "年终考核"]) == 0
    assert manage.main(["period", "close", "2020Q4", "--user", "zw_tb"]) == 1
    assert "只有督查办管理员" in capsys.readouterr().err
    assert manage.main(["period", "exceptions", "2020Q4", "--department", AGRI, "--until", "2099-01-01",
                        "--user", "office"]) == 0
    assert manage.main(["period", "exceptions"]) == 0
    out = capsys.readouterr().out
    assert AGRI in out and "2020Q4" in out and "有效" in out
    assert service.closed_reason_for("2020Q4", AGRI) is None
    assert manage.main(["period", "exceptions", "--revoke", "1", "--user", "office"]) == 0
    assert manage.main(["period", "open", "2020Q4", "--user", "office"]) == 0
    assert manage.main(["period", "list"]) == 0
    assert "2020Q4" in capsys.readouterr().out
    assert Actor("x", via=CLI).via == "cli"


def test_responsible_targets_follow_the_registration(demo_db):
    assert {"T47", "T48", "T49", "T50", "T51"} <= service.responsible_targets("市卫生健康局")
    assert service.responsible_targets("市公安局") == frozenset({"T52"})
    assert "T47" not in service.responsible_targets("市政务服务数据管理局")
    assert "T42" in service.responsible_targets("市政务服务数据管理局")


def test_service_on_a_real_validated_upload(demo_db):
    """What the submission pipeline will do: validate a department's file, then ask which cells are closed
    and which values need a second look."""
    from core.catalogue import load_catalogue
    from core.importer.reader import read_upload, sha256_of
    from core.importer.validate import validate_upload
    from tests.test_page_upload import filled_template

    content = filled_template({"T30": 300}, department=AGRI, period="2019Q4")
    result = validate_upload(read_upload("农业.xlsx", content), load_catalogue(), filename="农业.xlsx",
                             sha256=sha256_of(content), period="2019Q4", department=AGRI,
                             known_periods=list(queries.periods()["code"]))
    assert not result.problems and result.indicators
    closed = service.closed_cells([*result.indicators, *result.tasks], result.department)
    assert len(closed) == len(result.indicators) + len(result.tasks)
    first = closed[0]
    assert first.sheet == "指标进展" and first.cell.startswith("A") and first.message.startswith("2019Q4 已关闭")
    assert "指标进展!A" in first.text()
    warnings = service.second_look(result.indicators)
    t30 = [w for w in warnings if w.target_id == "T30"]
    assert t30 and t30[0].kind == "大幅变动" and t30[0].sheet == "指标进展" and t30[0].row
    assert service.second_look_problems(t30)[0].cell == f"A{t30[0].row}"


def test_demo_opens_its_last_period_audited_and_labelled(demo_db, capsys):
    """Every demo period closed long ago (close_days after its deadline): the demo reopens only 2020Q4, as
    an office action by 演示数据 in the period table and the audit log, so a newcomer can try 进度填报."""
    assert service.closed_reason_for("2020Q4", None) is None
    assert service.closed_reason_for("2020Q3", None).startswith("2020Q3 已关闭（报送截止")
    states = service.period_states().set_index("period_code")
    assert not states.loc["2020Q4", "closed"] and "演示数据" in states.loc["2020Q4", "why"]
    assert states.drop(index="2020Q4")["closed"].all()
    log = audit_log()
    opened = log[log["action"] == "period_open"]
    assert opened["user_name"].tolist() == [store.DEMO_USER] and "2020Q4" in opened["detail"].iloc[0]
    assert manage.main(["period", "list"]) == 0
    listed = capsys.readouterr().out
    assert "2020Q4\t开放\t演示数据：" in listed and "2020Q3\t已关闭\t报送截止" in listed
    from db.demo import clear_demo

    clear_demo()
    assert service.closed_reason_for("2020Q4", None).startswith("2020Q4 已关闭（报送截止")
    assert store.period_closures().empty
