"""Login in a real browser: it survives a reload (session cookie), logout ends it, repeated failures lock."""
from __future__ import annotations

import pytest

from tests.browser.auth_support import ADMIN, ADMIN_PASSWORD, REPORTER, REPORTER_PASSWORD, auth_app, log_in  # noqa: F401
from tests.browser.conftest import ARTIFACTS, wait_for_app


@pytest.mark.browser
def test_login_survives_reload_and_logout_ends_it(auth_app, page):
    log_in(page, auth_app, ADMIN, ADMIN_PASSWORD)
    page.get_by_text("已登录：督查办管理员（管理员）").wait_for(state="visible", timeout=30_000)
    page.get_by_role("tab", name="上传文件").wait_for(state="visible")
    page.wait_for_function("document.cookie.includes('zj_session=')")  # the inline script ran
    assert any(c["name"] == "zj_session" and c["sameSite"] == "Strict" for c in page.context.cookies())

    page.reload()
    wait_for_app(page, "进度填报")
    page.get_by_text("已登录：督查办管理员（管理员）").wait_for(state="visible")
    page.get_by_role("tab", name="上传文件").wait_for(state="visible")
    page.goto(f"{auth_app}/admin")  # a new page load: the cookie carries the login there too
    wait_for_app(page, "报送审核")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-logged-in.png"), full_page=True)

    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("管理页面需要登录").wait_for(state="visible")
    page.reload()
    wait_for_app(page, "管理页面需要登录")
    assert page.get_by_text("已登录：").count() == 0
    assert page.external_requests == []


@pytest.mark.browser
def test_repeated_wrong_passwords_lock_the_account(auth_app, page):
    log_in(page, auth_app, REPORTER, "Falsches-Passwort-9")
    page.get_by_text("登录失败").wait_for(state="visible")
    for _ in range(4):  # settings.toml [auth] max_failed_logins, all from this browser session
        _retry(page, REPORTER, "Falsches-Passwort-9")
    _retry(page, REPORTER, REPORTER_PASSWORD)  # the right password is refused while locked, with the same words
    page.get_by_text("登录失败：用户名或密码错误，或账号已停用、暂时锁定").wait_for(state="visible")
    page.reload()  # had the right password got in, its cookie would log this page in
    wait_for_app(page, "需要登录")
    assert page.get_by_text("已登录：").count() == 0
    assert page.external_requests == []


def _retry(page, username: str, password: str) -> None:
    # Same page, same browser session: the throttle's source when the server sees no client address.
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("登录失败").wait_for(state="visible")
