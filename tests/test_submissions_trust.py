"""Issue 16 in the submission pipeline (services.submissions): 报告期关闭 refuses rows at their cell in the
preview and again inside the write; a target assigned by 基期与责任备案 is reported by its responsible
department (and still by the plan's lead), re-checked inside the write."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from sqlmodel import func, select

import manage
from core import auth
from core.catalogue import load_catalogue
from core.importer.templates import build_template
from db import models as m
from db import trust as store
from db import users
from db.engine import session_scope
from services import submissions, trust
from services.identity import Caller
from tests.auth_fixtures import make_user, token_for
from tests.support.periods import open_periods

MARKET, HEALTH, DATA = "市市场监管局", "市卫生健康局", "市政务服务数据管理局"
PERIOD = "2020Q4"


def template(values: dict[str, float], department: str | None, period: str = PERIOD) -> bytes:
    """A department's (None: the city's) template with 实际值 typed into the whole-city rows of `values`."""
    data = build_template(load_catalogue(), period=period, deadline=date(2021, 1, 10), department=department,
                          assigned=trust.assignments())
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for row in wb["指标进展"].iter_rows(min_row=3):
        if row[0].value in values and row[4].value == "全市":
            row[6].value = values[row[0].value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    with session_scope() as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one()
                     for t in (m.Submission, m.IndicatorValue, m.TaskProgress))


def caller(username: str, role: str = auth.REPORTER, department: str | None = None) -> Caller:
    make_user(username, role, department)
    return Caller(users.user_identity(username), token_for(username))


def written_targets(draft: submissions.Draft) -> list[str]:
    return [r.target_id for r in draft.plan.indicators_to_write]


# --- 报告期关闭 ----------------------------------------------------------------------------------------


@pytest.fixture
def office(fresh_db) -> Caller:
    return caller("office", auth.ADMIN)


def test_a_closed_period_is_refused_at_its_cells_in_every_path(office):
    """Nobody writes a closed period, not even the office: file and online entry show the cell and the fix."""
    draft = submissions.prepare_file(office, "迟报.xlsx", template({"T23": 260.0}, MARKET))
    assert draft.writes_nothing and len(draft.problems) == 1
    p = draft.problems[0]
    assert (p.sheet, p.value) == ("指标进展", PERIOD) and p.cell == f"A{p.row}"
    assert p.message == "2020Q4 已关闭（报送截止 2021-01-10 后 30 天已自动关闭）"
    assert "请联系督查办重新开放" in p.fix and "manage.py period open" in p.fix
    ind, tasks = submissions.online_rows.uncached(MARKET, PERIOD)
    ind = ind.copy()
    ind.loc[(ind["指标编号"] == "T23") & (ind["区县"] == "全市"), "实际值"] = 260.0
    online = submissions.prepare_online(office, MARKET, PERIOD, (ind, tasks))
    assert online.writes_nothing and [q.message[:11] for q in online.problems] == ["2020Q4 已关闭（"]


def test_a_lock_exception_opens_the_period_for_its_department_only(office):
    reporter = caller("shij_tb", auth.REPORTER, MARKET)
    until = datetime.now(timezone.utc) + timedelta(days=2)
    store.grant_lock_exception(store.Actor("office", office.token), MARKET, PERIOD, until, "补报")
    draft = submissions.prepare_file(reporter, "补报.xlsx", template({"T23": 260.0}, MARKET))
    assert not draft.problems and written_targets(draft) == ["T23"]
    agri = caller("nong_tb", auth.REPORTER, "市农业农村局")
    other = submissions.prepare_file(agri, "农业.xlsx", template({"T30": 30.0}, "市农业农村局"))
    assert [q.message[:10] for q in other.problems] == ["2020Q4 已关闭"]


def test_a_period_closed_between_preview_and_commit_still_refuses(office):
    open_periods(PERIOD)
    draft = submissions.prepare_file(office, "进度.xlsx", template({"T23": 260.0}, MARKET))
    assert not draft.problems and written_targets(draft) == ["T23"]
    store.set_period_state(store.Actor("office", office.token), PERIOD, "close", "年终考核")
    before = counts()
    outcome = submissions.commit(office, draft)
    assert not outcome.written and counts() == before
    assert outcome.refused.startswith("报告期已关闭：指标进展!A")
    assert "2020Q4 已关闭（督查办已于" in outcome.refused and "未写入任何数据" in outcome.refused


def test_an_exception_revoked_between_preview_and_commit_refuses(office):
    reporter = caller("shij_tb", auth.REPORTER, MARKET)
    gid = store.grant_lock_exception(store.Actor("office", office.token), MARKET, PERIOD,
                                     datetime.now(timezone.utc) + timedelta(days=2), "补报")
    draft = submissions.prepare_file(reporter, "补报.xlsx", template({"T23": 260.0}, MARKET))
    assert not draft.problems
    store.revoke_lock_exception(store.Actor("office", office.token), gid)
    outcome = submissions.commit(reporter, draft)
    assert outcome.refused.startswith("报告期已关闭") and not outcome.written


def test_unchanged_values_of_a_closed_period_are_not_refused(office):
    """Only a write touches a period: a value sent again unchanged is no reason to refuse the file."""
    open_periods(PERIOD)
    assert submissions.commit(office, submissions.prepare_file(office, "a.xlsx", template({"T23": 260.0}, MARKET))
                              ).written
    store.set_period_state(store.Actor("office", office.token), PERIOD, "close")
    again = submissions.prepare_file(office, "b.xlsx", template({"T23": 260.0}, MARKET))
    assert not again.problems and again.writes_nothing and len(again.plan.unchanged) == 1
    changed = submissions.prepare_file(office, "c.xlsx", template({"T23": 261.0}, MARKET))
    assert changed.writes_nothing and changed.problems[0].message.startswith("2020Q4 已关闭（督查办")


# --- Responsible departments report their targets ------------------------------------------------------


@pytest.fixture
def health(demo_db) -> Caller:
    """市卫生健康局's 填报员 on the demo, where T47–T51 are assigned to it (and 2020Q4 is open)."""
    assert trust.assignments()["T47"] == HEALTH
    return caller("wj_tb", auth.REPORTER, HEALTH)


def test_the_responsible_department_reports_its_assigned_target(health, tmp_path):
    own = template({"T47": 15.0}, HEALTH)  # its template now lists T47–T51 too
    draft = submissions.prepare_file(health, "卫健.xlsx", own)
    assert not draft.problems and written_targets(draft) == ["T47"]
    outcome = submissions.commit(health, draft)
    assert outcome.written and outcome.state == "pending"
    ind, tasks = submissions.online_rows.uncached(HEALTH, PERIOD)
    assert {"T47", "T51"} <= set(ind["指标编号"]) and "T42" not in set(ind["指标编号"])
    ind = ind.copy()
    ind.loc[(ind["指标编号"] == "T48") & (ind["区县"] == "全市"), "实际值"] = 40.0
    online = submissions.prepare_online(health, HEALTH, PERIOD, (ind, tasks))
    assert not online.problems and written_targets(online) == ["T48"]
    path = tmp_path / "卫健-T49.xlsx"
    path.write_bytes(template({"T49": 88.0}, HEALTH))
    assert manage.main(["import", str(path), "--user", "wj_tb"]) == 0


def test_a_target_neither_led_nor_assigned_is_refused_at_its_cell(health):
    draft = submissions.prepare_file(health, "全市.xlsx", template({"T01": 96.0}, None))
    assert draft.writes_nothing
    cell = next(p for p in draft.problems if p.value == "T01")
    assert cell.sheet == "指标进展" and cell.cell == f"A{cell.row}"
    assert cell.message == "指标 T01 由“市市场监管局”牵头，您的部门不能报送"


def test_the_plan_lead_keeps_the_right_to_report_an_assigned_target(health):
    lead = caller("zw_tb", auth.REPORTER, DATA)
    draft = submissions.prepare_file(lead, "政数.xlsx", template({"T47": 15.0}, DATA))
    assert not draft.problems and written_targets(draft) == ["T47"]
    assert submissions.commit(lead, draft).written


def _take_back(office: Caller, target_id: str) -> None:
    """The office gives the target back to the plan's lead (a demo registration binds no one: no reason)."""
    reg = store.baselines().query("target_id == @target_id and district_adcode == ''").iloc[0]
    store.set_baseline(store.Actor("office", office.token), target_id, value=float(reg["value"]),
                       year=int(reg["year"]), source=reg["source"], responsible=DATA)


def test_after_the_assignment_is_removed_the_department_is_refused(health, monkeypatch):
    office = caller("office", auth.ADMIN)
    old_template = template({"T47": 15.0}, HEALTH)  # downloaded while T47 was assigned
    prepared = submissions.prepare_file(health, "卫健.xlsx", old_template)
    assert not prepared.problems
    stale = trust.assignments()
    _take_back(office, "T47")
    assert trust.assignments()["T47"] == DATA
    before = counts()
    outcome = submissions.commit(health, prepared)  # previewed before the removal, committed after
    assert not outcome.written and counts() == before and outcome.refused.startswith("您的账号无权报送：指标 T47")
    # The removal lands after commit() read the assignments but before its write: the transaction's own
    # read refuses it (the scope re-checked inside the write, like the account).
    real = trust.assignments
    monkeypatch.setattr(trust, "assignments", lambda session=None: stale if session is None else real(session))
    outcome = submissions.commit(health, prepared)
    assert not outcome.written and counts() == before
    assert outcome.refused == "您的账号无权报送：指标 T47。未写入任何数据；请重新预览"
    monkeypatch.undo()
    again = submissions.prepare_file(health, "卫健2.xlsx", old_template)
    assert again.writes_nothing
    cell = again.problems[0]
    assert (cell.sheet, cell.cell, cell.value) == ("指标进展", f"A{cell.row}", "T47")
    assert cell.message == f"该指标由{DATA}牵头填报，不是{HEALTH}"
    assert "T47" not in set(submissions.online_rows.uncached(HEALTH, PERIOD)[0]["指标编号"])
