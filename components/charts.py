"""Altair chart builders. Chinese labels stay horizontal (labelAngle=0) so they read on a projector."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.status import TargetSpec

AXIS = {"labelAngle": 0, "labelFontSize": 13, "titleFontSize": 13}


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
