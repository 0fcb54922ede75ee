"""A served app whose accounts the browser tests know: the admin password comes from ZJ_ADMIN_PASSWORD at init.

The shared live_app creates its admin with a random password nobody sees, so tests that log in use this one.
Test-only passwords for a throw-away database.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, serve_app, wait_for_app

ADMIN, ADMIN_PASSWORD = "admin", "Browser-Admin-Pass-1"
REPORTER, REPORTER_PASSWORD = "nong_tb", "Browser-Nong-Pass-1"


def demo_with_reporter(var, user: str, department: str, password: str, admin_password: str = ADMIN_PASSWORD) -> dict:
    """A demo database in `var` whose admin password and one 填报员 the tests know; the environment to serve
    it with."""
    env = {**os.environ, "ZJ_VAR_DIR": str(var), "ZJ_ADMIN_PASSWORD": admin_password}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "init", "--demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=180)
    subprocess.run([sys.executable, "manage.py", "user", "add", user, "--department", department], cwd=ROOT,
                   env={**env, "ZJ_NEW_PASSWORD": password}, check=True, capture_output=True, timeout=60)
    return env


@pytest.fixture(scope="session")
def auth_app(tmp_path_factory):
    var = tmp_path_factory.mktemp("browser_auth_var")
    demo_with_reporter(var, REPORTER, "市农业农村局", REPORTER_PASSWORD)
    with serve_app(var) as url:
        yield url


def log_in(page, base: str, username: str, password: str, path: str = "/upload") -> None:
    page.goto(f"{base}{path}")
    wait_for_app(page, "需要登录")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
