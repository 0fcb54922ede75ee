"""What the 进度填报 widgets share: the plan catalogue, the reporting periods and who is filling in."""
from __future__ import annotations

import streamlit as st

from core.catalogue import Catalogue, load_catalogue
from db import cached

CITY_TEMPLATE = "全市（督查办汇总）"
USER_KEY = "up_user"


@st.cache_resource(show_spinner=False)
def catalogue() -> Catalogue:
    # The CSV catalogue changes only with a deployment, so one copy per server process is enough.
    return load_catalogue()


def period_codes() -> list[str]:
    return cached.periods()["code"].tolist()


def period_label(code: str) -> str:
    year, q = code.split("Q")
    return f"{year}年第{'一二三四'[int(q) - 1]}季度（{code}）"


def user_name() -> str:
    """The name recorded on submissions and undos (the dashboard has no login yet)."""
    return st.text_input("填报人", key=USER_KEY, placeholder="请输入姓名，入库和撤销时记录",
                         help="记录在报送记录中，便于追溯").strip()
