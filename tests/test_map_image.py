"""The PNG export draws real Chinese glyphs, the legend colours and the districts."""
import dataclasses
import io

import pytest
from PIL import Image

from core import district_views as dv
from core.district_geo import load_geojson
from core.map_image import PNG_SIGNATURE, map_png
from services import districts as district_reads


@pytest.fixture
def status_map(demo_db):
    return dv.choropleth("status", district_reads.grid("2020Q2"), "2020Q2", "T02")


def _image(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_png_has_the_district_colours_and_is_not_blank(status_map):
    img = _image(map_png(load_geojson(), status_map, scale=1))
    assert img.width > 500 and img.height > 500
    colors = {rgb for _, rgb in img.getcolors(maxcolors=1 << 20)}
    assert len(colors) > 50
    for hex_color in set(status_map.frame["color"]):
        rgb = tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colors, f"district colour {hex_color} not drawn"


def test_png_title_renders_chinese_glyphs_not_boxes(status_map):
    # Without a CJK font both titles become the same row of boxes, and the images are identical.
    geo = load_geojson()
    a = _image(map_png(geo, dataclasses.replace(status_map, title="廉江市"), scale=1))
    b = _image(map_png(geo, dataclasses.replace(status_map, title="吴川市"), scale=1))
    assert a.size == b.size
    assert a.tobytes() != b.tobytes()
    title_band = (0, 0, a.width, 40)
    assert a.crop(title_band).tobytes() != b.crop(title_band).tobytes()


def test_source_line_names_only_what_is_drawn():
    from core.map_image import source_line

    assert "data/plans/2018-2020" not in source_line(False) and "橙色" not in source_line(False)
    assert "橙色圆点" in source_line(True)


def test_slide_map_calls_out_the_districts_too_small_for_their_names():
    from core.district_geo import label_points
    from core.map_image import _split_labels

    geo = load_geojson()
    names = label_points(geo).assign(text=lambda d: d["name"])
    inside, outside = _split_labels(geo, names, 420, 440, 22, values=False)
    assert {"廉江市", "雷州市", "徐闻县"} <= set(inside["name"])
    assert {"赤坎区", "霞山区"} <= set(outside["name"])  # the urban districts go to the callout column
    assert outside["to_lat"].is_monotonic_decreasing and (outside["to_lon"] > names["lon"].max()).all()
