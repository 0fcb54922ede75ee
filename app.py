"""湛江质量提升督查看板 — the router: page config, navigation, shared sidebar."""
import streamlit as st

from components.sidebar import render_sidebar
from db.bootstrap import ensure_database

st.set_page_config(page_title="湛江质量提升督查看板", page_icon="📊", layout="wide")
ensure_database()

# URL paths are stable: officials bookmark them.
pages = {
    "督查看板": [
        st.Page("pages/targets.py", title="目标指标", icon="🎯", url_path="targets", default=True),
    ],
}
page = st.navigation(pages)
render_sidebar()
page.run()
