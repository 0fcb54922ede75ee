"""Download of the 通报 workbook (key sc_download). Built only when clicked, not on every rerun."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from core.bulletin import build_bulletin
from core.scoring import Scoreboard
from core.timeutil import CHINA_TZ

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bulletin_button(board: Scoreboard, demo: bool) -> None:
    st.download_button(
        "下载通报（Excel）", data=lambda: build_bulletin(board, datetime.now(CHINA_TZ).date(), demo),
        file_name=f"部门记分卡通报-{board.period}.xlsx", mime=MIME, key="sc_download", on_click="ignore",
        help="排名、区县排名、滞后清单、扣分明细和评分规则；横向 A4、按页宽打印、每页重复表头",
    )
