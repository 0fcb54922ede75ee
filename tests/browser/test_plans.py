"""Two plans in a real browser: the sidebar selector switches the plan, the address carries ?plan= (so a
bookmark or a shared link opens the same plan), and a page switch keeps it; nothing loads from outside."""
from __future__ import annotations

import re

from tests.browser.conftest import serve_app, wait_for_app
from tests.support.plans import SECOND, SECOND_NAME, plans_folder

SECOND_LABEL = "质量提升后续方案（测试）（2021Q1–2025Q4）"


def test_choosing_the_second_plan_puts_it_in_the_address_and_page_switches_keep_it(page, tmp_path, monkeypatch):
    monkeypatch.setenv("ZJ_PLANS_DIR", str(plans_folder(tmp_path / "plans")))
    var = tmp_path / "var"
    var.mkdir()
    with serve_app(var) as url:
        page.goto(url + "/")
        wait_for_app(page, "总览")
        page.wait_for_url(re.compile(r"\?(.*&)?plan=2018-2020"))
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.locator("[data-testid='stSelectbox']").filter(has_text="方案").locator("input").click()
        page.get_by_role("option", name=SECOND_LABEL).click()
        page.wait_for_url(re.compile(rf"\?(.*&)?plan={SECOND}"))
        page.get_by_text(f"方案：《{SECOND_NAME}》").first.wait_for(state="visible")

        sidebar.get_by_role("link", name="目标指标").click()
        page.wait_for_url(re.compile(rf"/targets\?(.*&)?plan={SECOND}"))
        wait_for_app(page, "目标指标")
        assert page.get_by_text(f"方案：《{SECOND_NAME}》").first.is_visible()
        assert f"plan={SECOND}" in page.url

        page.goto(url + f"/tasks?plan={SECOND}")  # a bookmark opens the same plan in a new session
        wait_for_app(page, "任务台账")
        assert page.get_by_text(f"方案：《{SECOND_NAME}》").first.is_visible()
    assert page.external_requests == []
