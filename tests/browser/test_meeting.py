"""会议模式 in Chromium: the slide alone fills a projector screen at 1920×1080 and 1280×720, keys turn pages,
nothing leaves the intranet."""
import pytest

from tests.browser.conftest import ARTIFACTS, wait_for_app

pytestmark = pytest.mark.browser


def _idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(800)


def _fits(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] + box["width"] <= size["width"]


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_presenting_shows_only_the_slide(live_app, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_app}/meeting")
    wait_for_app(page, "会议模式", timeout=90_000)
    page.get_by_role("button", name="开始放映").click()
    page.get_by_text("第 1 / ", exact=False).first.wait_for(state="visible", timeout=60_000)
    _idle(page)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert not page.locator("[data-testid='stHeader']").is_visible()
    assert page.get_by_text("湛江市质量提升行动督查会议").first.is_visible()

    page.keyboard.press("ArrowRight")
    page.get_by_text("第 2 / ", exact=False).first.wait_for(state="visible", timeout=60_000)
    _idle(page)
    title = page.locator(".mt-title").first
    assert title.inner_text().startswith("总体情况")
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.last.wait_for(state="visible", timeout=30_000)
    assert charts.count() == 2 and charts.first.is_visible()
    # The whole slide, charts and the page buttons, is on screen without scrolling.
    assert _fits(page, charts.last)
    assert _fits(page, page.get_by_role("button", name="下一页"))
    font_px = float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert font_px >= 0.045 * height  # large type that grows with the screen
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"meeting_{width}x{height}.png"))

    page.get_by_role("button", name="下一页").click()
    page.get_by_text("第 3 / ", exact=False).first.wait_for(state="visible", timeout=60_000)
    _idle(page)
    assert page.locator(".mt-title").first.inner_text().startswith("红色清单")
    assert _fits(page, page.locator("table.mt-table"))
    page.keyboard.press("ArrowLeft")
    page.get_by_text("第 2 / ", exact=False).first.wait_for(state="visible", timeout=60_000)
    assert page.external_requests == []
