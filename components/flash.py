"""One-shot messages set in a button callback and shown on the next run (the callback cannot draw)."""
from __future__ import annotations

import streamlit as st


def show_flash(done_key: str, error_key: str) -> None:
    done = st.session_state.pop(done_key, None)
    if done:
        st.success(done)
    error = st.session_state.pop(error_key, None)
    if error:
        st.error(error)
