"""Projector slides of a meeting payload: large type sized to the screen height, one message each,
previous/next buttons (← → keys), and the app chrome hidden while presenting. Keys start with mt_."""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from core.meeting import Slide, slides, title_text
from core.meeting_charts import BROWSER_FONT, CHARTS, finish, scaled_to_screen
from core.meeting_tables import slide_table

SLIDE_KEY = "mt_slide"
PREVIEW_HEIGHT = 380  # px of the slide body in the page's preview; on the projector it fills the screen
MAP_HEIGHT = 780  # the district map's nominal size: its width is what a map this high needs
SCREEN_ROWS = 8  # rows that stay readable at 1280×720 with their explanations; longer tables continue on next pages
# Type follows the screen height (vh); on the projector the slide is one screen high (title, body, navigation)
# and the charts stretch to the body's height, so 1280×720 and 1920×1080 both fill the screen.
_SLIDE_CSS = """
<style>
.mt-title.mt-cover { font-size: clamp(32px, 7vh, 80px); }
.mt-title { font-size: clamp(26px, 5.2vh, 60px); font-weight: 700; line-height: 1.2; margin: 0 0 .3em; }
.mt-msg { font-size: clamp(17px, 3.1vh, 36px); color: #0969da; line-height: 1.35; margin: 0 0 .6em; }
.mt-sub { font-size: clamp(16px, 2.8vh, 32px); color: #57606a; }
.mt-count { font-size: clamp(13px, 1.9vh, 22px); color: #57606a; }
.mt-demo { color: #bc4c00; font-weight: 700; font-size: clamp(14px, 2.2vh, 26px); }
table.mt-table { border-collapse: collapse; width: 100%; font-size: clamp(13px, 2.15vh, 26px); }
table.mt-table th, table.mt-table td { border-bottom: 1px solid #d0d7de; padding: .5em .5em; text-align: left;
  vertical-align: top; }
table.mt-table th { background: #f6f8fa; }
</style>
"""
_HIDE_CHROME_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], header { display: none !important; }
[data-testid="stAppViewContainer"] > section, [data-testid="stMain"] { margin-left: 0 !important; }
/* The slide is exactly one screen high: title on top, navigation at the bottom, the body takes the rest. */
[data-testid="stMainBlockContainer"], .block-container { padding: 1.2vh 2.5vw 1vh 2.5vw !important;
  max-width: 100% !important; height: 100vh; box-sizing: border-box; display: flex; flex-direction: column; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { flex: 1 1 0; min-height: 0;
  gap: 1.2vh; }
[data-testid="stLayoutWrapper"]:has(> .st-key-mt_body), .st-key-mt_body { min-height: 0; }
.st-key-mt_body { overflow: auto; }
.st-key-mt_prev button, .st-key-mt_next button { min-height: 5vh; }
.st-key-mt_prev button p, .st-key-mt_next button p { font-size: clamp(14px, 2.2vh, 26px); }
</style>
"""


def hide_chrome() -> None:
    """Nothing but the slide on the projector: no sidebar, header or toolbar."""
    st.html(_HIDE_CHROME_CSS)


@dataclass(frozen=True)
class Page:
    """One screen: a slide, or for a long table one SCREEN_ROWS-row page of it (continued under "（续）")."""

    key: str
    title: str
    message: str
    rows: slice | None = None


def deck(payload: dict) -> list[Page]:
    """The title slide, then the payload's slides, each table in pages of SCREEN_ROWS rows: nothing is cut."""
    title, subtitle = title_text(payload)
    pages = [Page("title", title, subtitle)]
    for s in slides(payload):
        table = None if s.key in CHARTS else slide_table(s.key, payload)
        n = 0 if table is None else len(table)
        if n <= SCREEN_ROWS:
            pages.append(Page(s.key, s.title, s.message))
            continue
        for start in range(0, n, SCREEN_ROWS):
            stop = min(n, start + SCREEN_ROWS)
            head = f"{s.title}（共 {n} 项）" if start == 0 else f"{s.title}（续）第 {start + 1}–{stop} 项"
            pages.append(Page(s.key, head, s.message, slice(start, stop)))
    return pages


def current_index(total: int) -> int:
    index = int(st.session_state.get(SLIDE_KEY, 0))
    return max(0, min(index, total - 1))


def _go(step: int, total: int) -> None:
    st.session_state[SLIDE_KEY] = max(0, min(current_index(total) + step, total - 1))


def slide_nav(total: int) -> None:
    """上一页 / 下一页 with ← and → as keyboard shortcuts, and where we are."""
    index = current_index(total)
    left, mid, right = st.columns([1, 2, 1], vertical_alignment="center")
    left.button("上一页", key="mt_prev", shortcut="Left", disabled=index == 0,
                on_click=_go, args=(-1, total), width="stretch")
    mid.html(f"<div class='mt-count' style='text-align:center'>第 {index + 1} / {total} 页　（键盘 ← → 翻页）</div>")
    right.button("下一页", key="mt_next", shortcut="Right", disabled=index >= total - 1,
                 on_click=_go, args=(1, total), width="stretch")


def render_slide(payload: dict, slide: Page | Slide, fill: bool = False) -> None:
    """The slide's title and message, then its body: on the projector (fill) the body takes the screen height
    left between them and the navigation; in the page's preview charts are PREVIEW_HEIGHT high."""
    st.html(_SLIDE_CSS)
    height = "stretch" if fill else PREVIEW_HEIGHT
    if slide.key == "title":
        demo = "<div class='mt-demo'>演示数据，并非真实报送</div>" if payload.get("is_demo") else ""
        with st.container(key="mt_body", height=height, border=False, vertical_alignment="center"):
            st.html(f"<div class='mt-title mt-cover'>{html.escape(slide.title)}</div>"
                    f"<div class='mt-sub'>{html.escape(slide.message)}</div>{demo}")
        return
    demo = "<span class='mt-demo' style='float:right'>演示数据</span>" if payload.get("is_demo") else ""
    st.html(f"<div class='mt-title'>{html.escape(slide.title)}{demo}</div>"
            f"<div class='mt-msg'>{html.escape(slide.message)}</div>")
    if slide.key in CHARTS:
        with st.container(key="mt_body", height=height, border=False, horizontal=True, gap="large"):
            _charts(slide.key, payload, fill)
    else:
        with st.container(key="mt_body", height="stretch" if fill else "content", border=False):
            table = slide_table(slide.key, payload)
            rows = getattr(slide, "rows", None)
            _table(table if rows is None else table.iloc[rows])  # the preview shows the whole page


def _charts(key: str, payload: dict, fill: bool) -> None:
    """The chart parts side by side, as high as their container. The map keeps the width its builder gives a
    MAP_HEIGHT-high map (its legend stays beside it) and is drawn as large as the height allows inside it.
    On the projector (fill) the charts' type grows with the screen height like the slide's."""
    if key == "districts":
        parts, width = CHARTS[key](payload, MAP_HEIGHT), "content"
    else:
        parts, width = CHARTS[key](payload), "stretch"
    for chart in parts:
        spec = _convert_altair_to_vega_lite_spec(finish(chart, BROWSER_FONT))
        st.vega_lite_chart(scaled_to_screen(spec) if fill else spec, width=width, height="stretch")


def _table(df: pd.DataFrame) -> None:
    if df is None or df.empty:
        st.html("<div class='mt-msg' style='color:#57606a'>（无）</div>")
        return
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    st.html(f"<table class='mt-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def present(payload: dict, fill: bool = False) -> None:
    """One slide of the deck with its navigation; fill: the slide is the whole screen (after hide_chrome)."""
    pages = deck(payload)
    slide = pages[current_index(len(pages))]
    render_slide(payload, slide, fill)
    slide_nav(len(pages))
