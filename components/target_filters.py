"""Search and filters of the 目标指标 page (keys prefixed tf_)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.status import TARGET_KINDS


def target_filters(table: pd.DataFrame) -> dict:
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 2])
    query = c1.text_input("搜索", key="tf_query", placeholder="指标名称、编号或原文")
    categories = c2.multiselect("类别", table["category"].unique().tolist(), key="tf_category", placeholder="全部类别")
    department = c3.selectbox("牵头部门", sorted(table["lead_department"].unique()), index=None, key="tf_department",
                              placeholder="全部部门")
    tasks = table.dropna(subset=["task_id"]).drop_duplicates("task_id").sort_values("task_id")
    task_labels = {int(r.task_id): f"{int(r.task_id)}. {r.task_title}" for r in tasks.itertuples()}
    task_id = c4.selectbox("工作任务", list(task_labels), index=None, key="tf_task", placeholder="全部任务",
                           format_func=task_labels.get)
    statuses = c5.multiselect("状态", [k.label for k in TARGET_KINDS], key="tf_status", placeholder="全部状态")
    return {"query": query, "categories": categories, "department": department, "task_id": task_id,
            "statuses": statuses}
