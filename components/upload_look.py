"""Second look in the preview (keys {prefix}_look_*): the warnings a report raises (大幅变动, 不升反降,
全市与区县不一致; core.second_look decides) in a highlighted table, and the 说明 that answers them.

Warnings never refuse a row: a warned row needs its own 备注 or this 说明, and 确认入库 waits for it
(services.submissions.commit refuses without, naming the cells). Shared by file upload and online entry.
"""
from __future__ import annotations

import hashlib
from collections.abc import Hashable

import pandas as pd
import streamlit as st

from services import submissions

NOTE_LABEL = "说明（数据异常的原因）"
_OPEN, _ANSWERED = "#ffe2b3", "#fff8c5"  # drawn colours, not emoji: the 状态 column says it in words


def note_key(prefix: str, identity: Hashable) -> str:
    """One 说明 per previewed report: another file or another period starts empty."""
    digest = hashlib.sha1(repr(identity).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}_look_note_{digest}"


def warnings_table(records: list[dict]) -> pd.DataFrame:
    # The period is in the message ("由 2020Q3 的 … 变为 …"): the room goes to the message.
    return pd.DataFrame([{"位置": r["where"], "指标编号": r["target_id"], "区县": r["district"], "提示": r["kind"],
                          "内容": r["message"], "本行备注": r["row_note"],
                          "状态": "已说明" if r["explained"] else "待说明"} for r in records],
                        columns=["位置", "指标编号", "区县", "提示", "内容", "本行备注", "状态"])


def _highlight(row: pd.Series) -> list[str]:
    return [f"background-color: {_ANSWERED if row['状态'] == '已说明' else _OPEN}"] * len(row)


def render_look(draft: submissions.Draft, *, prefix: str, identity: Hashable) -> str | None:
    """Show the draft's warnings and ask for the 说明. Returns why 确认入库 must wait (None: it may go)."""
    if not draft.warnings:
        return None
    key = note_key(prefix, identity)
    note = str(st.session_state.get(key) or "")
    records = submissions.warning_records(draft, note)
    st.markdown(f"#### 需要说明的数据（{len(records)} 处）")
    st.caption("以下数据与上期相比变动较大、比上期下降或全市与区县数值不一致。数据无误也可以提交："
               "请在该行“备注”中写明原因，或在下方填写本次报送的说明；审核人会看到说明。")
    st.dataframe(warnings_table(records).style.apply(_highlight, axis=1), hide_index=True, width="stretch",
                 key=f"{prefix}_look_table", column_config={"内容": st.column_config.TextColumn(width="large")})
    st.text_area(NOTE_LABEL, key=key, max_chars=submissions.MAX_NOTE,
                 placeholder="写明数据变化的具体原因，例如统计口径调整、项目集中验收、补录往期数据",
                 help=f"不超过 {submissions.MAX_NOTE} 字；填写后即可确认入库")
    waiting = [r for r in records if not r["explained"]]
    if waiting:
        return f"有 {len(waiting)} 处数据需要说明：请填写上方“{NOTE_LABEL}”，或在该行“备注”中写明原因。"
    return None


def note_for_commit(draft: submissions.Draft, prefix: str, identity: Hashable) -> str:
    """The 说明 as typed when 确认入库 is clicked (a callback sees the text typed just before the click)."""
    return str(st.session_state.get(note_key(prefix, identity)) or "") if draft.warnings else ""
