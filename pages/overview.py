"""总览: are we on track, what is behind, who answers for it, and who has not reported."""
import streamlit as st

from components.badges import page_title
from components.overview_counts import render_status_counts
from components.overview_freshness import render_freshness
from components.overview_red_list import render_red_list
from components.overview_trend import render_share_on_track
from components.period_picker import current_period
from core import overview
from components.router_guard import ensure_router
from db import cached, overview_reads, status_reads

ensure_router()
page_title("总览", "全部指标和任务的状态，按所选报告期当时已知的数据判定；颜色和说明均来自同一套判定规则。")
period = current_period()
targets = cached.targets()
target_status = cached.read(status_reads.target_statuses, period)
task_status = cached.read(status_reads.task_statuses, period)

render_status_counts(overview.target_counts(target_status), overview.task_counts(task_status))
render_red_list(overview.red_list(target_status, task_status, period), period)
render_share_on_track(cached.read(status_reads.share_on_track, period))
deadline = cached.read(overview_reads.period_deadline, period)
fresh = overview.reporting_freshness(overview.expected_reporters(targets, cached.task_departments()),
                                     cached.read(overview_reads.reports_by_department), period, deadline)
render_freshness(fresh, period, deadline)
if cached.read(status_reads.shows_demo, period):
    st.caption("本页数据含演示数据，并非真实报送。")
