"""Labels that must show wherever demo data shows."""
from __future__ import annotations

import streamlit as st

from components.plan_switch import current_plan, several_plans
from core.user_text import md_text
from services import cache

DEMO_LABEL = "演示数据"


def demo_notice() -> None:
    """Sidebar notice while the database holds demo data."""
    if cache.demo_present():
        st.badge(DEMO_LABEL, color="orange")
        # Plain words, no command in code type: a code span makes every page fetch a second font.
        st.caption("当前显示的进展数据为演示数据，并非真实报送；管理员可在服务器上删除（见使用说明“演示数据”）。")


def page_title(title: str, caption: str | None = None) -> None:
    """Page heading with the demo badge beside it, so no screenshot loses the label."""
    left, right = st.columns([0.8, 0.2], vertical_alignment="center")
    left.title(title)
    if cache.demo_present():
        right.badge(DEMO_LABEL, color="orange", help="本页进展数据含演示数据，并非真实报送")
    if several_plans():  # which plan the page shows, beside its title
        plan = current_plan()
        st.caption(f"方案：《{md_text(plan.name)}》（{plan.first_period}–{plan.last_period}）")
    if caption:
        st.caption(caption)
