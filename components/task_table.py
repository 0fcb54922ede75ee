"""The task ledger table; clicking a row opens that task's detail (session key "task", also ?task=)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.status_style import status_cell, status_table

DETAIL_KEY = "task"


def render_task_table(shown: pd.DataFrame) -> None:
    view = pd.DataFrame({
        "编号": shown["id"],
        "工作任务": shown["title"],
        "状态": shown["status"].map(status_cell),
        "说明": shown["explanation"],
        "完成%": shown["percent"],
        "牵头部门": shown["lead_department"],
        "参与部门": shown["participants"],
        "最新进展": shown["latest_narrative"],
        "存在问题": shown["latest_problems"],
        "下步计划": shown["latest_next_steps"],
        "报告期": shown["latest_period_code"] + shown["latest_is_demo"].map({True: "（演示）", False: ""}),
        "举措": shown["measure"],
    })
    ids = shown["id"].tolist()
    frame, colours = status_table(view, bars="完成%")
    st.dataframe(
        frame, hide_index=True, width="stretch", key="tl_table",
        selection_mode="single-row",
        on_select=lambda: _select(ids),
        column_config={
            "工作任务": st.column_config.TextColumn(width="medium"),
            "说明": st.column_config.TextColumn(width="large"),
            **colours,
            "完成%": st.column_config.NumberColumn(format="%.0f%%", width=70),
            "最新进展": st.column_config.TextColumn(width="large"),
            "举措": st.column_config.NumberColumn(format="%d"),
        },
    )


def _select(ids: list[int]) -> None:
    rows = st.session_state["tl_table"].selection.rows
    if rows:
        st.session_state[DETAIL_KEY] = ids[rows[0]]
