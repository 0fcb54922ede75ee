"""Decisions and 批示 taken at meetings on one task, for the task's detail (任务台账)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.supervision_decisions import render_decision_issue
from db import meetings
from services import cache


def render_task_decisions(task_id: int) -> None:
    decided = cache.read(meetings.decisions_for_task, int(task_id))
    st.markdown("#### 会议决定与批示")
    if decided.empty:
        st.caption("督查会议尚未对该任务作出决定或批示。")
        return
    st.dataframe(pd.DataFrame({
        "会议": decided["meeting_name"].fillna("本次会议（未归档）"),
        "类型": decided["kind"], "内容": decided["text"], "决定人": decided["decided_by"],
        "时间": decided["decided_at"].dt.strftime("%Y-%m-%d %H:%M"),
    }), hide_index=True, width="stretch", key=f"mt_task_decisions_{int(task_id)}")
    render_decision_issue(decided, f"task{int(task_id)}")  # 督办单 with owner and due date (office only)
