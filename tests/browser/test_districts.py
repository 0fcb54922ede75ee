"""区县地图 in Chromium: the polygons draw from our GeoJSON alone, a click opens 廉江市's panel,
and nothing is requested outside 127.0.0.1 (no tiles, no map style, no fonts)."""
import io
import math
import re

import pandas as pd
import pytest
from PIL import Image

from core.district_geo import boundaries, bounds, label_points, load_geojson, simplified
from core.label_layout import unlabelled_note
from core.paths import PLAN_DIR
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
    frames: list[bytes] = []  # what the server sends over the websocket, the deck's JSON among it
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: isinstance(p, bytes) and frames.append(p)))
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

    _check_place_labels(page, frames)

    page.locator("[data-testid='stSelectbox']").filter(has_text="选择区县").locator("input").click()
    page.get_by_role("option", name="廉江市").click()
    page.get_by_role("heading", name="廉江市（").first.wait_for(state="visible", timeout=30_000)
    # The tables are canvas data grids; their headings are DOM text.
    page.get_by_text("涉及廉江市的工作任务（3）").first.wait_for(state="visible", timeout=30_000)
    page.get_by_text("园区与平台（4，位置为示意）").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "districts-lianjiang.png"), full_page=True)
    assert page.external_requests == []


# A row of the place-names layer as components.maps.CompactDeck writes it (sorted keys, no spaces).
LABEL_ROW = re.compile(rb'\{"id":"(\w+)","label":"[^"]*","label_anchor":"(\w+)","label_offset":\[(-?\d+),(-?\d+)\]')


def _check_place_labels(page, frames: list[bytes]) -> None:
    """The page received the label layout computed for the first view (core.label_layout), row by row,
    and names the places left without text under the map."""
    from components.maps import MAP_HEIGHT, MAP_WIDTH_GUESS, first_view_labels, place_text_rows
    from core.district_geo import fit_view

    sent = [f for f in frames if b'"id":"place-names"' in f]
    assert sent, "no deck JSON with the place-names layer came over the websocket"
    assert b'"getPixelOffset":"@@=label_offset"' in sent[-1] and b'"getTextAnchor":"@@=label_anchor"' in sent[-1]
    rows = {m[0].decode(): (m[1].decode(), [int(m[2]), int(m[3])]) for m in LABEL_ROW.findall(sent[-1])}

    places = pd.read_csv(PLAN_DIR / "places.csv", dtype={"id": str})
    places["label"] = places["name"] + "（示意）"
    geo = simplified(boundaries(), digits=4)
    view = fit_view(bounds(geo), MAP_WIDTH_GUESS, MAP_HEIGHT)
    _, layout = first_view_labels(label_points(geo), places, view)
    shown, _ = place_text_rows(layout[layout["label_position"].notna()], view)
    assert rows == {r["id"]: (r["label_anchor"], r["label_offset"]) for r in shown.to_dict("records")}
    assert b'"id":"place-leaders"' in sent[-1]  # the labels moved out of the city centre hang on lines
    assert len({tuple(v[1]) for v in rows.values()}) > 1  # not one fixed offset for every label

    dropped = layout.loc[layout["label_position"].isna(), "name"].tolist()
    assert dropped, "the plan's places all fit: drop this check or the caption"
    note = page.get_by_text("地图上未标注名称的示意地点").first
    assert note.inner_text().strip() == unlabelled_note(dropped)
