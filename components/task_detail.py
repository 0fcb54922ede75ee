"""Detail of one task: status, departments, the plan's 主要内容 and the history of its reports."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import url_state
from components.meeting_decisions import render_task_decisions
from components.status_style import status_cell, status_metric, status_table
from components.supervision_issue import render_issue_button
from components.task_table import DETAIL_KEY
from components.trust_detail import render_progress_history
from core.task_views import task_history
from services import cache


def render_task_detail(ledger: pd.DataFrame, period: str) -> None:
    st.divider()
    st.subheader("任务详情")
    labels = dict(zip(ledger["id"], ledger["id"].astype(str) + ". " + ledger["title"]))
    ids = list(labels)
    index = url_state.restore(DETAIL_KEY, ids, ids[0])
    task_id = st.selectbox("选择任务（也可点击上表中的一行）", ids, index=index, key=DETAIL_KEY, format_func=labels.get,
                           placeholder="请选择任务…")
    url_state.remember(DETAIL_KEY, task_id, ids[0])
    if task_id is None or task_id not in labels:
        st.info("请选择一项任务（在上面的选择框中，或点击上表中的一行），这里将显示它的进展、报送历史和会议决定。")
        return
    row = ledger.set_index("id").loc[task_id]
    c1, c2, c3, c4 = st.columns(4)
    status_metric(c1, "状态", row["status"])
    c2.metric(f"完成比例（{period}）", "—" if pd.isna(row["percent"]) else f"{row['percent']:.0f}%")
    c3.metric("牵头部门", row["lead_department"])
    c4.metric("方案举措", f"第 {int(row['measure'])} 项")
    st.info(row["explanation"])
    render_issue_button("task", int(task_id), period, f"任务{task_id}", row["lead_department"])
    st.markdown(f"**参与部门**：{row['participants'] or '无'}  \n**主要内容**（方案附件原文）：{row['content']}")
    render_task_decisions(int(task_id))
    render_progress_history(int(task_id))
    history = task_history(cache.current_progress(up_to_period=period, task_id=int(task_id)), int(task_id),
                           row["lead_department"])
    st.markdown("#### 报送历史")
    if history.empty:
        st.warning(f"截至 {period} 尚无该任务的进展报送。")
        return
    if history["is_demo"].any():
        st.caption("以下进展含演示数据，并非真实报送。")
    view = pd.DataFrame({
        "报告期": history["period_code"],
        "部门": history["department"],
        "角色": history["role"],
        "状态": history["status"].map(status_cell),
        "说明": history["explanation"],
        "自报状态": history["reported_status"],
        "完成%": history["percent"],
        "工作进展": history["narrative"],
        "存在问题": history["problems"],
        "下步计划": history["next_steps"],
    })
    frame, colours = status_table(view)
    st.dataframe(frame, hide_index=True, width="stretch", key="tl_history", column_config={**colours,
        "说明": st.column_config.TextColumn(width="large"),
        "工作进展": st.column_config.TextColumn(width="large"),
        "完成%": st.column_config.NumberColumn(format="%.0f%%"),
    })
