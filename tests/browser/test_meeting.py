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


def _screen_fits(page) -> bool:
    """Nothing to scroll: the slide and its navigation are one screen."""
    return page.evaluate("() => document.scrollingElement.scrollHeight <= window.innerHeight + 1")


def _fills_height(page, locator, share: float) -> bool:
    """The element reaches down to `share` of the screen height (charts are not drawn at a fixed pixel height)."""
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] >= share * page.viewport_size["height"]


def _nav_on_screen(page) -> None:
    assert _fits(page, page.get_by_role("button", name="上一页"))
    assert _fits(page, page.get_by_role("button", name="下一页"))
    assert _screen_fits(page)


def _turn(page, key: str, number: int) -> None:
    page.keyboard.press(key)
    page.get_by_text(f"第 {number} / ", exact=False).first.wait_for(state="visible", timeout=60_000)
    _idle(page)


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
    _nav_on_screen(page)

    page.keyboard.press("ArrowRight")
    page.get_by_text("第 2 / ", exact=False).first.wait_for(state="visible", timeout=60_000)
    _idle(page)
    title = page.locator(".mt-title").first
    assert title.inner_text().startswith("总体情况")
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.last.wait_for(state="visible", timeout=30_000)
    assert charts.count() == 2 and charts.first.is_visible()
    # The whole slide, charts and the page buttons, is on screen without scrolling, and the charts use the
    # screen's height (at a fixed 300 px they ended at 44% of a 1080 px screen, 59% of a 720 px one).
    assert _fits(page, charts.first) and _fits(page, charts.last)
    assert _fills_height(page, charts.first, 0.75) and _fills_height(page, charts.last, 0.75)
    assert charts.first.bounding_box()["height"] >= 0.5 * height
    _nav_on_screen(page)
    font_px = float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert font_px >= 0.045 * height  # large type that grows with the screen
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"meeting_{width}x{height}.png"))

    page.get_by_role("button", name="下一页").click()
    page.get_by_text("第 3 / ", exact=False).first.wait_for(state="visible", timeout=60_000)
    _idle(page)
    assert page.locator(".mt-title").first.inner_text().startswith("红色清单")
    assert _fits(page, page.locator("table.mt-table"))
    _nav_on_screen(page)

    number = 4  # 2020Q4's red list continues on pages of 8, each on screen whole, until the ranking
    while True:
        _turn(page, "ArrowRight", number)
        heading = page.locator(".mt-title").first.inner_text()
        if not heading.startswith("红色清单（续）"):
            break
        assert _fits(page, page.locator("table.mt-table"))
        number += 1
        assert number < 20, "the red list never ends"
    assert number >= 7 and heading.startswith("部门排名")  # 2020Q4 has more than 32 red items
    assert charts.count() == 2 and _fits(page, charts.last) and _fills_height(page, charts.last, 0.75)
    _nav_on_screen(page)
    _turn(page, "ArrowRight", number + 1)
    assert page.locator(".mt-title").first.inner_text().startswith("区县情况")
    charts.first.locator("svg").wait_for(state="visible", timeout=30_000)
    assert charts.count() == 1 and _fits(page, charts.first) and _fills_height(page, charts.first, 0.75)
    # The map itself, not only its frame, grows with the screen.
    shapes = charts.first.locator("svg g.mark-shape").first.bounding_box()
    assert shapes is not None and shapes["height"] >= 0.55 * height
    _nav_on_screen(page)
    page.screenshot(path=str(ARTIFACTS / f"meeting_map_{width}x{height}.png"))
    _turn(page, "ArrowLeft", number)  # back to the ranking
    assert page.external_requests == []
