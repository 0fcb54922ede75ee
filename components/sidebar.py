"""The sidebar every page shares: title, reporting period, demo-data notice."""
from __future__ import annotations

import streamlit as st

from components.badges import demo_notice
from components.period_picker import period_picker


def render_sidebar() -> None:
    with st.sidebar:
        st.markdown("### 湛江市质量提升行动\n督查看板")
        period_picker()
        demo_notice()
        st.caption("数据依据：《湛江市开展质量提升行动的方案》及附件《工作任务分解表》")
