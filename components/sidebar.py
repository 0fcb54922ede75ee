"""The sidebar every page shares: title, who is logged in, reporting period, demo-data notice."""
from __future__ import annotations

import streamlit as st

from components.auth_login import gate_viewing, logout, send_cookie
from components.badges import demo_notice
from components.page_style import inject_page_style
from components.period_picker import period_picker
from components.plan_switch import current_plan, link_params, render_selector
from components.supervision_todo import render_todo_badge
from core.settings import load_settings
from core.user_text import md_text
from services.first_admin import still_on_initial_password


def render_sidebar() -> None:
    inject_page_style(load_settings().max_file_mb)
    identity = gate_viewing()  # the login form, when one is needed, belongs in the main area
    if still_on_initial_password(identity):  # in the main area: a phone hides the sidebar
        st.warning("您仍在使用系统生成的初始密码。请到“管理 → 用户管理”为 admin 重置密码；重置后，"
                   "保存初始密码的文件 var/initial-admin-password.txt 会自动删除。")
    with st.sidebar:
        st.markdown("### 湛江市质量提升行动\n督查看板")
        render_selector()  # only while more than one plan exists
        send_cookie()
        if identity is not None:
            st.caption(f"已登录：{md_text(identity.label)}")
            st.button("退出登录", key="au_logout", on_click=logout, args=(identity,))
            render_todo_badge(identity)
        else:
            # Always visible while logged out: 进度填报 and 管理 stay out of the menu until then.
            st.page_link("pages/login.py", label="登录（填报员、督查办）", query_params=link_params())
        period_picker()
        demo_notice()
        plan = current_plan()
        st.caption(f"数据依据：《{md_text(plan.name)}》（{plan.first_period}–{plan.last_period}）")
