"""The scorecard matrix with its sort and filters; a clicked cell opens its detail (keys prefixed sc_).

Clicking a cell also selects that department in the 部门详情 section below ("dept").
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.charts import chart_spec
from components.scorecard_charts import CELL_SELECTION, matrix_heatmap, matrix_height
from components.status_style import status_metric
from core.scorecard import SORTS, TREND_WORDS, cell, department_order, filter_matrix, item_order
from core.status import ALL_KINDS

PICKED = "sc_picked"
DEPT_KEY = "dept"  # the department selector; its name is also the URL parameter ?dept=


def _on_pick(chart_key: str) -> None:
    picked = (st.session_state[chart_key].get("selection") or {}).get(CELL_SELECTION) or []
    if picked:
        st.session_state[PICKED] = (picked[0]["department"], picked[0]["key"])
        st.session_state[DEPT_KEY] = picked[0]["department"]


def _filters(cells: pd.DataFrame) -> dict:
    c1, c2, c3, c4 = st.columns([2, 3, 3, 1.4], vertical_alignment="bottom")
    by = c1.selectbox("排序", list(SORTS), format_func=SORTS.get, key="sc_sort", placeholder="请选择…")
    present = [s for s in ALL_KINDS if s in set(cells["status"])]
    statuses = c2.multiselect("状态", present, key="sc_status", placeholder="全部状态")
    departments = c3.multiselect("部门", sorted(cells["department"].unique()), key="sc_departments",
                                 placeholder="全部部门")
    red_only = c4.toggle("只看红色", key="sc_red_only", help="只显示滞后、未完成、逾期的事项")
    return {"by": by, "statuses": statuses, "departments": departments, "red_only": red_only}


def render_matrix(cells: pd.DataFrame, ranking: pd.DataFrame, previous_period: str | None) -> None:
    st.subheader("记分矩阵")
    against = f"与上期 {previous_period} 比较" if previous_period else "无上期可比"
    st.caption(f"每格是一个部门在一个事项上的状态；格内箭头为趋势（{against}：↑ 好转、↓ 变差、→ 持平、新 上期无此项）。"
               "鼠标悬停看状态说明，点击格子查看详情并打开该部门。")
    f = _filters(cells)
    shown = filter_matrix(cells, statuses=f["statuses"], departments=f["departments"], red_only=f["red_only"])
    if shown.empty:
        st.info("当前筛选下没有事项。")
        return
    st.caption(f"当前显示 {shown['department'].nunique()} 个部门、{len(shown)} 个格子。")
    for kind, key in (("指标", "sc_matrix_targets"), ("任务", "sc_matrix_tasks")):
        part = shown[shown["kind"] == kind]
        if part.empty:
            continue
        st.markdown(f"**{_title(kind, cells)}**")
        rows = department_order(part, ranking, f["by"])
        st.vega_lite_chart(chart_spec(matrix_heatmap, part, rows, item_order(part)), key=key, width="stretch",
                           height=matrix_height(rows), on_select=lambda k=key: _on_pick(k),
                           selection_mode=CELL_SELECTION)
    _cell_detail(cells)


def _title(kind: str, cells: pd.DataFrame) -> str:
    """“牵头指标（T01–T52，列为指标编号）”: the current plan's own range (keys T01…, 任务01…), not 2018–2020's."""
    keys = item_order(cells[cells["kind"] == kind])
    if kind == "指标":
        return f"牵头指标（{keys[0]}–{keys[-1]}，列为指标编号）"
    first, last = (int(k.removeprefix("任务")) for k in (keys[0], keys[-1]))
    return f"工作任务（任务 {first}–{last}，列为任务编号）"


def _cell_detail(cells: pd.DataFrame) -> None:
    picked = st.session_state.get(PICKED)
    if not picked:
        return
    row = cell(cells, *picked)
    if row is None:
        return
    with st.container(border=True):
        st.markdown(f"**{row['department']} · {row['label']}**（{row['role']}）")
        c1, c2 = st.columns(2)
        status_metric(c1, "本期状态", row["status"])
        c2.metric("趋势", f"{row['trend']} {TREND_WORDS[row['trend']]}",
                  help=f"上期：{row['previous_status'] or '无此项'}")
        st.info(row["explanation"])
