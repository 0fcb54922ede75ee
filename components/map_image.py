"""The district map as a PNG for slides, drawn on the server: an Altair geoshape of the same
GeoJSON rendered by vl-convert, with title, period, legend and source line.

No browser and no network: vl-convert draws with the server's own CJK font, which must be
registered with it (it does not read fontconfig's list by itself).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from core.district_geo import features_frame, label_points, rewound_for_d3, simplified
from core.district_views import Choropleth
from core.periods import period_from_code

FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts/noto-cjk")
SOURCE_LINE = ("资料来源：湛江质量提升督查看板（截至所选报告期的报送数据）；"
               "区县边界：data/plan/districts.geojson；橙色圆点为方案所列园区与平台，位置为示意。")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@lru_cache(maxsize=1)
def register_cjk_fonts() -> tuple[str, ...]:
    """Register the CJK font folders present on this machine with vl-convert (once per process)."""
    found = tuple(d for d in FONT_DIRS if Path(d).is_dir())
    for d in found:
        vl_convert.register_font_directory(d)
    return found


def _legend(chart: Choropleth) -> alt.Legend:
    return alt.Legend(title="图例", orient="right", labelFontSize=13, symbolType="square", symbolSize=260,
                      symbolStrokeColor="#57606a", symbolStrokeWidth=0.5)


def map_chart(geo: dict, chart: Choropleth, places: pd.DataFrame | None = None, *, demo: bool = False,
              width: int = 620, height: int = 640) -> alt.VConcatChart:
    """One district map with its legend, title (target and period) and source line, ready for vl-convert."""
    shapes_data = features_frame(rewound_for_d3(simplified(geo))).merge(
        chart.frame[["adcode", "class_label"]], on="adcode", how="left")
    shown = list(chart.legend)
    color = alt.Color("class_label:N", legend=_legend(chart),
                      scale=alt.Scale(domain=[e.label for e in shown], range=[e.color for e in shown]))
    projection = "mercator"
    shapes = (alt.Chart(shapes_data).mark_geoshape(stroke="white", strokeWidth=1.2)
              .encode(color=color).project(projection))
    names = label_points(geo).merge(chart.frame[["adcode", "value_text"]], on="adcode")
    names["text"] = names["name"] + "\n" + names["value_text"]
    labels = (alt.Chart(names).mark_text(fontSize=14, fontWeight="bold", color="#1f2328", lineBreak="\n",
                                         stroke="white", strokeWidth=3, strokeOpacity=0.8)
              .encode(longitude="lon:Q", latitude="lat:Q", text="text:N").project(projection))
    labels_fill = labels.mark_text(fontSize=14, fontWeight="bold", color="#1f2328", lineBreak="\n")
    layers = [shapes]
    if places is not None and not places.empty:
        layers.append(alt.Chart(places[["lon", "lat", "name"]]).mark_circle(
            size=60, color="#ff8c00", stroke="white", strokeWidth=1, opacity=1).encode(
            longitude="lon:Q", latitude="lat:Q").project(projection))
    layers += [labels, labels_fill]
    body = alt.layer(*layers).properties(width=width, height=height)
    source = alt.Chart(pd.DataFrame({"t": [SOURCE_LINE]})).mark_text(
        align="left", fontSize=11, color="#57606a").encode(text="t:N", x=alt.value(0)).properties(
        width=width, height=16)
    p = period_from_code(chart.period)
    subtitle = [f"报告期：{p.label}（{p.code}）"] + (["含演示数据，并非真实报送"] if demo else [])
    title = alt.TitleParams(f"湛江市各区县 · {chart.title}", subtitle=subtitle, fontSize=20, subtitleFontSize=14,
                            anchor="start", subtitleColor="#57606a")
    return (alt.vconcat(body, source, spacing=6).properties(title=title, background="white", padding=16)
            .configure(font=FONT).configure_view(stroke=None))


def map_png(geo: dict, chart: Choropleth, places: pd.DataFrame | None = None, *, demo: bool = False,
            scale: float = 2.0) -> bytes:
    """The PNG bytes of map_chart (twice the pixels by default, sharp on a projector)."""
    register_cjk_fonts()
    spec = map_chart(geo, chart, places, demo=demo).to_dict()
    return vl_convert.vegalite_to_png(spec, vl_version="6.4", scale=scale)


def export_filename(chart: Choropleth) -> str:
    return f"区县地图_{chart.period}_{chart.metric}.png"
