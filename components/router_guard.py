"""Keep every page behind the router in app.py.

Streamlit treats a folder named pages/ beside the main script as a legacy multipage app
until st.navigation has run once in the server process; the first visitor of a bookmarked
URL such as /targets would then get the page without the router (no sidebar, no page
config). Pages call ensure_router() first: it switches the server to the router and reruns.
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_router() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
