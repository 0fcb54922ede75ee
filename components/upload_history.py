"""Submission history (keys up_hist_*): who reported what and when, the original file, and undo."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.frame_digest import HASH_FRAMES
from components.upload_common import catalogue, own_department, period_codes
from core.auth import Identity
from core.reporting import SOURCE_LABELS, SUBMISSION_STATE_LABELS
from db import cached
from db.imports import CommitRefused, submission_file, undo_submission
from db.submission_reads import submission_history

ALL = "全部"


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=HASH_FRAMES)
def history_table(df: pd.DataFrame) -> pd.DataFrame:
    # Cached: a province's history is thousands of rows, formatted again on every rerun otherwise.
    demo = df["is_demo"].map({True: "（演示数据）", False: ""})
    return pd.DataFrame({
        "编号": df["id"],
        "报送时间": df["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "部门": df["department"].fillna("全市"),
        "报告期": df["period_code"].fillna(""),
        "方式": df["source"].map(SOURCE_LABELS).fillna(df["source"]),
        "文件": df["filename"],
        "填报人": df["user_name"],
        "读取": df["rows_read"], "新增": df["inserted"], "变更": df["updated"], "未变": df["unchanged"],
        "问题行": df["rejected"],
        "状态": df["state"].map(SUBMISSION_STATE_LABELS).fillna(df["state"]) + demo,
        "审核人": df["reviewed_by"].fillna(""),
        "退回原因": df["review_reason"].fillna(""),
        "撤销人": df["undone_by"],
    })


def render_history(identity: Identity) -> None:
    undone = st.session_state.pop("up_hist_undone", None)
    if undone:
        st.success(f"已撤销提交 {undone}：其数据不再计入，之前的数据已恢复为当前值；撤销操作已记录。")
    own = own_department(identity)
    left, right = st.columns(2)
    options = [ALL, *catalogue().department_names()] if own is None else [own]
    department = left.selectbox("部门", options, key="up_hist_dept", placeholder="请选择…")
    period = right.selectbox("报告期", [ALL, *reversed(period_codes())], key="up_hist_period", placeholder="请选择…")
    df = cached.read(submission_history, None if department == ALL else department, None if period == ALL else period)
    if df.empty:
        st.caption("暂无报送记录。")
        return
    render_returned(df)
    if df["is_demo"].any():
        st.caption("标注“演示数据”的记录为系统生成的演示数据，并非真实报送。")
    st.dataframe(history_table(df), hide_index=True, width="stretch")
    text = (df["id"].astype(str) + " · " + df["department"].fillna("全市") + " · " + df["period_code"].fillna("")
            + " · " + df["filename"])
    labels = dict(zip(df["id"].astype(int), text))
    chosen = st.selectbox("选择一条记录", list(labels), key="up_hist_pick",
                          placeholder="请选择…", format_func=labels.get)
    row = df.set_index("id").loc[chosen]
    if bool(row["has_file"]):
        st.download_button("下载原始文件", data=lambda: submission_file(chosen)[1], file_name=row["filename"],
                           key="up_hist_download", on_click="ignore")
    if row["state"] == "undone":
        st.caption(f"该次提交已由 {row['undone_by']} 撤销。")
        return
    if row["state"] == "returned":
        st.caption(f"该次提交已由 {row['reviewed_by']} 退回：{row['review_reason']}")
        return
    _render_undo(chosen, identity.username, own)


def render_returned(df: pd.DataFrame) -> None:
    """Returned submissions first, with the office's reason, so the department knows what to correct."""
    for r in df[df["state"] == "returned"].head(5).itertuples():
        st.warning(f"提交 {r.id}（{r.filename}，{r.period_code or ''}）已被督查办退回：{r.review_reason}。"
                   "请按退回原因修改后重新上传。")


def _render_undo(submission_id: int, user: str, department: str | None) -> None:
    confirmed = st.checkbox(f"确认撤销提交 {submission_id}：其数据不再计入，之前的数据恢复为当前值",
                            key=f"up_hist_confirm_{submission_id}")
    st.button("撤销该次提交", key="up_hist_undo", disabled=not confirmed, on_click=_undo,
              args=(submission_id, user, department))
    error = st.session_state.pop("up_hist_error", None)
    if error:
        st.error(error)


def _undo(submission_id: int, user: str, department: str | None) -> None:
    # In the callback, so the undo happens once, before the page is drawn again with its result.
    try:
        undo_submission(submission_id, user, department)
    except CommitRefused as exc:
        st.session_state["up_hist_error"] = str(exc)
        return
    st.session_state["up_hist_undone"] = submission_id
