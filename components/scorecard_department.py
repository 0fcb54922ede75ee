"""One department on the 部门记分卡: its score and why, its trend, its tasks, targets and reports.

The selector's key "dept" is also the URL parameter (?dept=), so a department's card can be bookmarked.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import url_state
from components.charts import chart_spec
from components.frame_digest import HASH_FRAMES
from components.scorecard_charts import score_trend_chart
from components.scorecard_matrix import DEPT_KEY
from components.status_style import status_cell, status_table
from components.supervision_issue import lost_items, render_issue_picker
from core.reporting import SOURCE_LABELS, SUBMISSION_STATE_LABELS
from core.scorecard import TREND_WORDS, department_items
from core.scoring import DepartmentScore, Scoreboard, submission_timeliness


def department_picker(names: list[str]) -> str:
    index = url_state.restore(DEPT_KEY, names, names[0])
    name = st.selectbox("选择部门（也可点击记分矩阵中的格子）", names, index=index, key=DEPT_KEY, placeholder="请选择…")
    url_state.remember(DEPT_KEY, name, names[0])
    return name


def render_department(board: Scoreboard, cells: pd.DataFrame, submissions: pd.DataFrame, name: str) -> None:
    s = board.score_of(name)
    if s is None or s.score is None:
        st.info(s.lines[0] if s else f"{name} 不在考核名单中。")
        return
    _headline(board, s)
    left, right = st.columns([1.1, 1])
    with left:
        _breakdown(s)
    with right:
        st.markdown("**得分趋势**")
        spec = chart_spec(score_trend_chart, board.history, name)
        st.vega_lite_chart(spec, width="stretch", height=int(spec["height"]))
    for title, view in _item_views(cells, name).items():
        _items(title, view)
    render_issue_picker(lost_items(cells, name), board.period, "sc")  # the office only
    _submissions(submissions)


def _headline(board: Scoreboard, s: DepartmentScore) -> None:
    row = board.ranking[board.ranking["name"] == s.department].iloc[0]
    c1, c2, c3, c4 = st.columns(4)
    change = row["change"]
    c1.metric("得分", f"{s.score:.1f}", delta=None if pd.isna(change) else f"{change:+.1f}（较上期）")
    c2.metric("等级", s.grade)
    c3.metric("名次", f"{int(row['rank'])} / {len(board.ranking)}")
    c4.metric(f"{board.period} 报送", s.timeliness)


def _breakdown(s: DepartmentScore) -> None:
    st.markdown("**得分构成**")
    st.dataframe(pd.DataFrame({
        "考核项": [c.label for c in s.components],
        "满分": [c.points if c.applicable else None for c in s.components],
        "得分": [c.earned if c.applicable else None for c in s.components],
        "扣分": [c.lost if c.applicable else None for c in s.components],
        "说明": [c.note or ("" if c.points == c.weight else f"原 {c.weight:g} 分，已按比例调整") for c in s.components],
    }), hide_index=True, width="stretch", key="sc_breakdown_table",
        column_config={k: st.column_config.NumberColumn(format="%.1f") for k in ("满分", "得分", "扣分")})
    st.markdown("**扣分明细**")
    if not s.deductions and not s.notes:
        st.success("无扣分：各项均达到要求。")
    lines = [f"- {n}" for n in s.notes] + [f"- **{d.text}** —— {d.explanation}" for d in s.deductions]
    if lines:
        st.markdown("\n".join(lines))
    st.caption(f"合计扣 {100 - s.score:.1f} 分，得分 {s.score:.1f}。")


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=HASH_FRAMES)
def _item_views(cells: pd.DataFrame, name: str) -> dict[str, pd.DataFrame]:
    # Cached: picking a department's rows out of the whole matrix and labelling them is a third of a rerun.
    parts = department_items(cells, name)
    return {title: pd.DataFrame({
        "事项": part["label"],
        "状态": part["status"].map(status_cell),
        "趋势": part["trend"] + " " + part["trend"].map(TREND_WORDS),
        "说明": part["explanation"],
    }) for title, part in (("牵头的任务", parts["lead_tasks"]), ("参与的任务", parts["join_tasks"]),
                           ("牵头的指标", parts["targets"]))}


def _items(title: str, view: pd.DataFrame) -> None:
    st.markdown(f"**{title}（{len(view)}）**")
    if view.empty:
        st.caption("无")
        return
    frame, colours = status_table(view)
    st.dataframe(frame, hide_index=True, width="stretch", key=f"sc_items_{title}",
                 column_config={**colours, "说明": st.column_config.TextColumn(width="large")})


def _submissions(subs: pd.DataFrame) -> None:
    st.markdown(f"**报送记录（{len(subs)}）**")
    if subs.empty:
        st.caption("尚无报送。")
        return
    view = _submission_view(subs)
    if subs["is_demo"].astype(bool).any():
        st.caption("以下报送含演示数据，并非真实报送。")
    st.dataframe(view, hide_index=True, width="stretch", key="sc_submissions_table")


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=HASH_FRAMES)
def _submission_view(subs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "报告期": subs["period_code"],
        "报送时间（北京时间）": subs["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "截止日": subs["deadline"],
        "及时性": submission_timeliness(subs),
        "状态": subs["state"].map(SUBMISSION_STATE_LABELS).fillna(subs["state"]),
        "来源": subs["source"].map(SOURCE_LABELS).fillna(subs["source"]),
        "被拒收行": subs["rejected"],
    })
