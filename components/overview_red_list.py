"""The red list of the cockpit: what is behind, who leads it, why, and a link to its detail."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.status_style import status_cell, status_table
from components.supervision_issue import red_list_items, render_issue_picker


def render_red_list(rows: pd.DataFrame, period: str) -> None:
    st.subheader(f"红色清单（{len(rows)} 项）")
    if rows.empty:
        st.success(f"截至 {period}，没有滞后、未完成或逾期的指标和任务。")
        return
    st.caption("滞后、未完成和逾期的指标与任务，最严重的在前；点击“查看”打开详情。")
    view = pd.DataFrame({
        "类别": rows["kind"],
        "编号": rows["id"],
        "名称": rows["name"],
        "牵头部门": rows["lead_department"],
        "状态": rows["status"].map(status_cell),
        "说明": rows["explanation"],
        "详情": rows["link"],
    })
    frame, colours = status_table(view)
    st.dataframe(frame, hide_index=True, width="stretch", key="ov_red_list", column_config={**colours,
        "名称": st.column_config.TextColumn(width="medium"),
        "说明": st.column_config.TextColumn(width="large"),
        "详情": st.column_config.LinkColumn(display_text="查看", width="small"),
    })
    render_issue_picker(red_list_items(rows), period, "ov")  # the office only
