"""More than one plan (issue 15) below the CLI: one database per plan with the accounts in the home database,
the archive guard inside every write transaction, and migration 0012 changing no report."""
from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text

from core import auth
from core.catalogue import load_catalogue
from core.plan_context import use_plan
from db import engine as db_engine
from db import trust as db_trust
from db import users
from db.engine import PlanArchived, data_version, get_engine, home_engine, pin_data_version
from db.migrations import alembic_config, head_revision, script_directory
from services import assessment, plans, submissions
from services import supervision as sup
from services.identity import CLI, Caller
from tests import fixtures_excel as fx
from tests.auth_fixtures import AGRI, MARKET, make_user, token_for
from tests.support.plans import SUCCESSOR, SUCCESSOR_DIR, open_periods, two_plans  # noqa: F401


def _sheet(department: str = AGRI, period: str = "2021Q4", value: float = 98.6) -> bytes:
    return fx.fill_template(fx.department_template(load_catalogue(SUCCESSOR_DIR), department, period), value=value)


def _count(table: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()


def test_each_plan_has_its_database_and_the_accounts_stay_home(fresh_db, two_plans):
    plans.ensure_ready(SUCCESSOR)
    home = home_engine()
    assert get_engine() is home
    with use_plan(SUCCESSOR):
        successor = get_engine()
        assert successor is not home
        if successor.dialect.name == "sqlite":
            assert successor.url.database.endswith(f"plans/{SUCCESSOR}.sqlite3")
        else:  # PostgreSQL: the same database, the plan's own schema
            assert successor.url.database == home.url.database
            with successor.connect() as conn:
                assert conn.execute(text("SELECT current_schema()")).scalar() == "plan_2021_2025"
        assert _count("target") == 3 and _count("period") == 20 and _count("app_user") == 0
        make_user("jiang", auth.ADMIN)  # written to the home database whatever plan is current
        assert _count("app_user") == 0
    assert _count("target") == 52 and _count("app_user") == 1
    # The data version is per plan: a write in one does not move the other's pin.
    pin_data_version()
    home_version = data_version()
    with use_plan(SUCCESSOR):
        with db_engine.session_scope() as s:
            db_engine.bump_data_version(s)
        successor_version = data_version()
    assert data_version() == home_version and successor_version >= 1
    entries = {e.plan.id: e for e in plans.listed()}
    assert entries["2018-2020"].is_default and entries[SUCCESSOR].status == plans.ACTIVE


def test_a_reporter_logged_in_at_home_writes_into_the_successor_and_a_revoked_login_is_refused_there(
        fresh_db, two_plans):
    plans.ensure_ready(SUCCESSOR)
    make_user("nong", auth.REPORTER, AGRI)
    make_user("shij", auth.REPORTER, MARKET)
    token = token_for("nong")
    identity = users.session_identity(token)
    with use_plan(SUCCESSOR):
        open_periods("2021Q4")
        draft = submissions.prepare_file(identity, "农业.xlsx", _sheet(), source="upload")
        assert not draft.problems and not draft.refused
        outcome = submissions.commit(Caller(identity, token), draft)
        assert outcome.written and outcome.state == "pending", outcome.refused
        assert _count("submission") == 1
        # Another department's 填报员 cannot write the rows 市农业农村局 leads in this plan.
        other = users.session_identity(token_for("shij"))
        foreign = submissions.prepare_file(other, "农业.xlsx", _sheet(value=97.0), source="upload")
        assert foreign.problems or foreign.writes_nothing
        # Logged out (session revoked in the home database): the page's stale identity writes nothing here.
        second = submissions.prepare_file(identity, "农业2.xlsx", _sheet(value=97.5), source="upload")
        users.logout(token, "nong")
        refused = submissions.commit(Caller(identity, token), second)
        assert "登录已失效" in refused.refused and _count("submission") == 1
    assert _count("submission") == 0  # nothing landed in the 2018–2020 plan


def test_the_archive_guard_holds_inside_every_write_transaction(fresh_db, two_plans):
    plans.ensure_ready(SUCCESSOR)
    make_user("office", auth.ADMIN)
    office = users.user_identity("office")
    with use_plan(SUCCESSOR):
        open_periods("2021Q4")
        draft = submissions.prepare_file(office, "农业.xlsx", _sheet(), source="cli")  # previewed before archiving
    plans.archive(SUCCESSOR, actor="测试")
    assert plans.is_archived(SUCCESSOR) and not plans.is_archived("2018-2020")
    with use_plan(SUCCESSOR):
        outcome = submissions.commit(Caller(office, None, CLI), draft)
        assert "已归档，只读" in outcome.refused and _count("submission") == 0
        assert "已归档" in submissions.prepare_file(office, "农业.xlsx", _sheet(), source="upload").refused
        with pytest.raises(db_trust.TrustRefused, match="已归档"):
            db_trust.set_period_state(db_trust.Actor("office", via="cli"), "2021Q4", "close", "测试")
        with pytest.raises(sup.Refused, match="已归档"):
            sup.remind(sup.Actor(office, channel=sup.CLI), AGRI, "2021Q4", None, "")
        with pytest.raises(assessment.AssessmentRefused, match="已归档"):
            assessment.set_veto(token_for("office"), AGRI, 2021, "测试否决")
        # Any ORM write of data, whatever path it came by, is refused at the flush and rolls back with the rest.
        with pytest.raises(PlanArchived):
            with db_engine.session_scope() as s:
                s.add(db_engine.models.AppMeta(key="note", value="y"))  # appmeta is not data: allowed alone
                s.add(db_engine.models.Reminder(user_name="x", department_id=1, period_code="2021Q4"))
        assert _count("reminder") == 0 and _count("appmeta WHERE key = 'note'") == 0
        # SQL text escapes the session events; the data-version bump every such write makes refuses it.
        with pytest.raises(PlanArchived):
            with db_engine.session_scope() as s:
                s.execute(text("DELETE FROM period WHERE code = '2025Q4'"))
                db_engine.bump_data_version(s)
        assert _count("period") == 20
    # Accounts and logins (home database) keep working; the first plan is untouched.
    assert token_for("office") and _count("submission") == 0
    plans.activate(SUCCESSOR, actor="测试")
    assert plans.default_plan_id() == SUCCESSOR
    with use_plan(SUCCESSOR):
        assert submissions.commit(Caller(office, None, CLI), draft).written


def test_archiving_the_home_plan_still_lets_accounts_and_contacts_change(fresh_db, two_plans):
    make_user("office", auth.ADMIN)
    plans.archive("2018-2020", actor="测试")
    make_user("nong", auth.REPORTER, AGRI)
    assert token_for("nong")
    sup.set_contact(sup.Actor(users.user_identity("office"), channel=sup.CLI), AGRI, "王科长", "")
    assert sup.contacts_table().set_index("department").loc[AGRI, "person"] == "王科长"
    with pytest.raises(db_trust.TrustRefused, match="2018—2020.*已归档"):
        db_trust.set_period_state(db_trust.Actor("office", via="cli"), "2020Q4", "close", "测试")


def test_migration_0012_records_the_plan_and_changes_no_report(demo_db, capsys):
    import manage

    before_plans = script_directory().get_revision("0012_plans").down_revision
    with get_engine().begin() as conn:
        command.downgrade(alembic_config(conn), before_plans)
        assert conn.execute(text("SELECT COUNT(*) FROM appmeta WHERE key LIKE 'plan_%'")).scalar() == 0
    assert manage.main(["report", "--period", "2020Q4", "--format", "json"]) == 0
    before = capsys.readouterr().out
    assert manage.main(["migrate"]) == 0
    capsys.readouterr()
    with get_engine().connect() as conn:
        facts = dict(conn.execute(text("SELECT key, value FROM appmeta WHERE key LIKE 'plan_%'")).all())
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    assert facts == {"plan_id": "2018-2020", "plan_status": "active"}
    assert manage.main(["report", "--period", "2020Q4", "--format", "json"]) == 0
    after = capsys.readouterr().out
    assert after == before and len(json.loads(after)["targets"]) == 52
