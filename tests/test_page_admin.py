"""AppTest of 管理 (/admin) and of who may open what: login required, reporters and viewers refused, the audit log
filtered and exported without live formulas, accounts managed from the page, SSO identities mapped to roles."""
from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from components import auth_login
from components.auth_audit import log_table
from core.settings import SsoRule, load_settings
from core.spreadsheet_safety import safe_csv_bytes
from core.user_text import md_text
from db import queries, users
from db.audit import audit_log
from tests.auth_fixtures import AGRI, accounts, run_as, token_for  # noqa: F401
from tests.conftest import ROOT
from tests.test_page_upload import texts

ADMIN_PAGE = "pages/admin.py"


def test_admin_page_requires_login(accounts):
    at = run_as(None, ADMIN_PAGE)
    assert not at.exception and "管理页面需要登录" in texts(at.info)
    assert not at.tabs and not at.dataframe


@pytest.mark.parametrize("who", ["agri", "viewer"])
def test_reporters_and_viewers_cannot_open_admin(accounts, who):
    at = run_as(token_for(accounts[who]), ADMIN_PAGE)
    assert not at.exception
    assert "无权使用管理页面" in texts(at.error)
    assert not at.tabs and not at.dataframe and not [b for b in at.button if b.key and b.key.startswith("au_rev")]


def test_viewer_cannot_open_upload(accounts):
    at = run_as(token_for(accounts["viewer"]), "pages/upload.py")
    assert "无权使用进度填报" in texts(at.error) and not at.get("file_uploader")


def test_audit_log_filters_and_exports_neutralised(accounts):
    users.login("=cmd|' /C calc'!A0", "whatever-123")  # an attacker's "user name" lands in the log
    at = run_as(token_for(accounts["admin"]), ADMIN_PAGE)
    assert not at.exception and [t.label for t in at.tabs] == ["报送审核", "审计日志", "用户管理", "基期与责任备案",
                                                               "报告期管理", "完成核验"]
    log = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert {"登录", "登录失败", "新增用户"} <= set(log["操作"])
    at.selectbox(key="au_log_action").select("登录失败").run()
    log = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert set(log["操作"]) == {"登录失败"} and "=cmd|' /C calc'!A0" in set(log["用户"])
    at.selectbox(key="au_log_user").select(accounts["admin"]).run()
    log = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert log.empty  # the office logged in successfully only
    assert {b.label for b in at.get("download_button")} >= {"导出 CSV", "导出 Excel"}
    # The export the page offers is made from the same table.
    rows = list(csv.reader(io.StringIO(safe_csv_bytes(log_table(audit_log(action="login_failed")))
                                       .decode("utf-8-sig"))))
    assert rows[0] == ["时间", "用户", "操作", "内容"]
    assert ["'=cmd|' /C calc'!A0"] == [r[1] for r in rows[1:] if "cmd" in r[1]]
    assert not [c for r in rows[1:] for c in r if c[:1] in "=+-@"]


def test_admin_adds_and_disables_a_user_from_the_page(accounts):
    at = run_as(token_for(accounts["admin"]), ADMIN_PAGE)
    at.text_input(key="au_usr_name").input("zhanjiang_ny2")
    at.selectbox(key="au_usr_role").select("填报员")
    at.selectbox(key="au_usr_dept").select(AGRI)
    at.text_input(key="au_usr_password").input("Neues-Konto-77")
    next(b for b in at.get("form_submit_button") if b.label == "新增").click().run()
    assert f"已新增用户“{md_text('zhanjiang_ny2')}”" in texts(at.success)  # the name shown as text, not markdown
    listed = users.users().set_index("username").loc["zhanjiang_ny2"]
    assert (listed["role"], listed["department"]) == ("填报员", AGRI)
    at.selectbox(key="au_usr_pick").select("zhanjiang_ny2").run()
    at.button(key="au_usr_disable").click().run()
    assert users.login("zhanjiang_ny2", "Neues-Konto-77").identity is None
    log = audit_log(user=accounts["admin"])
    assert set(log["action"]) >= {"user_add", "user_disable"}
    assert "Neues-Konto-77" not in " ".join(log["detail"])


def test_logout_from_sidebar_ends_the_session(accounts):
    token = token_for(accounts["admin"])
    at = run_as(token, ADMIN_PAGE)
    at.button(key="au_logout").click().run()
    assert "管理页面需要登录" in texts(at.info)
    assert users.session_identity(token) is None
    assert audit_log(user=accounts["admin"], action="logout").shape[0] == 1


def _with_auth(monkeypatch, **changes):
    s = load_settings()
    patched = dataclasses.replace(s, auth=dataclasses.replace(s.auth, **changes))
    monkeypatch.setattr(auth_login, "load_settings", lambda: patched)


def test_sso_identity_is_mapped_to_role_and_department(accounts, monkeypatch):
    _with_auth(monkeypatch, sso_rules=(SsoRule(role="填报员", department=AGRI, domain="nync.example"),))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "Li@nync.example", "name": "李四"}
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception
    assert f"当前账号：李四（填报员·{AGRI}）" in texts(at.caption)
    assert "无权使用管理页面" in texts(run_sso(at, ADMIN_PAGE).error)
    assert audit_log(user="li@nync.example", action="login").shape[0] == 1  # once, not per rerun

    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    other.user = {"is_logged_in": True, "email": "x@unknown.example"}
    other.run()
    other.switch_page("pages/upload.py")
    other.run()
    assert "进度填报需要登录" in texts(other.info)
    assert audit_log(user="x@unknown.example", action="login_failed").shape[0] == 1


def run_sso(at, page: str):
    at.switch_page(page)
    at.run()
    return at


def test_viewing_can_require_login(accounts, monkeypatch):
    _with_auth(monkeypatch, require_login_for_viewing=True)
    at = run_as(None, "pages/targets.py")
    assert "本看板需要登录后查看" in texts(at.info) and not at.title
    at = run_as(token_for(accounts["viewer"]), "pages/targets.py")
    assert at.title[0].value == "目标指标" and not at.exception
    _with_auth(monkeypatch, require_login_for_viewing=False)
    assert run_as(None, "pages/targets.py").title[0].value == "目标指标"
    assert queries.submissions().shape[0] > 0


def test_audit_log_filters_by_day_user_and_action(fresh_db):
    """The filters run as SQL on SQLite and PostgreSQL alike (tests/pg_support.py runs this file too)."""
    from datetime import date, datetime, timezone

    from db import models as m
    from db.audit import audit_log
    from db.engine import session_scope

    with session_scope() as s:
        s.add(m.AuditLog(at=datetime(2020, 7, 14, 16, 30, tzinfo=timezone.utc), user_name="甲", action="login"))
        s.add(m.AuditLog(at=datetime(2020, 7, 15, 3, 0, tzinfo=timezone.utc), user_name="乙", action="upload"))
    assert audit_log(since=date(2020, 7, 15), until=date(2020, 7, 15))["user_name"].tolist() == ["乙", "甲"]
    assert audit_log(user="甲")["action"].tolist() == ["login"]
    assert audit_log(action="upload", since=date(2020, 7, 16)).empty
    assert len(audit_log()) == 2
