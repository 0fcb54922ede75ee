"""Altair builders of the 部门记分卡: the status matrix, the ranking bars and a department's trend."""
from __future__ import annotations

import altair as alt
import pandas as pd

from components.charts import AXIS
from core.status import ALL_KINDS

GRADE_COLORS = {"A": "#1a7f37", "B": "#2da44e", "C": "#d4a72c", "D": "#cf222e"}
CELL_SELECTION = "sc_cell"


def _status_scale(statuses: list[str]) -> alt.Scale:
    labels = [s for s in ALL_KINDS if s in set(statuses)]
    return alt.Scale(domain=labels, range=[ALL_KINDS[s].color for s in labels])


def matrix_height(departments: list[str]) -> int:
    """Pixels for the matrix: Streamlit fits a chart to the height it is given, so rows need it stated."""
    return 110 + 30 * len(departments)


def matrix_heatmap(cells: pd.DataFrame, departments: list[str], items: list[str]) -> alt.Chart:
    """Departments down, items across; colour = status, arrow = trend, hover = the engine's sentence.

    Column labels are the short item numbers (T01 → 01) so they stay horizontal and legible;
    the full name is in the tooltip. A click selects (department, key) as selection "sc_cell".
    """
    data = cells.assign(short=cells["key"].str.replace("T", "", regex=False).str.replace("任务", "", regex=False))
    short_order = [k.replace("T", "").replace("任务", "") for k in items]
    pick = alt.selection_point(name=CELL_SELECTION, fields=["department", "key"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X("short:O", sort=short_order, title=None,
                axis=alt.Axis(orient="top", labelOverlap=True, **{**AXIS, "labelFontSize": 11})),
        y=alt.Y("department:N", sort=departments, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=180, **AXIS)),
    )
    rects = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("status:N", title="状态", scale=_status_scale(data["status"].tolist()),
                        legend=alt.Legend(orient="bottom", labelFontSize=12)),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
        tooltip=[alt.Tooltip("department:N", title="部门"), alt.Tooltip("label:N", title="事项"),
                 alt.Tooltip("role:N", title="角色"), alt.Tooltip("tooltip:N", title="状态与说明")],
    ).add_params(pick)
    arrows = base.mark_text(fontSize=11, color="white", fontWeight="bold").encode(
        text="trend:N", tooltip=[alt.Tooltip("tooltip:N", title="状态与说明")])
    return alt.layer(rects, arrows).properties(height=matrix_height(departments))


def rank_bar_chart(ranking: pd.DataFrame) -> alt.Chart:
    """Scores best first, coloured by grade, with the grade bands as rules."""
    data = ranking.assign(label=ranking["rank"].astype(str) + ". " + ranking["name"])
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("score:Q", title="得分", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(**AXIS)),
        y=alt.Y("label:N", sort=data["label"].tolist(), title=None, axis=alt.Axis(**AXIS)),
        color=alt.Color("grade:N", title="等级", scale=alt.Scale(domain=list(GRADE_COLORS),
                                                               range=list(GRADE_COLORS.values())),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("name:N", title="部门"), alt.Tooltip("score:Q", title="得分", format=".1f"),
                 alt.Tooltip("grade:N", title="等级"), alt.Tooltip("main_loss:N", title="扣分最多的一项")],
    )
    bands = alt.Chart(pd.DataFrame({"x": [60, 80, 90]})).mark_rule(strokeDash=[4, 4], color="#8c959f").encode(x="x:Q")
    return alt.layer(bars, bands).properties(height=max(200, 22 * len(data)))


def score_trend_chart(history: pd.DataFrame, name: str) -> alt.Chart:
    """One department's score over the periods, with the grade bands."""
    data = history[history["name"] == name]
    line = alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("period:O", title="报告期", axis=alt.Axis(**AXIS)),
        y=alt.Y("score:Q", title="得分", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(**AXIS)),
        tooltip=[alt.Tooltip("period:O", title="报告期"), alt.Tooltip("score:Q", title="得分", format=".1f"),
                 alt.Tooltip("grade:N", title="等级")],
    )
    bands = alt.Chart(pd.DataFrame({"y": [60, 80, 90], "g": ["C 60", "B 80", "A 90"]}))
    rules = bands.mark_rule(strokeDash=[4, 4], color="#8c959f").encode(y="y:Q")
    text = bands.mark_text(align="left", dx=4, dy=-6, color="#57606a").encode(y="y:Q", x=alt.value(0), text="g:N")
    return alt.layer(line, rules, text).properties(height=280)
