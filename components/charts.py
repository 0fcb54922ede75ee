"""Altair chart builders. Chinese labels stay horizontal (labelAngle=0) so they read on a projector."""
from __future__ import annotations

import importlib
from typing import Callable

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from components.frame_digest import HASH_FRAMES
from core.status import TargetSpec

AXIS = {"labelAngle": 0, "labelFontSize": 13, "titleFontSize": 13}


def chart_spec(builder: Callable[..., alt.TopLevelMixin], *args) -> dict:
    """builder(*args) as the Vega-Lite spec st.altair_chart would send, built once per distinct arguments;
    draw it with st.vega_lite_chart.

    Turning an Altair chart into a spec validates it against the Vega-Lite schema: for the
    scorecard's matrices and long rankings that was most of a rerun, yet the same arguments
    always give the same chart. Arguments must be hashable by st.cache_data (frames, lists, dataclasses).
    """
    return _spec(builder.__module__, builder.__name__, args)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FRAMES)
def _spec(module: str, name: str, args: tuple) -> dict:
    # Streamlit's own converter (under its lock on Altair's global theme), so the spec is exactly altair_chart's.
    return _convert_altair_to_vega_lite_spec(getattr(importlib.import_module(module), name)(*args))


def target_trend_chart(history: pd.DataFrame, spec: TargetSpec, areas: list[str] | None = None) -> alt.Chart:
    """Values over periods (one line per area) with the target as a dashed rule (a band for 区间)."""
    data = history if areas is None else history[history["area"].isin(areas)]
    unit = "" if spec.unit == "是/否" else spec.unit
    y_title = f"实际值（{unit}）" if unit else "实际值（1=是，0=否）"
    base = alt.Chart(data).encode(
        x=alt.X("period_code:O", title="报告期", axis=alt.Axis(**AXIS)),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(**AXIS)),
        color=alt.Color("area:N", title="区域", legend=alt.Legend(orient="bottom", labelFontSize=12)),
        tooltip=[alt.Tooltip("area:N", title="区域"), alt.Tooltip("period_code:O", title="报告期"),
                 alt.Tooltip("value:Q", title="实际值", format=",.2f")],
    )
    lines = base.mark_line(point=True, strokeWidth=2.5)
    goal = pd.DataFrame({"goal": [spec.target_value], "label": [f"目标 {spec.target_value:g}{unit}"]})
    rule = alt.Chart(goal).mark_rule(color="#cf222e", strokeDash=[6, 4], strokeWidth=2).encode(y="goal:Q")
    text = alt.Chart(goal).mark_text(align="left", dx=4, dy=-8, color="#cf222e", fontSize=13).encode(
        y="goal:Q", x=alt.value(0), text="label:N")
    layers = [lines, rule, text]
    if spec.comparator == "区间" and spec.target_max is not None:
        band = pd.DataFrame({"lo": [spec.target_value], "hi": [spec.target_max]})
        layers.insert(0, alt.Chart(band).mark_rect(color="#cf222e", opacity=0.08).encode(y="lo:Q", y2="hi:Q"))
    return alt.layer(*layers).properties(height=340)


def status_count_chart(counts: pd.DataFrame, title: str) -> alt.Chart:
    """Horizontal bars, one per status word in the engine's order, in the status colours.

    counts: core.overview.status_count_table (status, count, color, meaning).
    """
    order = counts["status"].tolist()
    return alt.Chart(counts).mark_bar().encode(
        y=alt.Y("status:N", title=None, sort=order, axis=alt.Axis(**AXIS)),
        x=alt.X("count:Q", title=f"{title}数", axis=alt.Axis(**AXIS, tickMinStep=1)),
        color=alt.Color("status:N", scale=alt.Scale(domain=order, range=counts["color"].tolist()), legend=None),
        tooltip=[alt.Tooltip("status:N", title="状态"), alt.Tooltip("count:Q", title="数量"),
                 alt.Tooltip("meaning:N", title="含义")],
    ).properties(title=title)


def share_on_track_chart(series: pd.DataFrame) -> alt.Chart:
    """Share of targets and of tasks on track per period (core.overview.share_on_track)."""
    return alt.Chart(series).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("period_code:O", title="报告期", axis=alt.Axis(**AXIS)),
        y=alt.Y("share:Q", title="正常比例", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(**AXIS, format=".0%")),
        color=alt.Color("kind:N", title="类别", scale=alt.Scale(domain=["指标", "任务"], range=["#0969da", "#8250df"]),
                        legend=alt.Legend(orient="bottom", labelFontSize=12)),
        tooltip=[alt.Tooltip("period_code:O", title="报告期"), alt.Tooltip("kind:N", title="类别"),
                 alt.Tooltip("share:Q", title="正常比例", format=".0%"),
                 alt.Tooltip("on_track:Q", title="正常个数"), alt.Tooltip("total:Q", title="总数")],
    ).properties(height=300)
