"""湛江质量提升督查看板 — the router: page config, navigation, shared sidebar."""
import streamlit as st

from components import cache_guard
from components.auth_login import current_identity, nav_visibility
from components.page_errors import run_page
from components.page_style import favicon_url
from components.plan_switch import choose_plan, render_notices
from components.sidebar import render_sidebar
from services.pages import PAGES, SECTION
from services.runtime import ensure_database, pin_data_version

# A local image: an emoji icon needs a colour-emoji font, and nothing may load from outside.
st.set_page_config(page_title="湛江质量提升督查看板", page_icon=favicon_url(), layout="wide")
cache_guard.install()  # only a logged-in 管理员 may clear the server's caches
# Which plan this session sees, settled before any read (the database and every cache follow it).
choose_plan()
ensure_database()
pin_data_version()

identity = current_identity()
pages = {SECTION: [
    st.Page(p.script, title=p.title, url_path=p.url_path, default=p.default,
            visibility="hidden" if p.hidden else nav_visibility(identity, p.role_gate) if p.role_gate else "visible")
    for p in PAGES]}
page = st.navigation(pages)
render_sidebar()
render_notices()  # an unknown ?plan=, an archived plan's read-only banner
run_page(page)
