"""区县地图 in Chromium: the polygons draw from our GeoJSON alone, a click opens 廉江市's panel,
and nothing is requested outside 127.0.0.1 (no tiles, no map style, no fonts)."""
import io
import math

import pytest
from PIL import Image

from core.district_geo import bounds, label_points, load_geojson
from tests.browser.conftest import ARTIFACTS, wait_for_app

DECK = "[data-testid='stDeckGlJsonChart']"


def _distinct_colors(png: bytes) -> int:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return len(img.getcolors(maxcolors=1 << 22))


def _pixel_of(lon: float, lat: float, box: dict, view: tuple[float, float, float]) -> tuple[float, float]:
    """Where deck.gl's MapView puts lon/lat inside the canvas (512 px world at zoom 0)."""
    lon0, lat0, zoom = view
    scale = 512 * 2 ** zoom

    def merc(la):
        return math.log(math.tan(math.pi / 4 + math.radians(la) / 2))

    x = box["width"] / 2 + (lon - lon0) / 360 * scale
    y = box["height"] / 2 - (merc(lat) - merc(lat0)) / (2 * math.pi) * scale
    return x, y


@pytest.mark.browser
def test_district_map_draws_offline_with_chinese_tooltip_and_panel(live_app, page):
    page.goto(f"{live_app}/districts")
    wait_for_app(page, "区县排名")
    page.wait_for_selector(f"{DECK} canvas", timeout=60_000)
    page.wait_for_timeout(2500)  # deck.gl draws after its first animation frame
    deck = page.locator(DECK).first
    shot = deck.screenshot()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "districts-map.png").write_bytes(shot)
    assert _distinct_colors(shot) > 20, "the map canvas is blank: polygons did not draw"

    from components.maps import MAP_HEIGHT, MAP_WIDTH_GUESS
    from core.district_geo import fit_view

    box = page.evaluate(f"""() => {{ const r = document.querySelector("{DECK} canvas").getBoundingClientRect();
                                      return {{x: r.x, y: r.y, width: r.width, height: r.height}}; }}""")
    geo = load_geojson()
    view = fit_view(bounds(geo), MAP_WIDTH_GUESS, MAP_HEIGHT)
    lj = label_points(geo).set_index("name").loc["廉江市"]
    # A little south-west of the label, so the pointer rests on the polygon rather than on text or a place.
    x, y = _pixel_of(lj["lon"] - 0.05, lj["lat"] - 0.05, box, view)
    page.mouse.move(box["x"] + x - 4, box["y"] + y - 4)
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert "廉江市" in tooltip.inner_text() and "状态：" in tooltip.inner_text()

    page.locator("[data-testid='stSelectbox']").filter(has_text="选择区县").locator("input").click()
    page.get_by_role("option", name="廉江市").click()
    page.get_by_role("heading", name="廉江市（").first.wait_for(state="visible", timeout=30_000)
    # The tables are canvas data grids; their headings are DOM text.
    page.get_by_text("涉及廉江市的工作任务（3）").first.wait_for(state="visible", timeout=30_000)
    page.get_by_text("园区与平台（4，位置为示意）").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "districts-lianjiang.png"), full_page=True)
    assert page.external_requests == []
