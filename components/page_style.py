"""The one stylesheet the app injects on every page: Chinese for Streamlit's built-in English, and the phone view.

Streamlit 1.67 has no setting for the texts of its widgets, so the few English strings a user sees are
hidden (display:none, so they are not read out either) and replaced by generated Chinese content.
Below 640 px (a phone opening a link from 政务微信 / 粤政易) the page keeps to the screen's width:
columns stack, wide charts and tables scroll inside their own box, long words wrap.
"""
from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

import streamlit as st

FAVICON = Path(__file__).resolve().parents[1] / "assets" / "favicon.png"

_UPLOADER = """
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "选择文件"; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "或把文件拖到这里；每个文件不超过 __LIMIT__ MB，格式 xlsx、xlsm、xls、csv"; font-size: 14px; opacity: .75; }
"""

# The keyboard users' skip link (shown on focus): same link, Chinese words. The running indicator's
# button (the file watcher is off, so it only ever reads "Stop") and the connection state ("Connecting",
# when the server restarts): the same elements, in Chinese. Streamlit's "Connection error" dialog after
# a long outage stays English (no stable hook to restyle it).
_SKIP = """
[data-testid="stSkipToContent"] { font-size: 0 !important; }
[data-testid="stSkipToContent"]::after { content: "跳到正文"; font-size: 16px; }
[data-testid="stStatusWidget"] button { font-size: 0 !important; }
[data-testid="stStatusWidget"] button::after { content: "停止"; font-size: 14px; }
[data-testid="stConnectionStatus"] > :last-child { font-size: 0 !important; }
[data-testid="stConnectionStatus"] > :last-child::after { content: "正在连接服务器…"; font-size: 14px; }
"""

_PHONE = """
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 12px !important; padding-right: 12px !important;
                                         padding-top: 48px !important; max-width: 100vw; }
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; gap: 8px !important; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    min-width: 100% !important; flex: 1 1 100% !important; }
  [data-testid="stMain"] { overflow-x: hidden; }
  [data-testid="stElementContainer"], [data-testid="stVerticalBlock"] { max-width: 100%; }
  [data-testid="stVegaLiteChart"], [data-testid="stDeckGlJsonChart"], [data-testid="stDataFrame"] {
    max-width: 100%; overflow-x: auto; }
  [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], [data-testid="stAlert"] {
    overflow-wrap: anywhere; word-break: break-word; }
  [data-testid="stMetricValue"] { font-size: 1.4rem !important; white-space: normal !important; }
  h1 { font-size: 1.6rem !important; }
  [data-testid="stTabs"] [role="tablist"] { overflow-x: auto; }
}
"""


def inject_page_style(upload_limit_mb: float) -> None:
    css = _UPLOADER.replace("__LIMIT__", f"{upload_limit_mb:g}") + _SKIP + _PHONE
    st.html(f"<style>{css}</style>")


@lru_cache(maxsize=1)
def favicon_url() -> str:
    """The tab icon as a data URL, read once per process: st.set_page_config passes a data URL through
    untouched, where a file path is decoded and re-registered on every run (about 13 ms a page)."""
    return "data:image/png;base64," + base64.b64encode(FAVICON.read_bytes()).decode()
