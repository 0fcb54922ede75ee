"""How a status looks: the word itself, on a cell or badge the app paints in the status colour.

Colour is drawn by the app (an SVG swatch beside the word in st.dataframe, an HTML badge in markdown), never by
an emoji: PCs without a colour-emoji font (统信UOS / 麒麟) show emoji dots as empty boxes. The word
always stands in the cell, so colour is never the only cue.
"""
from __future__ import annotations

import base64
import html
from functools import lru_cache

import pandas as pd
import streamlit as st

from core.status import ALL_KINDS

# Reporting states of 总览's 报送情况 (not statuses of the engine) in the same palette.
_EXTRA = {"按时报送": "#1a7f37", "逾期报送": "#d4a72c", "未报送": "#8c959f"}
# Light backgrounds need dark text to stay readable.
_DARK_TEXT = {"#d4a72c", "#8c959f"}


def status_cell(label: str | None) -> str:
    """The text of a status cell: the status word (the colour comes from status_table or status_badge)."""
    return label if isinstance(label, str) else ""


def status_color(label: str | None) -> str | None:
    if not isinstance(label, str):
        return None
    kind = ALL_KINDS.get(label)
    return kind.color if kind else _EXTRA.get(label)


def _css(label) -> str:
    color = status_color(label)
    if color is None:
        return ""
    text = "#1f2328" if color in _DARK_TEXT else "#ffffff"
    return f"background-color: {color}; color: {text}; font-weight: 600"


SWATCH = "色标"  # the header of the colour column beside a status column


@lru_cache(maxsize=64)
def swatch(color: str | None) -> str | None:
    """A coloured rounded square as an SVG data URL (st.column_config.ImageColumn): no font involved."""
    if not isinstance(color, str) or not color:
        return None
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='28' height='18' viewBox='0 0 28 18'>"
           f"<rect x='1' y='1' width='26' height='16' rx='4' fill='{color}'/></svg>")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@lru_cache(maxsize=1024)
def bar(percent: int, color: str | None) -> str | None:
    """A progress bar in the status colour as an SVG data URL (ProgressColumn has one colour for a column)."""
    if percent < 0:
        return None
    fill = color or "#8c959f"
    w = round(96 * min(percent, 100) / 100)
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='100' height='14' viewBox='0 0 100 14'>"
           f"<rect x='2' y='2' width='96' height='10' rx='3' fill='#eaeef2'/>"
           f"<rect x='2' y='2' width='{w}' height='10' rx='3' fill='{fill}'/></svg>")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def status_table(view: pd.DataFrame, column: str = "状态", bars: str | None = None) -> tuple[pd.DataFrame, dict]:
    """`view` with a colour swatch before its status column (and, with `bars`, a 进度 bar in the row's status
    colour before that percent column), and the column_config drawing them. Images, not a pandas Styler:
    a Styler costs 10-500 ms per table per rerun, the swatches a dictionary look-up."""
    if column not in view.columns:
        return view, {}
    colors = [status_color(v) for v in view[column]]  # a list: pandas would turn None into NaN
    out = view.copy()
    out.insert(out.columns.get_loc(column), SWATCH, [swatch(c) for c in colors])
    config = {SWATCH: st.column_config.ImageColumn(SWATCH, width=44, help="状态的颜色")}
    if bars and bars in out.columns:
        pct = out[bars].map(lambda v: -1 if v is None or pd.isna(v) else int(round(float(v))))
        out.insert(out.columns.get_loc(bars), "进度", [bar(p, c) for p, c in zip(pct, colors)])
        config["进度"] = st.column_config.ImageColumn("进度", width=110, help="完成比例，颜色同状态")
    return out, config


def status_badge(label: str | None) -> str:
    """An HTML badge (for st.markdown(..., unsafe_allow_html=True)): the word on its colour."""
    text = html.escape(status_cell(label))
    css = _css(label)
    if not css:
        return text
    return (f"<span class='zj-status' style='{css};padding:1px 8px;border-radius:10px;white-space:nowrap'>"
            f"{text}</span>")


def status_metric(container, title: str, label: str | None) -> None:
    """A metric-like block whose value is the status badge (st.metric can only show plain text)."""
    container.markdown(
        f"<div class='zj-metric'><div style='font-size:14px;color:#31333f;margin-bottom:6px'>{html.escape(title)}"
        f"</div><div style='font-size:22px;line-height:1.6'>{status_badge(label)}</div></div>",
        unsafe_allow_html=True)
