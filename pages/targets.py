"""目标指标: every target of the plan, its latest value and status, and a detail view."""
import streamlit as st

from components.badges import page_title
from components.period_picker import current_period
from components.router_guard import ensure_router
from components.target_continuity import render_version_caption
from components.target_detail import render_target_detail
from components.target_filters import target_filters
from components.target_table import render_target_table
from core.target_views import filter_targets
from services import continuity, status

ensure_router()
page_title("目标指标", "方案“主要目标”及附件工作任务分解表中可量化、可核查的全部指标。")
period = current_period()
table = status.target_table(period)
f = target_filters(table)
shown = filter_targets(table, **f)

st.caption(f"共 {len(table)} 个指标，当前筛选 {len(shown)} 个；最新值为截至 {period} 的全市数据。")
render_version_caption(period)
cancelled = continuity.cancelled_targets_note()
if cancelled:
    st.caption(cancelled)
if shown.empty:
    st.info("没有符合条件的指标。请换一个关键词（可搜指标名称、编号如 T23、方案原文中的词），"
            "或清除上方的类别、牵头部门、工作任务、状态筛选。")
for category, group in shown.groupby("category", sort=False):
    st.subheader(f"{category}（{len(group)}）")
    render_target_table(group, key=f"targets_{category}")

render_target_detail(table, period)
