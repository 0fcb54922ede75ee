"""The reporting period shared by all pages (key "period", kept in the URL as ?period=)."""
from __future__ import annotations

import streamlit as st

from components import url_state
from services import cache

KEY = "period"


def period_picker() -> str:
    codes = cache.periods()["code"].tolist()
    index = url_state.restore(KEY, codes, codes[-1])
    value = st.selectbox("报告期", codes, index=index, key=KEY, format_func=_label, help="查看截至该季度已知的数据",
                         placeholder="请选择报告期")
    url_state.remember(KEY, value, codes[-1])
    if value is None:
        # Cleared with its ⊗: the pages go on with the latest period and say so.
        st.caption(f"未选择报告期，各页按最新报告期 {_label(codes[-1])} 显示。")
        return codes[-1]
    return value


def current_period() -> str:
    """The period chosen in the sidebar (the latest one before the sidebar first renders, or when cleared)."""
    value = st.session_state.get(KEY)
    return value or cache.periods()["code"].iloc[-1]


def _label(code: str) -> str:
    year, q = code.split("Q")
    return f"{year}年第{'一二三四'[int(q) - 1]}季度（{code}）"
