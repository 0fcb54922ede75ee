"""Submission history (keys up_hist_*): who reported what and when, the original file, and undo."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.frame_digest import HASH_FRAMES
from components.plan_switch import read_only_reason
from components.upload_common import caller, catalogue, own_department, period_codes
from core.auth import Identity, may_administer
from core.reporting import COUNTED_STATES, SOURCE_LABELS, SUBMISSION_STATE_LABELS
from core.user_text import md_text
from services import submissions
from services.history import submission_history

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
        "说明": df["note"].fillna(""),  # the 说明 that answered the second look's warnings
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
    df = submission_history(None if department in (ALL, None) else department,
                            None if period in (ALL, None) else period)
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
        st.download_button("下载原始文件", data=lambda: submissions.original_file(chosen)[1], file_name=row["filename"],
                           key="up_hist_download", on_click="ignore")
    if row["state"] == "undone":
        st.caption(f"该次提交已由 {md_text(row['undone_by'])} 撤销。")
        return
    if row["state"] == "returned":
        st.caption(f"该次提交已由 {md_text(row['reviewed_by'])} 退回：{md_text(row['review_reason'])}")
        return
    if row["state"] in COUNTED_STATES and not may_administer(identity):
        # Issue 14: counted data is withdrawn by the office only (with a reason); a department corrects it
        # by reporting again.
        st.caption("该次提交已计入各页面；如需更正，请重新报送，或请督查办撤销。")
        return
    _render_undo(chosen, identity, counted=row["state"] in COUNTED_STATES)


def render_returned(df: pd.DataFrame) -> None:
    """Returned submissions first, with the office's reason, so the department knows what to correct."""
    for r in df[df["state"] == "returned"].head(5).itertuples():
        st.warning(f"提交 {r.id}（{md_text(r.filename)}，{r.period_code or ''}）"
                   f"已被督查办退回：{md_text(r.review_reason)}。"
                   "请按退回原因修改后重新上传。")


def _render_undo(submission_id: int, identity: Identity, counted: bool) -> None:
    confirmed = st.checkbox(f"确认撤销提交 {submission_id}：其数据不再计入，之前的数据恢复为当前值",
                            key=f"up_hist_confirm_{submission_id}")
    if counted:
        st.text_input("撤销原因", key=_reason_key(submission_id), max_chars=submissions.MAX_REASON,
                      placeholder="撤销已计入的数据须填写原因，记入审计日志")
    read_only = read_only_reason()  # an archived plan: the write refuses too
    st.button("撤销该次提交", key="up_hist_undo", disabled=not confirmed or read_only is not None, on_click=_undo,
              args=(submission_id, identity), help=read_only)
    error = st.session_state.pop("up_hist_error", None)
    if error:
        st.error(error)


def _reason_key(submission_id: int) -> str:
    return f"up_hist_reason_{submission_id}"


def _undo(submission_id: int, identity: Identity) -> None:
    # In the callback, so the undo happens once, before the page is drawn again with its result; the
    # account and the rules (services.submissions.undo) are checked inside the write.
    reason = st.session_state.get(_reason_key(submission_id), "")
    try:
        submissions.undo(caller(identity), submission_id, reason)
    except submissions.Refused as exc:
        st.session_state["up_hist_error"] = str(exc)
        return
    st.session_state["up_hist_undone"] = submission_id
