"""Authorisation at the write: db.users.assert_identity_valid re-checks the identity inside the transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from core import auth
from db import models as m
from db import users
from db.engine import session_scope
from tests.auth_fixtures import (
    AGRI,
    MARKET,
    accounts,  # noqa: F401  (fixture)
    make_user,
    token_for,
)


def _check(identity, **kw):
    with session_scope() as s:
        return users.assert_identity_valid(s, identity, **kw)


def test_identity_recheck_follows_session_account_role_and_department(fresh_db):
    make_user("boss", auth.ADMIN)
    make_user("nong", auth.REPORTER, AGRI)
    boss = users.session_identity(token_for("boss"))
    nong_token = token_for("nong")
    nong = users.session_identity(nong_token)
    assert boss.session_digest and _check(boss, roles=(auth.ADMIN,)).username == "boss"
    assert _check(nong, roles=(auth.ADMIN, auth.REPORTER), department=AGRI).username == "nong"
    with pytest.raises(users.NotAllowed, match="无权"):
        _check(nong, roles=(auth.ADMIN,))
    with pytest.raises(users.NotAllowed, match="不能为"):
        _check(nong, roles=(auth.REPORTER,), department=MARKET)
    with pytest.raises(users.NotAllowed, match="请先登录"):
        _check(None)
    users.logout(nong_token, "nong")  # the page still holds the old identity
    with pytest.raises(users.NotAllowed, match="登录已失效"):
        _check(nong)
    make_user("boss2", auth.ADMIN)
    users.set_active("boss", False, by="测试")
    with pytest.raises(users.NotAllowed, match="登录已失效"):
        _check(boss)
    # The CLI's identity has no session: the account alone decides.
    assert _check(users.user_identity("boss2"), roles=(auth.ADMIN,)).username == "boss2"


# --- 用户管理: a callback from a revoked session writes nothing -------------------------------------

ADMIN_PAGE = "pages/admin.py"


def _submit_new_user(at, name: str) -> None:
    at.text_input(key="au_usr_name").input(name)
    at.selectbox(key="au_usr_role").select(auth.ADMIN)
    at.text_input(key="au_usr_password").input("Neues-Konto-77")
    next(b for b in at.get("form_submit_button") if b.label == "新增").click().run()


def test_disabled_admin_cannot_create_an_account_from_an_open_form(accounts):  # noqa: F811
    from tests.auth_fixtures import run_as
    from tests.test_page_upload import texts

    make_user("second_admin", auth.ADMIN)
    at = run_as(token_for(accounts["admin"]), ADMIN_PAGE)  # the form is open in the admin's browser
    users.set_active(accounts["admin"], False, by="命令行")  # disabled from the CLI: its sessions deleted
    _submit_new_user(at, "backdoor")
    assert "backdoor" not in set(users.users()["username"])
    assert not [t for t in texts(at.success) if "已新增" in t]
    log = users_log()
    assert not [r for r in log if r[1] == "user_add" and "backdoor" in r[2]]


def test_revoked_session_cannot_reset_disable_or_enable(accounts):  # noqa: F811
    from tests.auth_fixtures import run_as

    at = run_as(token_for(accounts["admin"]), ADMIN_PAGE)
    at.selectbox(key="au_usr_pick").select(accounts["agri"]).run()
    at.text_input(key="au_usr_new_password").input("Gekapert-Konto-9")
    with session_scope() as s:  # the session is deleted (logged out elsewhere, password reset...)
        s.execute(delete(m.UserSession))
    at.button(key="au_usr_reset").click()
    at.button(key="au_usr_disable").click()
    at.run()  # both callbacks run before the page finds the login gone
    assert users.login(accounts["agri"], "Gekapert-Konto-9").identity is None
    assert users.user_identity(accounts["agri"]) is not None  # still enabled
    assert not [r for r in users_log() if r[1] in ("user_reset", "user_disable")]


def users_log():
    with session_scope() as s:
        return [(a.user_name, a.action, a.detail) for a in s.execute(select(m.AuditLog)).scalars()]


def test_user_admin_refuses_unbounded_text_before_any_write(fresh_db):
    make_user("boss", auth.ADMIN)
    boss = users.session_identity(token_for("boss"))
    before = len(users_log())
    for kwargs in ({"username": "x" * 4_000_000}, {"username": "ok_name", "display_name": "名" * 65}):
        with pytest.raises(users.UserError, match="过长"):
            users.add_user(kwargs["username"], "Gutes-Pass-1", auth.VIEWER, by=boss,
                           display_name=kwargs.get("display_name", ""))
    with pytest.raises(users.UserError, match="过长"):
        users.reset_password("boss", "Aa1" * 100, by=boss)
    assert len(users_log()) == before and set(users.users()["username"]) == {"boss"}


# --- clearing the server's caches -------------------------------------------------------------------


def test_only_an_admin_session_may_clear_the_servers_caches(accounts):  # noqa: F811
    import types

    import streamlit as st
    from streamlit.runtime.app_session import AppSession

    from components import cache_guard

    cache_guard.install()
    cache_guard.install()  # idempotent
    runs = []

    @st.cache_data
    def cached_read() -> int:
        runs.append(1)
        return len(runs)

    def clear_from(token):
        fake = types.SimpleNamespace(_session_state={"au_token": token} if token else {})
        AppSession._handle_clear_cache_request(fake)

    cached_read()
    for who in (None, "viewer", "agri"):
        clear_from(token_for(accounts[who]) if who else None)
        assert cached_read() == 1  # still cached: the message was ignored
    admin_token = token_for(accounts["admin"])
    users.logout(admin_token, accounts["admin"])
    clear_from(admin_token)  # a logged-out admin session is no admin
    assert cached_read() == 1
    clear_from(token_for(accounts["admin"]))
    assert cached_read() == 2  # cleared


# --- the login cookie's one-time codes ------------------------------------------------------------------


def test_session_exchange_codes_are_good_once_and_for_a_minute():
    from core import session_exchange

    code = session_exchange.issue("tok", 3600, now=100.0)
    assert session_exchange.redeem("wrong", now=100.0) is None
    assert session_exchange.redeem(code, now=101.0) == ("tok", 3600)
    assert session_exchange.redeem(code, now=101.0) is None  # once
    late = session_exchange.issue("tok", 3600, now=100.0)
    assert session_exchange.redeem(late, now=100.0 + session_exchange.CODE_SECONDS) is None  # expired
