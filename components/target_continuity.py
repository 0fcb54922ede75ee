"""On the 指标详情 (issue 15): which catalogue version judges the period, and the series joined across plans
with the plan boundary and the target change marked."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import AXIS, chart_spec
from core.continuity import AFTER, BEFORE
from core.status import fmt
from services import catalogue_versions, continuity

_COLOURS = {BEFORE: "#8c959f", AFTER: "#0969da"}


def render_version_caption(period: str) -> None:
    """On the 指标 list, once the catalogue has been revised: which version judges the period shown."""
    version = catalogue_versions.version_in_force(period)
    if version is None or version["count"] < 2:
        return
    later = "" if version["newest"] else "；此后目录有修订，修订内容见各指标详情"
    st.caption(f"{period} 按第 {version['number']} 版目录判定（自 {version['applies_from']} 起适用，"
               f"共 {version['count']} 版）{later}。")


def render_catalogue_revisions(target_id: str, period: str) -> None:
    """“2020Q3 起按修订后的目录：目标值 96 → 97”, and whether the period shown is judged before or after."""
    for rev in catalogue_versions.target_revisions(target_id):
        judged = ("本期按修订后的目录判定" if period >= rev["applies_from"]
                  else f"本期（{period}）仍按修订前的目录判定")
        st.caption(f"目录修订：{rev['text']}（{judged}）")


def joined_chart(frame: pd.DataFrame, boundary: str, unit: str) -> alt.LayerChart:
    """Both plans' values on one line of periods, each plan's target as a dashed line, the boundary as a rule."""
    shown_unit = "" if unit == "是/否" else unit
    x = alt.X("period_code:O", title="报告期", axis=alt.Axis(**AXIS))
    colour = alt.Color("side:N", title="方案", scale=alt.Scale(domain=[BEFORE, AFTER],
                                                              range=[_COLOURS[BEFORE], _COLOURS[AFTER]]),
                       legend=alt.Legend(orient="bottom", labelFontSize=12))
    base = alt.Chart(frame).encode(x=x)
    values = base.mark_line(point=True, strokeWidth=2.5).encode(
        y=alt.Y("value:Q", title=f"实际值（{shown_unit}）" if shown_unit else "实际值",
                scale=alt.Scale(zero=False), axis=alt.Axis(**AXIS)),
        color=colour,
        tooltip=[alt.Tooltip("period_code:O", title="报告期"), alt.Tooltip("plan_id:N", title="方案"),
                 alt.Tooltip("target_id:N", title="指标"), alt.Tooltip("value:Q", title="实际值", format=",.2f"),
                 alt.Tooltip("target_value:Q", title="目标值")])
    goals = base.mark_line(strokeDash=[6, 4], strokeWidth=2, interpolate="step-after").encode(
        y="target_value:Q", color=colour, detail="side:N")
    ends = frame.groupby("side", sort=False).first().reset_index()  # each plan's target, named at its start
    ends = ends.assign(label=[f"目标 {fmt(v, unit)}" for v in ends["target_value"]])
    names = alt.Chart(ends).mark_text(align="left", dx=4, dy=-8, fontSize=13).encode(
        x="period_code:O", y="target_value:Q", text="label:N", color=colour)
    edge = pd.DataFrame({"period_code": [boundary], "label": [f"{boundary} 起为本方案"]})
    rule = alt.Chart(edge).mark_rule(color="#cf222e", strokeWidth=2).encode(x="period_code:O")
    text = alt.Chart(edge).mark_text(align="left", dx=4, dy=-130, color="#cf222e", fontSize=13).encode(
        x="period_code:O", text="label:N")
    return alt.layer(values, goals, names, rule, text).properties(height=300)


def render_joined_series(target_id: str) -> None:
    """Nothing when the target names no predecessor (继承 / 调整 in targets.csv)."""
    joined = continuity.joined_series(target_id)
    if joined is None:
        return
    before, after = joined.before, joined.after
    st.markdown("#### 跨方案走势")
    st.caption(f"本指标{joined.change}自上一方案（{before.plan_id}）的 {before.target_id} {before.name}；"
               f"红线为方案更替（{joined.boundary}），虚线为各方案的目标。")
    st.info(joined.note)
    frame = joined.frame
    if frame.empty:
        st.caption("两个方案均尚无该指标的报送数据。")
        return
    if frame["is_demo"].any():
        st.caption("图表数据含演示数据，并非真实报送。")
    st.vega_lite_chart(chart_spec(joined_chart, frame, joined.boundary, after.unit), width="stretch")
    first_after = next((i for i, p in enumerate(frame["period_code"]) if p >= joined.boundary), None)
    table = pd.DataFrame({
        "报告期": frame["period_code"], "方案": frame["plan_id"], "指标": frame["target_id"],
        "实际值": [fmt(v, after.unit) for v in frame["value"]],
        "目标": [f"{c}{fmt(v, after.unit)}（{y}年）" for c, v, y in
               zip(frame["comparator"], frame["target_value"], frame["target_year"])],
        "说明": [f"方案更替：{joined.note}" if i == first_after else "" for i in range(len(frame))],
    })
    st.dataframe(table, hide_index=True, width="stretch")
