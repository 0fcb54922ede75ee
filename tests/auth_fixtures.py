"""Accounts for tests: users made through db.users, and AppTests already logged in as one of them.

The passwords here are test-only values made up for these temporary databases.
"""
from __future__ import annotations

import pytest

from core import auth
from db import users
from tests.conftest import run_app

TEST_PASSWORD = "Prüf-Kennwort-2024"  # not a real secret: every test database is thrown away
AGRI = "市农业农村局"
MARKET = "市市场监管局"


def make_user(username: str, role: str = auth.REPORTER, department: str | None = None,
              password: str = TEST_PASSWORD) -> str:
    users.add_user(username, password, role, department, by="测试")
    return username


def token_for(username: str, password: str = TEST_PASSWORD) -> str:
    outcome = users.login(username, password)
    assert outcome.token, outcome.message
    return outcome.token


def run_as(token: str | None, page: str | None = None, **query):
    """An AppTest of app.py whose session holds this login token (None: not logged in)."""
    return run_app(page, session={"au_token": token} if token else None, **query)


@pytest.fixture
def accounts(demo_db):
    """On a copy of the demo database: an office admin, a 市农业农村局 reporter, a 市市场监管局 reporter, a viewer."""
    return {
        "admin": make_user("office", auth.ADMIN),
        "agri": make_user("nong_tb", auth.REPORTER, AGRI),
        "market": make_user("shij_tb", auth.REPORTER, MARKET),
        "viewer": make_user("kan", auth.VIEWER),
    }
