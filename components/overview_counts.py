"""Counts of targets and tasks by status: a metric per status word, then bars in the status colours."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.charts import chart_spec, status_count_chart
from components.status_style import status_badge


def render_status_counts(target_counts: pd.DataFrame, task_counts: pd.DataFrame) -> None:
    left, right = st.columns(2)
    with left:
        _block("指标", target_counts)
    with right:
        _block("任务", task_counts)


def _block(kind: str, counts: pd.DataFrame) -> None:
    st.subheader(f"{kind}状态（共 {int(counts['count'].sum())} 个）")
    shown = counts[counts["count"] > 0]
    # The meaning of each word sits beside its colour, so nobody argues about what a colour says.
    for row in shown.itertuples():
        st.markdown(f"{status_badge(row.status)}　**{row.count}** 个 — {row.meaning}", unsafe_allow_html=True)
    # An explicit height: with "content" the bars were squeezed and every other label dropped.
    st.vega_lite_chart(chart_spec(status_count_chart, counts, kind), width="stretch", height=36 * len(counts) + 60)
