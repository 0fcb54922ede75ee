"""湛江质量提升督查看板 — the router: page config, navigation, shared sidebar."""
import streamlit as st

from components.auth_login import current_identity, nav_visibility
from components.page_errors import run_page
from components.page_style import favicon_url
from components.sidebar import render_sidebar
from db.bootstrap import ensure_database
from db.engine import pin_data_version

# A local image: an emoji icon needs a colour-emoji font, and nothing may load from outside.
st.set_page_config(page_title="湛江质量提升督查看板", page_icon=favicon_url(), layout="wide")
ensure_database()
pin_data_version()

identity = current_identity()
# URL paths are stable: officials bookmark them. Menu entries carry no icon: emoji need a colour-emoji
# font (often missing on 统信UOS / 麒麟 desktops) and :material/...: names are not allowed here.
pages = {
    "督查看板": [
        # 总览 is "/" and also "/overview": a page's identity is its URL path, so the same file is
        # registered twice, the second hidden from the menu.
        st.Page("pages/overview.py", title="总览", url_path="", default=True),
        st.Page("pages/overview.py", title="总览", url_path="overview", visibility="hidden"),
        st.Page("pages/targets.py", title="目标指标", url_path="targets"),
        st.Page("pages/tasks.py", title="任务台账", url_path="tasks"),
        st.Page("pages/districts.py", title="区县地图", url_path="districts"),
        st.Page("pages/upload.py", title="进度填报", url_path="upload",
                visibility=nav_visibility(identity, "upload")),
        st.Page("pages/departments.py", title="部门记分卡", url_path="departments"),
        st.Page("pages/meeting.py", title="会议模式", url_path="meeting"),
        st.Page("pages/admin.py", title="管理", url_path="admin",
                visibility=nav_visibility(identity, "admin")),
        # Reached from the sidebar's 登录 link (and bookmarkable as /login).
        st.Page("pages/login.py", title="登录", url_path="login", visibility="hidden"),
    ],
}
page = st.navigation(pages)
render_sidebar()
run_page(page)
