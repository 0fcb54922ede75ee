"""How a status looks: the word itself, on a cell or badge the app paints in the status colour.

Colour is drawn by the app (a Styler background in st.dataframe, an HTML badge in markdown), never by
an emoji: PCs without a colour-emoji font (统信UOS / 麒麟) show emoji dots as empty boxes. The word
always stands in the cell, so colour is never the only cue.
"""
from __future__ import annotations

import html

import pandas as pd

from core.status import ALL_KINDS

# Reporting states of 总览's 报送情况 (not statuses of the engine) in the same palette.
_EXTRA = {"按时报送": "#1a7f37", "逾期报送": "#d4a72c", "未报送": "#8c959f"}
# Light backgrounds need dark text to stay readable.
_DARK_TEXT = {"#d4a72c", "#8c959f"}


def status_cell(label: str | None) -> str:
    """The text of a status cell: the status word (colour comes from style_status)."""
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


def style_status(view: pd.DataFrame, columns: tuple[str, ...] = ("状态",), bars: tuple[str, ...] = ()):
    """A Styler painting the status columns of `view` (for st.dataframe); the `bars` columns (text from
    progress_bar) are drawn in the colour of the row's status, so a completed task's bar is green."""
    present = [c for c in columns if c in view.columns]
    if not present:
        return view
    styler = view.style.map(_css, subset=present)
    shown_bars = [c for c in bars if c in view.columns]
    if shown_bars:
        status = view[present[0]]
        colours = [f"color: {status_color(v)}" if status_color(v) else "" for v in status]
        styler = styler.apply(lambda col: colours, subset=shown_bars, axis=0)
    return styler


def progress_bar(percent: float | None, cells: int = 10) -> str:
    """A progress bar as text (block characters, in every CJK font) that style_status can colour by status:
    st.column_config.ProgressColumn has one colour for the whole column."""
    if percent is None or pd.isna(percent):
        return "—"
    p = min(max(float(percent), 0.0), 100.0)
    full = round(p / 100 * cells)
    return "█" * full + "░" * (cells - full) + f" {p:.0f}%"


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
