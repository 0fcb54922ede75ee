"""How 督办 colours and states look: drawn badges (CSS), never emoji, so they show on any intranet PC."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core import supervision as sv

_LABELS = {sv.RED: "红色督办", sv.YELLOW: "黄色督办", sv.BLUE: "蓝色督办", sv.NONE: "不分色（已销号或无预警）"}
_STATE_HEX = {sv.PENDING_ACK: "#8250df", sv.IN_PROGRESS: "#0969da", sv.PENDING_VERIFY: "#bf8700",
              sv.CLOSED: "#1a7f37"}


def _pill(text: str, background: str) -> str:
    return (f'<span style="display:inline-block;background:{background};color:#fff;border-radius:0.7em;'
            f'padding:0.05em 0.6em;margin-right:0.3em;font-size:0.85em;line-height:1.5">{html.escape(text)}</span>')


def colour_badge(colour: str, count: int | None = None) -> str:
    text = _LABELS.get(colour, colour) + (f" {count}" if count is not None else "")
    return _pill(text, sv.COLOUR_HEX.get(colour, "#8c959f"))


def state_badge(state: str, count: int | None = None) -> str:
    base = state.split("（")[0]
    return _pill(state + (f" {count}" if count is not None else ""), _STATE_HEX.get(base, "#57606a"))


def badges(parts: list[str]) -> None:
    """A row of badges; every text in them is escaped (the HTML is only the badges' own style)."""
    st.markdown(" ".join(parts), unsafe_allow_html=True)


def colour_cells(frame: pd.DataFrame, column: str = "颜色"):
    """A Styler that paints the colour column (st.dataframe draws it on its canvas)."""
    def paint(value):
        hexcode = sv.COLOUR_HEX.get(str(value).replace("色督办", ""), None)
        return f"background-color: {hexcode}; color: #fff" if hexcode and value != sv.NONE else ""

    return frame.style.map(paint, subset=[column])


def colour_word(colour: str) -> str:
    return _LABELS.get(colour, colour)


_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:")


def md(text: object) -> str:
    """Text typed by people (decisions, reasons) made inert in st.markdown: no links, images (which would load
    from outside), emphasis or formulas."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text)).replace("\n", " ")
