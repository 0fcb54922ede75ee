"""Text typed by people (names, reasons, decisions): how long it may be, and how to show it as text.

Pure logic. Every form that stores user text checks it with `text_problem` before any write (a refused
value writes nothing, not even an audit row with the unbounded text); every place that renders user
text through Streamlit's markdown (st.markdown, st.caption, st.success/error/info, labels) passes it
through `md_text`, so a snapshot name like "[请点此重新登录](http://x)" or "![](http://x/a.png)" shows
as typed, links no one anywhere and fetches nothing.
"""
from __future__ import annotations

import re

# Limits in characters. A name fits on a slide title; a reason or decision is a paragraph.
USERNAME_MAX = 64
DISPLAY_NAME_MAX = 64
PASSWORD_MAX = 256  # argon2 hashes any length; this only bounds the work and the request
REASON_MAX = 500
DECISION_MAX = 2000
SNAPSHOT_NAME_MAX = 100

_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character: CommonMark escapes them all


def text_problem(label: str, value: str, limit: int, *, required: bool = False) -> str | None:
    """Why `value` is refused, in Chinese (naming the field and the fix); None when acceptable."""
    if required and not value.strip():
        return f"请填写{label}"
    if len(value) > limit:
        return f"{label}过长（{len(value)} 个字符），最多 {limit} 个字符；请删减后再提交"
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        return f"{label}含有不可见的控制字符，请重新输入"
    return None


def clip(value: str, limit: int = USERNAME_MAX) -> str:
    """A bounded copy for logs (e.g. the name typed at a failed login): never unbounded text in the audit log."""
    return value if len(value) <= limit else value[:limit] + "…"


def md_text(value: object) -> str:
    """`value` as literal text inside Streamlit markdown: punctuation backslash-escaped, lines kept as lines."""
    text = _MD_SPECIAL.sub(r"\\\1", str(value))
    return text.replace("\r", "").replace("\n", "  \n")
