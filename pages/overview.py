"""总览: are we on track, what is behind, who answers for it, and who has not reported."""
import streamlit as st

from components.auth_login import current_identity
from components.badges import page_title
from components.overview_counts import render_status_counts
from components.overview_freshness import render_freshness
from components.overview_red_list import render_red_list
from components.overview_trend import render_share_on_track
from components.period_picker import current_period
from components.router_guard import ensure_router
from components.supervision_todo import render_my_todo
from core import overview
from services import catalogue_versions, status

ensure_router()
page_title("总览", "全部指标和任务的状态，按所选报告期当时已知的数据判定；颜色和说明均来自同一套判定规则。")
period = current_period()
render_my_todo(current_identity())
targets = catalogue_versions.targets_at(period)  # who owed this period's report: the catalogue in force then
target_status = status.target_statuses(period)
task_status = status.task_statuses(period)

render_status_counts(overview.target_counts(target_status), overview.task_counts(task_status))
render_red_list(overview.red_list(target_status, task_status, period), period)
render_share_on_track(status.share_on_track(period))
deadline = status.period_deadline(period)
fresh = overview.reporting_freshness(overview.expected_reporters(targets, catalogue_versions.roles_at(period)),
                                     status.reports_by_department(), period, deadline)
render_freshness(fresh, period, deadline)
if status.shows_demo(period):
    st.caption("本页数据含演示数据，并非真实报送。")
