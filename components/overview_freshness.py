"""Reporting freshness: which departments owe a report for the period and have not sent it."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.status_style import status_table
from core.overview import freshness_sentence


def render_freshness(fresh: pd.DataFrame, period: str, deadline) -> None:
    st.subheader("报送情况")
    sentence = freshness_sentence(fresh, period)
    (st.warning if (~fresh["reported"]).any() else st.success)(sentence)
    if deadline is not None:
        st.caption(f"{period} 报送截止：{deadline:%Y年%m月%d日}；“逾期报送”指首次报送晚于截止日。")
    view = pd.DataFrame({
        "部门": fresh["department"],
        "本期": fresh["state"],
        "首次报送时间": fresh["reported_at"].map(lambda t: "" if pd.isna(t) else f"{t:%Y-%m-%d %H:%M}"),
        "最近报送的报告期": fresh["last_period"].replace("", "从未报送"),
    })
    frame, colours = status_table(view, "本期")
    st.dataframe(frame, hide_index=True, width="stretch", key="ov_freshness", height=320, column_config=colours)
