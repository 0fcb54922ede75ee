"""`manage.py serve` (service/asgi.py): the login cookie is set by the server, HttpOnly and SameSite=Strict, so page
scripts never see the token; it survives a reload; logout clears it; every HTTP response carries the security
headers. (A bare `streamlit run app.py` cannot do this: the script writes the cookie there, see docs/auth.md.)"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.auth_support import ADMIN, ADMIN_PASSWORD, log_in
from tests.browser.conftest import ROOT, wait_for_app
from tests.live_server import free_port, start_service, stop, wait_healthy


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    var = tmp_path_factory.mktemp("asgi_var")
    env = {**os.environ, "ZJ_VAR_DIR": str(var), "ZJ_ADMIN_PASSWORD": ADMIN_PASSWORD}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "init", "--demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=180)
    port = free_port()
    proc = start_service(port, env, var / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, seconds=120)
        yield url
    finally:
        stop(proc)


@pytest.mark.browser
def test_login_cookie_is_httponly_and_headers_are_sent(served, page):
    response = page.goto(f"{served}/upload")
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "SAMEORIGIN"
    assert "img-src 'self'" in headers["content-security-policy"] and headers["referrer-policy"] == "no-referrer"
    with page.expect_response("**/_zj/session") as exchange:
        log_in(page, served, ADMIN, ADMIN_PASSWORD)
    assert exchange.value.status == 204
    cookie = next(c for c in page.context.cookies() if c["name"] == "zj_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "zj_session" not in page.evaluate("document.cookie")  # no page script can read the token
    assert cookie["value"] not in page.content()  # nor find it in the page

    page.reload()
    wait_for_app(page, "进度填报")
    page.get_by_text("已登录：督查办管理员（管理员）").wait_for(state="visible")
    # A code is good once: replaying the exchange gets nothing.
    replay = page.request.post(f"{served}/_zj/session", data="not-a-code")
    assert replay.status == 403

    with page.expect_response("**/_zj/logout"):
        page.get_by_role("button", name="退出登录").click()
    assert not [c for c in page.context.cookies() if c["name"] == "zj_session"]
    page.reload()
    wait_for_app(page, "需要登录")
    assert page.get_by_text("已登录：").count() == 0
    assert page.external_requests == []
