"""任务台账: the plan's tasks (30 in 2018–2020) with status, departments, latest report, filters and a detail view."""
import streamlit as st

from components.badges import page_title
from components.period_picker import current_period
from components.router_guard import ensure_router
from components.task_detail import render_task_detail
from components.task_filters import task_filters
from components.task_table import render_task_table
from core.task_views import filter_tasks, task_ledger
from services import cache

ensure_router()
tasks = cache.tasks()  # the current plan's (30 in 2018–2020)
page_title("任务台账", f"《工作任务分解表》的 {len(tasks)} 项工作任务：状态按牵头部门报送的完成比例对照序时进度判定。")
period = current_period()
ledger = task_ledger(tasks, cache.current_progress(up_to_period=period), period)
shown = filter_tasks(ledger, **task_filters(ledger))
st.caption(f"共 {len(ledger)} 项任务，当前筛选 {len(shown)} 项；进展为截至 {period} 的最新报送。")
if shown.empty:
    st.info("没有符合条件的任务。请换一个关键词（可搜任务名称、编号或主要内容中的词），"
            "或清除上方的部门、状态、方案举措筛选。")
else:
    render_task_table(shown)
render_task_detail(ledger, period)
