"""Filters of the 任务台账 page (keys prefixed tl_)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.status import TASK_KINDS
from core.task_views import department_options, measure_options


def task_filters(ledger: pd.DataFrame) -> dict:
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    query = c1.text_input("搜索", key="tl_query", placeholder="任务名称、编号或主要内容")
    department = c2.selectbox("部门（牵头或参与）", department_options(ledger), index=None, key="tl_department",
                              placeholder="全部部门")
    statuses = c3.multiselect("状态", [k.label for k in TASK_KINDS], key="tl_status", placeholder="全部状态")
    measure = c4.selectbox("方案举措", measure_options(ledger), index=None, key="tl_measure", placeholder="全部举措",
                           format_func=lambda m: f"第 {m} 项举措")
    return {"query": query, "department": department, "statuses": statuses, "measure": measure}
