"""Altair charts of the 区县地图 page: the ranking of the 9 and the map's small multiples across periods."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from components.charts import AXIS
from core.district_geo import boundaries, bounds, mercator_fit, rewound_for_d3, simplified
from core.district_views import LegendEntry

WIDTH, HEIGHT = 170, 190


def ranking_chart(ranked: pd.DataFrame, colors: dict[str, str], value_title: str,
                  goal: float | None = None) -> alt.LayerChart:
    """A dot per district, best on top, with the target as a dashed line. Dots, not bars: district
    rates sit within a few points of each other and bars from zero would hide the differences."""
    data = ranked.assign(label=ranked["place"].astype(str) + ". " + ranked["district"])
    data["color"] = data["adcode"].map(colors).fillna("#e6e6e6")
    y = alt.Y("label:N", sort=data["label"].tolist(), title=None, axis=alt.Axis(labelFontSize=13, labelLimit=200))
    dots = alt.Chart(data).mark_circle(size=220, opacity=1, stroke="#57606a", strokeWidth=0.8).encode(
        y=y, x=alt.X("value:Q", title=value_title, scale=alt.Scale(zero=False), axis=alt.Axis(**AXIS)),
        color=alt.Color("color:N", scale=None),
        tooltip=[alt.Tooltip("district:N", title="区县"), alt.Tooltip("value_text:N", title="数值"),
                 alt.Tooltip("status:N", title="状态"), alt.Tooltip("explanation:N", title="说明")],
    )
    text = dots.mark_text(align="left", dx=12, fontSize=12, color="#1f2328").encode(text="value_text:N")
    layers = [dots, text]
    if goal is not None:
        layers.append(alt.Chart(pd.DataFrame({"goal": [goal]})).mark_rule(
            color="#cf222e", strokeDash=[6, 4], strokeWidth=2).encode(x="goal:Q"))
    return alt.layer(*layers).properties(height=34 * len(data))


def small_multiples_chart(geo: dict, frames: pd.DataFrame, legend: tuple[LegendEntry, ...],
                          columns: int = 4) -> alt.FacetChart:
    """The same choropleth once per period (rows period, adcode, district, class_label, value_text).

    The boundaries are embedded once and looked up by adcode, so twelve maps cost one GeoJSON.
    """
    # Two decimals (about 1 km) is below a pixel at thumbnail size.
    shapes = rewound_for_d3(simplified(geo, digits=2))
    for f in shapes["features"]:
        f["adcode"] = f["properties"]["adcode"]
    # A FeatureCollection, not a DataFrame: Streamlit ships DataFrames as Arrow, which drops nested
    # geometry, but keeps GeoJSON in the spec; as one object Altair also skips validating each coordinate.
    shapes = alt.InlineData(values=shapes, format=alt.DataFormat(property="features", type="json"))
    color = alt.Color("class_label:N", title="图例",
                      scale=alt.Scale(domain=[e.label for e in legend], range=[e.color for e in legend]),
                      legend=alt.Legend(orient="bottom", columns=6, labelFontSize=12, symbolType="square"))
    return alt.Chart(frames).mark_geoshape(stroke="white", strokeWidth=0.6).transform_lookup(
        lookup="adcode", from_=alt.LookupData(shapes, "adcode", ["type", "geometry"]),
    ).encode(
        color=color,
        tooltip=[alt.Tooltip("period:N", title="报告期"), alt.Tooltip("district:N", title="区县"),
                 alt.Tooltip("value_text:N", title="数值"), alt.Tooltip("status:N", title="状态")],
    ).project("mercator", **mercator_fit(bounds(geo), WIDTH, HEIGHT)).properties(width=WIDTH, height=HEIGHT).facet(
        facet=alt.Facet("period:N", title=None, header=alt.Header(labelFontSize=14, labelFontWeight="bold")),
        columns=columns,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def small_multiples_spec(frames: pd.DataFrame, legend: tuple[LegendEntry, ...], columns: int = 4) -> dict:
    """small_multiples_chart of the plan's boundaries as a Vega-Lite spec, built once per frames and legend:
    Altair validates every nested object of the embedded GeoJSON, which costs most of a rerun.

    Streamlit's own converter (as st.altair_chart uses it) so the spec is the one altair_chart would send.
    """
    return _convert_altair_to_vega_lite_spec(small_multiples_chart(boundaries(), frames, legend, columns))

