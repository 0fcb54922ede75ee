"""The targets table; clicking a row opens that target's detail (session key "target")."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.status_style import status_cell, status_table

DETAIL_KEY = "target"


def _select(key: str, ids: list[str]) -> None:
    rows = st.session_state[key].selection.rows
    if rows:
        st.session_state[DETAIL_KEY] = ids[rows[0]]


def render_target_table(group: pd.DataFrame, key: str) -> None:
    view = pd.DataFrame({
        "编号": group["id"],
        "指标": group["name"],
        "目标": group["target_text"],
        "最新值": group["latest_text"] + group["is_demo"].map({True: "（演示）", False: ""}),
        "报告期": group["latest_period"],
        "状态": group["status"].map(status_cell),
        "说明": group["explanation"],
        "牵头部门": group["lead_department"],
        "目标年": group["target_year"],
        "方案原文": group["source_clause"],
    })
    frame, colours = status_table(view)
    st.dataframe(
        frame, hide_index=True, width="stretch", key=key,
        on_select=_select_callback(key, group["id"].tolist()), selection_mode="single-row",
        column_config={
            **colours,
            "指标": st.column_config.TextColumn(width="medium"),
            "说明": st.column_config.TextColumn(width="large"),
            "方案原文": st.column_config.TextColumn(width="large", help="方案原文，逐字摘录"),
            "目标年": st.column_config.NumberColumn(format="%d"),
        },
    )


def _select_callback(key: str, ids: list[str]):
    return lambda: _select(key, ids)
