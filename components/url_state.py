"""Keep a widget's value in the URL so officials can bookmark and share a view.

Streamlit's own bind="query-params" does not apply to widgets with a format_func
or to widgets drawn by the router script, so the few bookmarkable widgets sync here.
"""
from __future__ import annotations

from typing import Sequence

import streamlit as st


def restore(key: str, options: Sequence, default) -> int | None:
    """Seed the widget `key` from ?key= on first render; returns the index to pass to the widget."""
    if key not in st.session_state:
        wanted = st.query_params.get(key)
        if wanted is not None and wanted in [str(o) for o in options]:
            st.session_state[key] = next(o for o in options if str(o) == wanted)
            return None
        return list(options).index(default) if default in options else 0
    return None


def remember(key: str, value, default) -> None:
    if value is None or value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
