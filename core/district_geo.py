"""The 9 district boundaries of data/geo/districts.geojson: loaded once, joined with a map's numbers.

Everything is drawn from this file alone; no tile server is ever asked for a background.
"""
from __future__ import annotations

import copy
import json
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

from core.paths import GEOJSON_FILE


@lru_cache(maxsize=2)
def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_geojson(path: Path = GEOJSON_FILE) -> dict:
    """A private copy of the FeatureCollection (callers add properties to it)."""
    return copy.deepcopy(_load(path))


def boundaries() -> dict:
    """The plan's FeatureCollection, shared by every caller in the process: read it, never change it.

    Pages draw it on every rerun; a private copy (load_geojson) costs a deep copy each time.
    """
    return _share(_load(GEOJSON_FILE))


def adcodes(geo: dict) -> set[str]:
    return {str(f["properties"]["adcode"]) for f in geo["features"]}


def without_boundary(units: pd.DataFrame, geo: dict) -> pd.DataFrame:
    """The units (rows of db.queries.districts) that have no outline in `geo`: listed, not drawn."""
    return units[~units["adcode"].astype(str).isin(adcodes(geo))]


def unmapped_note(names: list[str], shown: int = 12) -> str:
    """The sentence under the map naming the units it cannot draw (the first `shown` of them)."""
    listed = "、".join(names[:shown]) + (" 等" if len(names) > shown else "")
    return (f"{len(names)} 个单位无边界数据，未在地图上显示（{listed}）；"
            "它们仍可在右侧选择，并列入区县排名。")


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def _ring_area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-15:
        return 0.0, ring[0][0], ring[0][1]
    return a / 2, cx / (3 * a), cy / (3 * a)


# The process-wide, read-only collections (the plan's boundaries and their simplified copies),
# by id; held here, so an id is never reused by another object. What pages derive from them on
# every rerun (name points, bounds) is computed once per collection.
_shared: dict[int, dict] = {}
_derived: dict[tuple[str, int], object] = {}


def _share(geo: dict) -> dict:
    _shared[id(geo)] = geo
    return geo


def _of_shared(name: str, geo: dict, compute):
    if _shared.get(id(geo)) is not geo:
        return compute(geo)
    key = (name, id(geo))
    if key not in _derived:
        _derived[key] = compute(geo)
    return _derived[key]


def label_points(geo: dict) -> pd.DataFrame:
    """Where each district's name goes: the centroid of its largest polygon (islands do not pull it to sea)."""
    return _of_shared("label_points", geo, _label_points).copy()


def _label_points(geo: dict) -> pd.DataFrame:
    rows = []
    for f in geo["features"]:
        best = max((_ring_area_centroid(p[0]) for p in _polygons(f["geometry"])), key=lambda t: abs(t[0]))
        rows.append({"adcode": f["properties"]["adcode"], "name": f["properties"]["name"],
                     "lon": round(best[1], 5), "lat": round(best[2], 5)})
    return pd.DataFrame(rows)


def bounds(geo: dict) -> tuple[float, float, float, float]:
    """(west, south, east, north) of all features."""
    return _of_shared("bounds", geo, _bounds)


def _bounds(geo: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for f in geo["features"]:
        for poly in _polygons(f["geometry"]):
            for ring in poly:
                xs.extend(p[0] for p in ring)
                ys.extend(p[1] for p in ring)
    return min(xs), min(ys), max(xs), max(ys)


def fit_view(box: tuple[float, float, float, float], width_px: int, height_px: int,
             padding: float = 0.06) -> tuple[float, float, float]:
    """(lon, lat, zoom) of a Web Mercator view showing the whole box in a width × height viewport."""
    west, south, east, north = box

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    # At zoom z the world is 512·2^z px wide in deck.gl's units.
    span_x = math.radians(east - west) / (2 * math.pi)
    span_y = (merc_y(north) - merc_y(south)) / (2 * math.pi)
    usable = 1 - 2 * padding
    zoom = math.log2(min(width_px * usable / (512 * span_x), height_px * usable / (512 * span_y)))
    mid_y = (merc_y(north) + merc_y(south)) / 2
    lat = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return (west + east) / 2, lat, round(zoom, 2)


def mercator_fit(box: tuple[float, float, float, float], width_px: int, height_px: int,
                 padding: float = 0.05) -> dict:
    """d3 Mercator center/scale/translate that frame the box: Vega-Lite cannot fit a projection
    to data inside facets (every cell comes out blank), so small multiples get it spelt out."""
    west, south, east, north = box

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    usable = 1 - 2 * padding
    scale = min(width_px * usable / math.radians(east - west), height_px * usable / (merc_y(north) - merc_y(south)))
    mid_lat = math.degrees(2 * math.atan(math.exp((merc_y(north) + merc_y(south)) / 2)) - math.pi / 2)
    return {"center": [(west + east) / 2, mid_lat], "scale": scale, "translate": [width_px / 2, height_px / 2]}


def simplified(geo: dict, digits: int = 3) -> dict:
    """Coordinates rounded to `digits` decimals with repeated points dropped, for small static maps.

    Rounding (not thinning) keeps shared borders identical on both sides, so no slivers open up.
    The plan's own boundaries (boundaries()) are simplified once per process and the result is
    shared: callers build new collections from it and never change it in place.
    """
    if geo is _load(GEOJSON_FILE):
        return _simplified_boundaries(digits)
    return _simplify(geo, digits)


@lru_cache(maxsize=4)
def _simplified_boundaries(digits: int) -> dict:
    return _share(_simplify(_load(GEOJSON_FILE), digits))


def _simplify(geo: dict, digits: int) -> dict:
    # New dicts rather than a deep copy: every coordinate is rebuilt anyway.
    features = []
    for f in geo["features"]:
        polys = []
        for poly in _polygons(f["geometry"]):
            rings = []
            for ring in poly:
                pts = []
                for x, y in ring:
                    p = [round(x, digits), round(y, digits)]
                    if not pts or pts[-1] != p:
                        pts.append(p)
                if len(pts) >= 4:
                    rings.append(pts)
            if rings:
                polys.append(rings)
        features.append({**copy.deepcopy({k: v for k, v in f.items() if k != "geometry"}),
                         "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    return {**{k: copy.deepcopy(v) for k, v in geo.items() if k != "features"}, "features": features}


def rewound_for_d3(geo: dict) -> dict:
    """Outer rings clockwise, holes counter-clockwise, as d3-geo (Vega's renderer) requires.

    GeoJSON files (ours included) wind the other way; d3 then reads each district as the whole
    globe minus the district and paints the entire map one colour.
    """
    out = copy.deepcopy(geo)
    for f in out["features"]:
        for poly in _polygons(f["geometry"]):
            for i, ring in enumerate(poly):
                clockwise = _ring_area_centroid(ring)[0] < 0
                if clockwise != (i == 0):
                    ring.reverse()
    return out


def features_frame(geo: dict) -> pd.DataFrame:
    """One row per feature (adcode, name, type, geometry): the shape Altair's geoshape reads from a
    DataFrame, which it serialises without validating every coordinate (seconds saved per chart)."""
    return pd.DataFrame([{"adcode": f["properties"]["adcode"], "name": f["properties"]["name"], "type": "Feature",
                          "geometry": f["geometry"]} for f in geo["features"]])


def with_properties(geo: dict, frame: pd.DataFrame, key: str = "adcode") -> dict:
    """The FeatureCollection with each feature's row of `frame` merged into its properties.

    Values become JSON-safe (NaN → None) because the browser receives them as JSON.
    """
    out = {"type": "FeatureCollection", "features": []}
    rows = {r[key]: r for r in frame.to_dict("records")}
    for f in geo["features"]:
        extra = rows.get(f["properties"]["adcode"], {})
        props = {**f["properties"], **{k: _json_safe(v) for k, v in extra.items()}}
        out["features"].append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    return out


def _json_safe(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (list, tuple)):
        return v.item()
    return v
