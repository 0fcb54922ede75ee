"""How a status looks in tables: a coloured dot before the word, so colour is never the only cue."""
from __future__ import annotations

from core.status import ALL_KINDS

_DOTS = {"#1a7f37": "🟢", "#2da44e": "🟢", "#d4a72c": "🟡", "#cf222e": "🔴", "#82071e": "🔴",
         "#8c959f": "⚪", "#0969da": "🔵"}


def status_cell(label: str | None) -> str:
    if not isinstance(label, str):
        return ""
    kind = ALL_KINDS.get(label)
    return f"{_DOTS.get(kind.color, '')} {label}" if kind else label
