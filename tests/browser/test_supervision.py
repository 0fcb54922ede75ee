"""督办 in a real browser: the office issues 2020Q4's notices, a 填报员 sees them in 我的待办, signs and replies
with an attachment, the office verifies and closes; the notice shows all four timestamps; a second close and a
second bulk issue change nothing."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.browser.auth_support import demo_with_reporter, log_in
from tests.browser.conftest import ARTIFACTS, ROOT, serve_app, wait_for_app

ADMIN, ADMIN_PASSWORD = "admin", "Browser-Admin-Pass-2"
REPORTER, REPORTER_PASSWORD = "nong_sv", "Browser-Nong-Pass-2"  # not auth_support's: its tests lock that one
AGRI = "市农业农村局"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def sv_app(tmp_path_factory):
    var = tmp_path_factory.mktemp("browser_supervision_var")
    env = demo_with_reporter(var, REPORTER, AGRI, REPORTER_PASSWORD, ADMIN_PASSWORD)
    with serve_app(var) as url:
        yield url, env


def _cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "supervision", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _notices(env) -> list[dict]:
    out = _cli(env, "list", "--period", "2020Q4", "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _log_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("已登录：").wait_for(state="detached")


@pytest.mark.browser
def test_issue_sign_reply_verify_close(sv_app, page):
    url, env = sv_app
    before = {n["id"] for n in _notices(env)}

    # The office issues every 预警/滞后/逾期 item of 2020Q4, after the preview.
    log_in(page, url, ADMIN, ADMIN_PASSWORD, path="/supervision")
    wait_for_app(page, "督办单")
    page.get_by_role("tab", name="批量交办").click()
    page.get_by_text("将新交办").wait_for(state="visible")
    page.get_by_role("button", name="确认交办").click()
    page.get_by_text("已交办").first.wait_for(state="visible", timeout=60_000)
    issued = [n for n in _notices(env) if n["id"] not in before]
    assert issued and all(n["state"] == "待签收" for n in issued)
    mine = next(n for n in issued if n["department"] == AGRI and n["item"].startswith("T30"))
    page.get_by_role("tab", name="批量交办").click()
    page.get_by_text("将新交办 0 项").wait_for(state="visible")  # nothing left to issue
    again = _cli(env, "issue", "--period", "2020Q4", "--user", ADMIN)
    assert again.returncode == 0 and json.loads(again.stdout)["created"] == 0
    assert len(_notices(env)) == len(before) + len(issued)
    _log_out(page)

    # The department sees it in 我的待办 on 总览, signs and replies with an attachment.
    log_in(page, url, REPORTER, REPORTER_PASSWORD, path="/supervision")
    page.get_by_text("已登录：").wait_for(state="visible", timeout=30_000)
    page.wait_for_function("document.cookie.includes('zj_session=')")
    page.goto(f"{url}/")  # 总览: the login cookie carries over
    wait_for_app(page, "我的待办")
    page.get_by_text(mine["number"]).first.wait_for(state="visible")
    page.locator("[data-testid='stSidebar']").get_by_text("我的待办（").wait_for(state="visible")
    link = page.get_by_role("link", name=mine["number"]).first
    assert link.get_attribute("href").endswith(f"supervision?notice={mine['id']}")
    page.goto(f"{url}/supervision?notice={mine['id']}")  # Streamlit opens markdown links in a new tab
    wait_for_app(page, "督办要求")
    page.get_by_role("button", name="签收", exact=True).click()
    page.get_by_text("已签收，当前状态：办理中").wait_for(state="visible", timeout=30_000)
    page.get_by_label("办理情况").fill("已组织申报省级农业标准化示范区，附申报材料。")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        {"name": "申报材料.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_text("申报材料.pdf").first.wait_for(state="visible")
    page.get_by_role("button", name="提交反馈").click()
    page.get_by_text("已反馈，当前状态：待核验").wait_for(state="visible", timeout=30_000)
    _log_out(page)

    # The office verifies (the evidence is there to download) and closes.
    log_in(page, url, ADMIN, ADMIN_PASSWORD, path=f"/supervision?notice={mine['id']}")
    wait_for_app(page, "督办要求")
    download = page.get_by_role("button", name="下载 申报材料.pdf").first
    download.wait_for(state="visible")
    with page.expect_download() as dl:
        download.click()
    assert dl.value.suggested_filename == "申报材料.pdf"
    assert open(dl.value.path(), "rb").read() == PDF
    page.get_by_label("核验意见 / 退回理由").fill("材料齐全，核验通过")
    page.get_by_role("button", name="核验通过并销号").click()
    page.get_by_text("已销号，当前状态：已销号").wait_for(state="visible", timeout=30_000)
    for label in ("交办", "签收", "反馈", "销号"):
        exact = page.locator("[data-testid='stMetricLabel']", has_text=re.compile(f"^{label}$"))
        value = page.locator("[data-testid='stMetric']", has=exact).first.locator(
            "[data-testid='stMetricValue']").inner_text()
        assert value.startswith("20"), (label, value)  # a date, not —
    assert page.get_by_role("button", name="核验通过并销号").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "supervision-closed.png"), full_page=True)

    # A second close is refused and changes nothing.
    second = _cli(env, "close", str(mine["id"]), "--user", ADMIN)
    assert second.returncode == 1 and "不能重复销号" in second.stderr
    row = next(n for n in _notices(env) if n["id"] == mine["id"])
    assert row["state"] == "已销号" and all(row[k] for k in ("created", "acknowledged", "replied", "closed"))
    assert page.external_requests == []
