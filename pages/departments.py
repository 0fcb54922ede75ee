"""部门记分卡: each department's score for the period, why it lost points, the ranking and the 通报;
with ?view=annual the 年度考核 view (components/assessment_view.py) instead."""
import streamlit as st

from components.assessment_view import chosen_view, render_annual_view
from components.badges import page_title
from components.period_picker import current_period
from components.plan_switch import plan_file
from components.router_guard import ensure_router
from components.scorecard_department import department_picker, render_department
from components.scorecard_export import bulletin_button
from components.scorecard_matrix import render_matrix
from components.scorecard_ranking import render_county_ranking, render_ranking
from services import cache, scoring

ensure_router()
page_title("部门记分卡", "按《方案》督察考核要求，逐部门、逐季度评分：每一分扣在哪里都列明。")
if chosen_view() == "annual":
    render_annual_view()
    st.stop()  # the quarterly view below is not drawn
period = current_period()
board, cells = scoring.scoreboard_and_matrix(period)

top_left, top_right = st.columns([0.75, 0.25], vertical_alignment="center")
with top_left.expander("评分规则", expanded=False):
    st.markdown("\n".join(f"{i}. {line}" for i, line in enumerate(board.rule_lines, 1)))
    st.caption(f"规则及权重写在 `{plan_file('scoring.toml')}`，修改后重启看板即生效。")
with top_right:
    bulletin_button(board, cache.demo_present())

render_ranking(board.ranking, period, board.previous_period)

st.divider()
st.subheader("部门详情")
names = [s.department for s in board.scores if s.score is not None]
if names:
    name = department_picker(names)
    render_department(board, cells, scoring.department_submissions(name), name)

st.divider()
render_matrix(cells, board.ranking, board.previous_period)

st.divider()
render_county_ranking(board.county_ranking, board.county_scores, period)
