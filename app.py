"""湛江质量提升督查看板 — the router: page config, navigation, shared sidebar."""
import streamlit as st

from components.auth_login import current_identity, nav_visibility
from components.page_errors import run_page
from components.page_style import favicon_url
from components.sidebar import render_sidebar
from services.pages import PAGES, SECTION
from services.runtime import ensure_database, pin_data_version

# A local image: an emoji icon needs a colour-emoji font, and nothing may load from outside.
st.set_page_config(page_title="湛江质量提升督查看板", page_icon=favicon_url(), layout="wide")
ensure_database()
pin_data_version()

identity = current_identity()
pages = {SECTION: [
    st.Page(p.script, title=p.title, url_path=p.url_path, default=p.default,
            visibility="hidden" if p.hidden else nav_visibility(identity, p.role_gate) if p.role_gate else "visible")
    for p in PAGES]}
page = st.navigation(pages)
render_sidebar()
run_page(page)
