"""湛江质量提升督查看板 — the router: page config, navigation, shared sidebar."""
import streamlit as st

from components.auth_login import current_identity, nav_visibility
from components.sidebar import render_sidebar
from services.runtime import ensure_database, pin_data_version

st.set_page_config(page_title="湛江质量提升督查看板", page_icon="📊", layout="wide")
ensure_database()
pin_data_version()

identity = current_identity()
# URL paths are stable: officials bookmark them.
pages = {
    "督查看板": [
        # 总览 is "/" and also "/overview": a page's identity is its URL path, so the same file is
        # registered twice, the second hidden from the menu.
        st.Page("pages/overview.py", title="总览", icon="🏠", url_path="", default=True),
        st.Page("pages/overview.py", title="总览", icon="🏠", url_path="overview", visibility="hidden"),
        st.Page("pages/targets.py", title="目标指标", icon="🎯", url_path="targets"),
        st.Page("pages/tasks.py", title="任务台账", icon="📋", url_path="tasks"),
        st.Page("pages/districts.py", title="区县地图", icon="🗺️", url_path="districts"),
        st.Page("pages/upload.py", title="进度填报", icon="📤", url_path="upload",
                visibility=nav_visibility(identity, "upload")),
        st.Page("pages/departments.py", title="部门记分卡", icon="🏅", url_path="departments"),
        st.Page("pages/meeting.py", title="会议模式", icon="📽️", url_path="meeting"),
        st.Page("pages/admin.py", title="管理", icon="🔧", url_path="admin",
                visibility=nav_visibility(identity, "admin")),
    ],
}
page = st.navigation(pages)
render_sidebar()
page.run()
