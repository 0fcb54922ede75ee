"""Run a page so that an unexpected error shows our own Chinese message, never Streamlit's English box.

Streamlit's exception box carries the traceback in English and "Ask Google / Ask ChatGPT" links to
outside sites; officials can do nothing with either. The error goes to the service log in full
(with the page and a reference the official can quote), the sidebar and whatever the page drew
before the error stay on screen.
"""
from __future__ import annotations

import logging
from datetime import datetime

import streamlit as st

from core.timeutil import CHINA_TZ

log = logging.getLogger("zj.page")
# In every such message: service/warm_start.py counts a page showing it as failed.
ERROR_MARK = "系统内部出错"


def run_page(page) -> None:
    # st.stop / st.rerun / st.switch_page raise BaseException subclasses: they pass through untouched.
    try:
        page.run()
    except Exception:
        ref = datetime.now(CHINA_TZ).strftime("%Y%m%d-%H%M%S")
        log.exception("页面 /%s 出错（编号 %s）", getattr(page, "url_path", ""), ref)
        show_error(ref)


def show_error(ref: str) -> None:
    st.error(f"本页有一部分未能显示：{ERROR_MARK}，已记入服务日志（编号 {ref}）。"
             "请刷新页面或改选其他条件再试；如仍出错，请把编号告知督查办。")
