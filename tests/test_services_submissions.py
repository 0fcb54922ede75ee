"""services.submissions: the three entry paths agree, and every write is authorised inside its transaction."""
from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from sqlmodel import func, select

import manage
from core import auth
from core.catalogue import load_catalogue
from core.importer.templates import build_template
from db import models as m
from db import queries, users
from db.engine import session_scope
from services import submissions
from services.identity import CLI, Caller
from tests.auth_fixtures import make_user, token_for
from tests.support.periods import open_periods

DEPT, PERIOD = "市市场监管局", "2020Q4"


def template_with(values: dict[str, float], department: str = DEPT) -> bytes:
    """The department's template with 实际值 typed into the whole-city row of each target in `values`."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(load_catalogue(), period=PERIOD, deadline=date(2021, 1, 10),
                                                          department=department)))
    for row in wb["指标进展"].iter_rows(min_row=3):
        if row[0].value in values and row[4].value == "全市":
            row[6].value = values[row[0].value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def online_edit(values: dict[str, float], department: str = DEPT):
    ind, tasks = submissions.online_rows.uncached(department, PERIOD)
    ind = ind.copy()
    for target_id, value in values.items():
        ind.loc[(ind["指标编号"] == target_id) & (ind["区县"] == "全市"), "实际值"] = value
    return ind, tasks.copy()


def city_value(target_id: str) -> float | None:
    df = queries.current_values(up_to_period=PERIOD, target_id=target_id, city_only=True)
    df = df[df["period_code"] == PERIOD]
    return None if df.empty else float(df["value"].iloc[0])


def counts() -> tuple[int, ...]:
    with session_scope() as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one()
                     for t in (m.Submission, m.IndicatorValue, m.TaskProgress, m.AuditLog))


def seen(draft: submissions.Draft) -> list[tuple]:
    plan = draft.plan
    return [(c.kind, c.what, c.old, c.new) for c in (*plan.new, *plan.changed)]


@pytest.fixture
def office(fresh_db):
    open_periods(PERIOD)  # closed by the calendar long ago; these tests are about the paths, not the closure
    make_user("office", auth.ADMIN)
    return Caller(users.user_identity("office"), token_for("office"))


@pytest.fixture
def reporter(fresh_db):
    open_periods(PERIOD)
    make_user("shij_tb", auth.REPORTER, DEPT)
    return Caller(users.user_identity("shij_tb"), token_for("shij_tb"))


def test_file_online_and_cli_give_the_same_preview_and_the_same_commit(office, tmp_path, capsys):
    baseline = submissions.prepare_file(office, "基线.xlsx", template_with({"T23": 250.0}))
    assert submissions.commit(office, baseline).written and city_value("T23") == 250.0

    content = template_with({"T23": 299.0})
    by_file = submissions.prepare_file(office, "进度.xlsx", content)
    by_online = submissions.prepare_online(office, DEPT, PERIOD, online_edit({"T23": 299.0}))
    assert not by_file.problems and not by_online.problems
    assert seen(by_file) == seen(by_online) and len(seen(by_file)) == 1
    assert seen(by_file)[0][0] == "changed" and "250" in seen(by_file)[0][2] and "299" in seen(by_file)[0][3]
    path = tmp_path / "进度.xlsx"
    path.write_bytes(content)
    assert manage.main(["import", str(path), "--user", "office", "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert (dry["inserted"], dry["updated"]) == (len(by_file.plan.new), len(by_file.plan.changed))

    written = []
    for commit in (lambda: submissions.commit(office, by_file),
                   lambda: submissions.commit(office, by_online),
                   lambda: manage.main(["import", str(path), "--user", "office"])):
        out = commit()
        sub = queries.submissions(DEPT).iloc[0]
        with session_scope() as s:
            rows = s.exec(select(m.IndicatorValue.target_id, m.IndicatorValue.district_adcode,
                                 m.IndicatorValue.period_code, m.IndicatorValue.value)
                          .where(m.IndicatorValue.submission_id == int(sub["id"]))).all()
        written.append((sub["state"], int(sub["inserted"]), int(sub["updated"]), sorted(rows), city_value("T23")))
        assert out in (0,) or out.written
        submissions.undo(office, int(sub["id"]), "测试：换一种方式再报")
        assert city_value("T23") == 250.0
    capsys.readouterr()
    assert written[0] == written[1] == written[2] == ("committed", 0, 1, [("T23", None, PERIOD, 299.0)], 299.0)


def test_a_reporters_write_waits_for_review_whichever_path(reporter):
    draft = submissions.prepare_online(reporter, DEPT, PERIOD, online_edit({"T23": 280.0}))
    assert draft.state == "pending"
    out = submissions.commit(reporter, draft)
    assert out.written and out.state == "pending" and city_value("T23") is None


def test_commit_of_a_revoked_session_or_disabled_account_writes_nothing(office, reporter):
    draft = submissions.prepare_file(reporter, "进度.xlsx", template_with({"T23": 280.0}))
    users.logout(reporter.token, reporter.username)  # the session ends (as on another tab)
    before = counts()
    out = submissions.commit(reporter, draft)
    assert "登录已失效" in out.refused and counts() == before

    fresh = Caller(reporter.identity, token_for("shij_tb"))
    users.set_active("shij_tb", False, by="office")
    before = counts()
    assert submissions.commit(fresh, draft).refused and counts() == before
    # A page without any token is refused too; the CLI's bare identity is re-checked by account.
    mine = submissions.prepare_file(office, "进度.xlsx", template_with({"T23": 280.0}))
    assert "登录已失效" in submissions.commit(Caller(office.identity, None), mine).refused
    assert "停用" in submissions.commit(Caller(reporter.identity, None, CLI), draft).refused  # as the CLI has it
    assert "登录已失效" in submissions.commit(office.identity, mine).refused  # a bare identity: no token, no write
    assert counts() == before


def test_a_changed_role_refuses_the_write(office, reporter):
    draft = submissions.prepare_file(reporter, "进度.xlsx", template_with({"T23": 280.0}))
    with session_scope() as s:
        s.exec(select(m.User).where(m.User.username == "shij_tb")).one().role = auth.VIEWER
    before = counts()
    assert "已变更" in submissions.commit(reporter, draft).refused and counts() == before


def test_review_and_undo_by_a_revoked_admin_write_nothing(office, reporter):
    pending = submissions.commit(reporter, submissions.prepare_file(reporter, "进度.xlsx",
                                                                    template_with({"T23": 280.0})))
    users.logout(office.token, "office")
    before = counts()
    with pytest.raises(submissions.Refused, match="登录已失效"):
        submissions.review(office, pending.submission_id, "approve")
    with pytest.raises(submissions.Refused, match="登录已失效"):
        submissions.undo(office, pending.submission_id, "原因")
    assert counts() == before and queries.submissions(DEPT).iloc[0]["state"] == "pending"


def test_only_the_office_reviews(reporter):
    pending = submissions.commit(reporter, submissions.prepare_file(reporter, "进度.xlsx",
                                                                    template_with({"T23": 280.0})))
    with pytest.raises(submissions.Refused, match="无权"):
        submissions.review(reporter, pending.submission_id, "approve")


def test_a_reporter_withdraws_only_its_pending_reports_and_counted_data_is_the_offices(office, reporter):
    pending = submissions.commit(reporter, submissions.prepare_file(reporter, "甲.xlsx", template_with({"T23": 280.0})))
    submissions.review(office, pending.submission_id, "approve")
    assert city_value("T23") == 280.0
    with pytest.raises(submissions.Refused, match="只能由督查办撤销"):
        submissions.undo(reporter, pending.submission_id)
    assert city_value("T23") == 280.0
    own = submissions.commit(reporter, submissions.prepare_file(reporter, "乙.xlsx", template_with({"T23": 281.0})))
    assert submissions.undo(reporter, own.submission_id)["state"] == "undone"  # its own, still pending

    by_office = submissions.prepare_file(office, "丙.xlsx", template_with({"T23": 290.0}))
    office_write = submissions.commit(office, by_office)
    with pytest.raises(submissions.Refused, match="只能由督查办撤销"):
        submissions.undo(reporter, office_write.submission_id)  # the office's counted report for its department
    with pytest.raises(submissions.Refused, match="须填写原因"):
        submissions.undo(office, office_write.submission_id)
    assert city_value("T23") == 290.0
    submissions.undo(office, office_write.submission_id, "数值填错")
    assert city_value("T23") == 280.0
    with session_scope() as s:
        last = s.exec(select(m.AuditLog).order_by(m.AuditLog.id.desc())).first()
    assert last.action == "undo" and "数值填错" in last.detail and last.user_name == "office"


def test_commit_refuses_and_names_cells_changed_since_the_preview(office):
    submissions.commit(office, submissions.prepare_file(office, "基线.xlsx", template_with({"T23": 90.0})))
    draft = submissions.prepare_file(office, "进度.xlsx", template_with({"T23": 90.0, "T24": 5.0}))
    assert [c.kind for c in draft.plan.unchanged] == ["unchanged"]  # T23 = 90 already
    other = submissions.prepare_online(office, DEPT, PERIOD, online_edit({"T23": 55.0}))
    assert submissions.commit(office, other).written
    before = counts()
    out = submissions.commit(office, draft)
    assert out.refused and out.changed_cells and "T23" in out.changed_cells[0] and "全市" in out.changed_cells[0]
    assert counts() == before and city_value("T23") == 55.0  # the late confirm changed nothing
    again = submissions.prepare_file(office, "进度.xlsx", template_with({"T23": 90.0, "T24": 5.0}))
    assert submissions.commit(office, again).written and city_value("T23") == 90.0


def test_online_entry_rechecks_the_locked_columns_on_the_server(reporter):
    catalogue = load_catalogue()
    flat = next(t.id for t in catalogue.targets if t.lead_department == DEPT and not t.district_breakdown)
    ind, tasks = online_edit({flat: 10.0})
    row = ind.index[(ind["指标编号"] == flat) & (ind["区县"] == "全市")][0]

    district = ind.copy()
    district.loc[row, "区县"] = catalogue.districts[0].name  # a district value for a target without breakdown
    duplicate = ind.copy()
    duplicate.loc[row + 1] = ind.loc[row]  # the same row twice
    duplicate = duplicate.sort_index().reset_index(drop=True)
    other_task = tasks.copy()
    other_task.loc[0, "责任部门"] = "市农业农村局"
    before = counts()
    for rows in ((district, tasks), (duplicate, tasks), (ind, other_task)):
        draft = submissions.prepare_online(reporter, DEPT, PERIOD, rows)
        assert draft.result.blocking, rows
        assert submissions.commit(reporter, draft).refused
    assert counts() == before
    fine = submissions.prepare_online(reporter, DEPT, PERIOD, (ind, tasks))
    assert not fine.problems and submissions.commit(reporter, fine).written


def test_a_draft_is_committed_only_by_whoever_prepared_it(office, reporter):
    draft = submissions.prepare_file(reporter, "进度.xlsx", template_with({"T23": 280.0}))
    assert "不是由当前账号" in submissions.commit(office, draft).refused
