"""Accounts and their security: hashing, lockout, expiry, role rules on rows, SSO mapping, formula-safe exports,
and the CLI (init's one-time admin password, user add/reset/disable, import --user enforcing the department)."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from core import auth
from core.catalogue import load_catalogue
from core.importer.model import ChangePlan, ImportResult, IndicatorRow, TaskRow
from core.settings import AuthSettings, SsoRule, load_settings
from core.spreadsheet_safety import neutralise, safe_csv_bytes, safe_xlsx_bytes
from db import imports, users
from db import models as m
from db.engine import session_scope
from tests.auth_fixtures import AGRI, MARKET, TEST_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2021, 1, 5, 8, 0, tzinfo=timezone.utc)


def audit_rows() -> list[tuple[str, str, str]]:
    with session_scope() as s:
        return [(a.user_name, a.action, a.detail) for a in s.exec(select(m.AuditLog).order_by(m.AuditLog.id)).all()]


# --- pure rules -------------------------------------------------------------------------------------


def test_password_hash_verifies_and_never_holds_the_password():
    h = auth.hash_password("Abcdef12345")
    assert h.startswith("$argon2id$") and "Abcdef12345" not in h
    assert auth.verify_password(h, "Abcdef12345") and not auth.verify_password(h, "Abcdef12346")
    assert not auth.verify_password("", "x") and not auth.verify_password("not-a-hash", "x")
    assert auth.password_problem("short1") == "密码至少 10 位"
    assert auth.password_problem("onlyletterss") and auth.password_problem("1234567890")
    generated = {auth.generate_password() for _ in range(20)}
    assert len(generated) == 20 and all(auth.password_problem(p) is None for p in generated)


def test_lockout_after_max_failures_and_expiry():
    s = AuthSettings(max_failed_logins=3, lockout_minutes=10, session_hours=2)
    assert auth.after_failure(0, NOW, s) == (1, None)
    assert auth.after_failure(1, NOW, s) == (2, None)
    attempts, until = auth.after_failure(2, NOW, s)
    assert attempts == 3 and until == NOW + timedelta(minutes=10)
    assert auth.is_locked(until, NOW + timedelta(minutes=9)) and not auth.is_locked(until, NOW + timedelta(minutes=10))
    expires = auth.session_expiry(NOW, s)
    assert not auth.is_expired(expires, NOW + timedelta(hours=1, minutes=59))
    assert auth.is_expired(expires, NOW + timedelta(hours=2))


def _agri_result() -> ImportResult:
    cat = load_catalogue()
    market_target = next(t.id for t in cat.targets if t.lead_department == MARKET)
    foreign_task = next(t.id for t in cat.tasks if AGRI != t.lead_department and AGRI not in t.participants)
    return ImportResult("x.xlsx", "s", indicators=[
        IndicatorRow("T30", None, "2020Q4", 32.0, "", "", "指标进展", 3),
        IndicatorRow(market_target, None, "2020Q4", 1.0, "", "", "指标进展", 4),
    ], tasks=[
        TaskRow(1, AGRI, "2020Q4", "推进中", 50.0, "", "", "", "任务进展", 3),
        TaskRow(foreign_task, AGRI, "2020Q4", "推进中", 50.0, "", "", "", "任务进展", 4),
        TaskRow(1, MARKET, "2020Q4", "推进中", 50.0, "", "", "", "任务进展", 5),
    ], rows_read=5, department=AGRI, period="2020Q4")


def test_reporter_may_write_only_its_own_targets_and_tasks():
    cat = load_catalogue()
    reporter = auth.Identity("n", auth.REPORTER, AGRI)
    scope = auth.write_scope(reporter, cat)
    assert scope.target_ids == {"T02", "T30"} and scope.task_ids == {1, 8, 14, 19, 20}
    problems = auth.permission_problems(_agri_result(), reporter, cat)
    assert [(p.sheet, p.cell, p.row) for p in problems] == [
        ("指标进展", "A4", 4), ("任务进展", "A4", 4), ("任务进展", "C5", 5)]
    assert all(p.message and p.fix for p in problems)
    assert "市市场监管局" in problems[0].message
    # The office writes everything; a viewer nothing; a file declaring another department is blocked whole.
    assert auth.write_scope(auth.Identity("a", auth.ADMIN), cat) is None
    assert auth.permission_problems(_agri_result(), auth.Identity("a", auth.ADMIN), cat) == []
    viewer = auth.permission_problems(_agri_result(), auth.Identity("v", auth.VIEWER), cat)
    assert len([p for p in viewer if p.row is not None]) == 5
    other = auth.permission_problems(_agri_result(), auth.Identity("s", auth.REPORTER, MARKET), cat)
    assert other[0].row is None and other[0].sheet == "说明" and "市农业农村局" in other[0].message


def test_a_target_assigned_to_a_participant_is_reported_by_it_and_still_by_its_lead():
    """基期与责任备案 may give T47 (lead 市政务服务数据管理局) to 市卫生健康局: scoring charges it, so it may report it."""
    cat = load_catalogue()
    health, data = "市卫生健康局", "市政务服务数据管理局"
    assigned = {"T47": health}
    assert auth.may_report_target("T47", data, health, assigned) and auth.may_report_target("T47", data, data, assigned)
    assert not auth.may_report_target("T47", data, health, {}) and not auth.may_report_target("T47", data, None, assigned)
    assert "T47" in auth.write_scope(auth.Identity("w", auth.REPORTER, health), cat, assigned).target_ids
    assert "T47" not in auth.write_scope(auth.Identity("w", auth.REPORTER, health), cat).target_ids
    assert "T47" in auth.write_scope(auth.Identity("z", auth.REPORTER, data), cat, assigned).target_ids
    result = ImportResult("f.xlsx", "x", indicators=[IndicatorRow("T01", None, "2020Q4", 96.0, "", "", "指标进展", 3),
                                                      IndicatorRow("T47", None, "2020Q4", 15.0, "", "", "指标进展", 4)])
    problems = auth.permission_problems(result, auth.Identity("w", auth.REPORTER, health), cat, assigned)
    assert [(p.cell, p.value) for p in problems] == [("A3", "T01")]
    other = auth.permission_problems(result, auth.Identity("m", auth.REPORTER, MARKET), cat, assigned)
    assert other[-1].message == "指标 T47 由“市政务服务数据管理局”牵头、由“市卫生健康局”负责，您的部门不能报送"


def test_roles_decide_pages():
    s_open, s_closed = AuthSettings(), AuthSettings(require_login_for_viewing=True)
    admin, rep, viewer = (auth.Identity("a", auth.ADMIN), auth.Identity("r", auth.REPORTER, AGRI),
                          auth.Identity("v", auth.VIEWER))
    assert [auth.may_upload(i) for i in (None, admin, rep, viewer)] == [False, True, True, False]
    assert [auth.may_administer(i) for i in (None, admin, rep, viewer)] == [False, True, False, False]
    assert auth.may_view(None, s_open) and not auth.may_view(None, s_closed) and auth.may_view(viewer, s_closed)
    cat = load_catalogue()
    assert auth.role_problem(auth.REPORTER, None, cat) == "填报员必须指定所属部门"
    assert "不在计划目录" in auth.role_problem(auth.REPORTER, "外星局", cat)
    assert auth.role_problem("超级用户", None, cat) and auth.role_problem(auth.REPORTER, AGRI, cat) is None


def test_sso_mapping_by_email_domain_and_claim():
    rules = (SsoRule(role=auth.ADMIN, email="Boss@dcb.example"),
             SsoRule(role=auth.REPORTER, department=AGRI, domain="nync.example"),
             SsoRule(role=auth.REPORTER, department=MARKET, claim="groups", value="scjg"))
    assert auth.sso_identity({"email": "boss@dcb.example", "name": "主任"}, rules, "") == \
        auth.Identity("boss@dcb.example", auth.ADMIN, None, "主任", "sso")
    assert auth.sso_identity({"email": "li@nync.example"}, rules, "").department == AGRI
    assert auth.sso_identity({"email": "x@y.example", "groups": ["a", "scjg"]}, rules, "").department == MARKET
    assert auth.sso_identity({"email": "x@y.example"}, rules, "") is None  # unmapped: refused
    assert auth.sso_identity({"email": "x@y.example"}, rules, auth.VIEWER).role == auth.VIEWER
    assert auth.sso_identity({"email": "x@y.example"}, rules, auth.REPORTER) is None  # no department to give
    assert auth.sso_identity({}, rules, auth.VIEWER) is None


def test_settings_read_auth_section_and_default_without_it(tmp_path):
    real = load_settings().auth
    assert (real.require_login_for_viewing, real.max_failed_logins, real.lockout_minutes, real.session_hours) == \
        (False, 5, 15, 8)
    text = (ROOT / "data/settings.toml").read_text(encoding="utf-8")
    old = tmp_path / "settings.toml"
    old.write_text(text[:text.index("[auth]")], encoding="utf-8")
    assert load_settings(old).auth == AuthSettings()
    custom = tmp_path / "custom.toml"
    custom.write_text(text.replace("max_failed_logins = 5", "max_failed_logins = 2") +
                      '\n[[auth.sso.rules]]\ndomain = "a.example"\nrole = "浏览"\n', encoding="utf-8")
    got = load_settings(custom).auth
    assert got.max_failed_logins == 2 and got.sso_rules == (SsoRule(role="浏览", domain="a.example"),)


@pytest.mark.parametrize("value, shown", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("正常文字", "正常文字"), (12, 12), ("a=b", "a=b"),
])
def test_formula_like_cells_are_neutralised(value, shown):
    assert neutralise(value) == shown


def test_csv_and_excel_exports_carry_no_live_formula():
    df = pd.DataFrame({"用户": ["=cmd|' /C calc'!A0", "张三"], "内容": ["@SUM(1+1)", "-1"], "n": [1, 2]})
    rows = list(csv.reader(io.StringIO(safe_csv_bytes(df).decode("utf-8-sig"))))
    assert rows[1][:2] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)"] and rows[2] == ["张三", "'-1", "2"]
    ws = openpyxl.load_workbook(io.BytesIO(safe_xlsx_bytes(df, "日志")))["日志"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert ws["A2"].value == "'=cmd|' /C calc'!A0" and ws["C3"].value == 2


# --- accounts in the database -----------------------------------------------------------------------


def test_login_counts_failures_locks_and_audits_without_password(fresh_db, capsys, caplog):
    make_user("nong", auth.REPORTER, AGRI)
    s = AuthSettings(max_failed_logins=3, lockout_minutes=15)
    wrong = "Wrong-Password-77"
    for _ in range(2):
        assert users.login("nong", wrong, s, NOW).message == users.WRONG
    locked = users.login("nong", wrong, s, NOW)
    assert locked.identity is None and locked.message == users.WRONG  # one answer for every refusal
    # Locked: even the right password is refused until the lock runs out.
    assert users.login("nong", TEST_PASSWORD, s, NOW + timedelta(minutes=14)).identity is None
    ok = users.login("nong", TEST_PASSWORD, s, NOW + timedelta(minutes=15))
    assert ok.identity == auth.Identity("nong", auth.REPORTER, AGRI, "nong", "local") and ok.token
    assert ok.identity.session_digest == auth.token_digest(ok.token)
    # Unknown users get the same words as a wrong password (no probing for account names).
    assert users.login("nobody", wrong, s, NOW).message == users.WRONG
    actions = [a for _, a, _ in audit_rows()]
    assert actions == ["user_add", "login_failed", "login_failed", "login_failed", "lockout", "login_failed",
                       "login", "login_failed"]
    everything = json.dumps(audit_rows(), ensure_ascii=False) + capsys.readouterr().out + caplog.text
    assert wrong not in everything and TEST_PASSWORD not in everything and ok.token not in everything
    with session_scope() as session:
        stored = session.exec(select(m.User.password_hash)).all() + session.exec(select(m.UserSession.token_digest)).all()
    assert TEST_PASSWORD not in " ".join(stored) and ok.token not in " ".join(stored)


def test_session_token_survives_until_expiry_disable_or_logout(fresh_db):
    make_user("nong", auth.REPORTER, AGRI)
    s = AuthSettings(session_hours=8)
    token = users.login("nong", TEST_PASSWORD, s, NOW).token
    assert users.session_identity(token, NOW + timedelta(hours=7)).username == "nong"
    assert users.session_identity(token, NOW + timedelta(hours=8)) is None  # expired (and removed)
    assert users.session_identity(token, NOW + timedelta(hours=1)) is None
    token = users.login("nong", TEST_PASSWORD, s, NOW).token
    users.logout(token, "nong")
    assert users.session_identity(token, NOW) is None
    token = users.login("nong", TEST_PASSWORD, s, NOW).token
    make_user("boss", auth.ADMIN)
    users.set_active("nong", False, by="boss")
    assert users.session_identity(token, NOW) is None
    assert users.login("nong", TEST_PASSWORD, s, NOW).message == users.WRONG  # same words as a wrong password
    assert users.session_identity("forged-token") is None and users.session_identity(None) is None


def test_account_changes_are_checked_and_audited(fresh_db):
    make_user("boss", auth.ADMIN)
    with pytest.raises(users.UserError, match="已存在"):
        make_user("boss", auth.ADMIN)
    with pytest.raises(users.UserError, match="所属部门"):
        make_user("x", auth.REPORTER, None)
    with pytest.raises(users.UserError, match="至少 10 位"):
        users.add_user("y", "short", auth.VIEWER, by="boss")
    with pytest.raises(users.UserError, match="最后一个管理员"):
        users.set_active("boss", False, by="boss")
    make_user("nong", auth.REPORTER, AGRI)
    users.login("nong", "Wrong-Password-77", AuthSettings(max_failed_logins=1))
    users.reset_password("nong", "Neues-Passwort-1", by="boss")  # lifts the lock
    assert users.login("nong", "Neues-Passwort-1").identity is not None
    log = [(u, a, json.loads(d)) for u, a, d in audit_rows()]
    assert ("boss", "user_reset", {"username": "nong"}) in log
    assert ("测试", "user_add", {"username": "nong", "role": auth.REPORTER, "department": AGRI}) in log
    assert "Neues-Passwort-1" not in json.dumps(log, ensure_ascii=False)


def test_commit_refuses_rows_outside_the_department_scope(fresh_db):
    result = _agri_result()
    plan = ChangePlan(indicators_to_write=result.indicators, tasks_to_write=result.tasks)
    scope = auth.write_scope(auth.Identity("n", auth.REPORTER, AGRI), load_catalogue())
    with pytest.raises(imports.CommitRefused, match="无权报送"):
        imports.commit_import(result, plan, user="n", source="upload", file_bytes=b"x", mime="", department=None,
                              period=None, state="pending", scope=scope)
    with session_scope() as s:
        assert s.exec(select(m.Submission)).all() == []


# --- CLI --------------------------------------------------------------------------------------------


def cli(var: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={"ZJ_VAR_DIR": str(var), "PATH": "/usr/bin:/bin", **env})


def test_init_prints_admin_password_once_and_cli_user_commands(tmp_path):
    var = tmp_path / "var"
    first = cli(var, "init")
    assert first.returncode == 0, first.stderr
    # The random first password goes to a file only its owner reads, never to the terminal.
    secret = var / "initial-admin-password.txt"
    password = secret.read_text(encoding="utf-8").split("初始密码：", 1)[1].split("\n", 1)[0].strip()
    assert "已创建管理员账号“admin”" in first.stdout and auth.password_problem(password) is None
    assert password not in first.stdout + first.stderr and secret.stat().st_mode & 0o777 == 0o600
    again = cli(var, "init")
    assert "管理员" not in again.stdout and password not in again.stdout
    db = var / "dashboard.sqlite3"
    with sqlite3.connect(db) as conn:
        h, = conn.execute("select password_hash from app_user where username = 'admin'").fetchone()
        assert auth.verify_password(h, password)
        assert password not in json.dumps(conn.execute("select * from auditlog").fetchall(), ensure_ascii=False)

    r = cli(var, "user", "add", "nong", "--department", AGRI, ZJ_NEW_PASSWORD="Nong-Passwort-1")
    assert r.returncode == 0 and "Nong-Passwort-1" not in r.stdout + r.stderr
    assert cli(var, "user", "add", "bad", ZJ_NEW_PASSWORD="Nong-Passwort-1").returncode == 1  # 填报员 without dept
    assert cli(var, "user", "reset", "nong", ZJ_NEW_PASSWORD="Other-Passwort-2").returncode == 0
    assert cli(var, "user", "disable", "nong").returncode == 0
    listing = cli(var, "user", "list").stdout.splitlines()
    assert listing == ["admin\t管理员\t\t启用", f"nong\t填报员\t{AGRI}\t停用"]
    with sqlite3.connect(db) as conn:
        actions = [a for a, in conn.execute("select action from auditlog order by id")]
    assert actions == ["user_add", "user_add", "user_reset", "user_disable"]


def test_init_takes_admin_password_from_environment_without_printing_it(tmp_path):
    r = cli(tmp_path / "var", "init", ZJ_ADMIN_PASSWORD="Env-Admin-Pass-9")
    assert "ZJ_ADMIN_PASSWORD" in r.stdout and "Env-Admin-Pass-9" not in r.stdout + r.stderr
    with sqlite3.connect(tmp_path / "var" / "dashboard.sqlite3") as conn:
        h, = conn.execute("select password_hash from app_user").fetchone()
    assert auth.verify_password(h, "Env-Admin-Pass-9")


def _market_file(tmp_path: Path) -> Path:
    from tests.test_page_upload import filled_template

    path = tmp_path / "市场监管局.xlsx"
    path.write_bytes(filled_template({"T23": 263}, department=MARKET))
    return path


def test_cli_import_enforces_the_users_department(tmp_path):
    var = tmp_path / "var"
    assert cli(var, "init", ZJ_ADMIN_PASSWORD="Env-Admin-Pass-9").returncode == 0
    cli(var, "user", "add", "nong", "--department", AGRI, ZJ_NEW_PASSWORD="Nong-Passwort-1")
    cli(var, "user", "add", "kan", "--role", "浏览", ZJ_NEW_PASSWORD="Kan-Passwort-1")
    # The template's period closed by itself long ago: the office reopens it (报告期关闭 is tested elsewhere).
    assert cli(var, "period", "open", "2020Q4", "--user", "admin").returncode == 0
    market = _market_file(tmp_path)
    db = var / "dashboard.sqlite3"

    def submissions():
        with sqlite3.connect(db) as conn:
            return conn.execute("select user_name, state from submission").fetchall()

    unknown = cli(var, "import", str(market), "--user", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
    assert cli(var, "import", str(market), "--user", "kan").returncode == 2  # read-only account
    other = cli(var, "import", str(market), "--user", "nong")
    assert other.returncode == 1
    errors = json.loads(other.stdout)["errors"]
    assert errors[0]["sheet"] == "说明" and "市市场监管局" in errors[0]["message"]
    assert submissions() == []
    done = cli(var, "import", str(market), "--user", "admin")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["state"] == "committed" and submissions() == [("admin", "committed")]
