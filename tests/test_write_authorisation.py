"""Authorisation at the write: db.users.assert_identity_valid re-checks the identity inside the transaction."""
from __future__ import annotations

import pytest

from core import auth
from db import users
from db.engine import session_scope
from tests.auth_fixtures import AGRI, MARKET, make_user, token_for


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
