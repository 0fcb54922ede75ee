"""The 总览 cockpit in Chromium: Chinese text, the red list, both URLs, nothing leaves 127.0.0.1."""
import pytest

from tests.browser.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.browser


def test_cockpit_renders_with_red_list_offline(live_app, page):
    page.goto(f"{live_app}/")
    wait_for_app(page, "红色清单")
    assert page.get_by_role("heading", name="总览").first.is_visible()
    assert page.get_by_text("指标状态（共 52 个）").first.is_visible()
    assert page.get_by_text("报送情况").first.is_visible()
    red = page.locator('[data-testid="stDataFrame"]').first
    red.scroll_into_view_if_needed()
    assert red.is_visible()
    # Charts drew (Vega canvases or SVGs) and the period picker is in the sidebar.
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    assert page.locator('[data-testid="stSidebar"]').get_by_text("报告期").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    assert page.external_requests == []


def test_overview_path_serves_the_same_cockpit(live_app, page):
    page.goto(f"{live_app}/overview")
    wait_for_app(page, "红色清单")
    assert page.get_by_role("heading", name="总览").first.is_visible()
    assert page.get_by_text("Page not found").count() == 0
    assert page.external_requests == []


def test_tasks_page_opens_detail_from_url(live_app, page):
    page.goto(f"{live_app}/tasks?task=4")
    wait_for_app(page, "任务详情")
    assert page.get_by_role("heading", name="任务台账").first.is_visible()
    assert page.get_by_text("累计完成投资420亿元以上").first.is_visible()
    assert page.locator('[data-testid="stSidebar"]').get_by_text("报告期").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tasks.png"), full_page=True)
    assert page.external_requests == []


def test_status_bars_label_every_status(live_app, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_app}/")
    wait_for_app(page, "红色清单")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = chart.bounding_box()
    assert box and box["height"] >= 200, box  # six statuses, each with its own readable row
    page.screenshot(path=str(ARTIFACTS / "overview_counts.png"))
