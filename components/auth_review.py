"""审核 (keys au_rev_*): the office approves a department's pending submission or returns it with a reason."""
from __future__ import annotations

import streamlit as st

from components.flash import show_flash
from components.plan_switch import locked
from components.trust_review import render_second_look
from components.upload_common import caller
from components.upload_evidence import render_submission_files
from components.upload_history import history_table
from core.auth import Identity
from services import submissions
from services.history import submission_history, submission_progress, submission_values

_DONE = "au_rev_done"
_ERROR = "au_rev_error"


def render_review_queue(identity: Identity) -> None:
    show_flash(_DONE, _ERROR)
    pending = submission_history(None, None, 500, "pending")
    if pending.empty:
        st.caption("没有待审核的报送。")
        return
    st.markdown(f"#### 待审核（{len(pending)} 次报送）")
    st.dataframe(history_table(pending).drop(columns=["审核人", "退回原因", "撤销人"]), hide_index=True,
                 width="stretch")
    labels = {int(r.id): f"{r.id} · {r.department or '全市'} · {r.period_code or ''} · {r.filename} · {r.user_name}"
              for r in pending.itertuples()}
    chosen = st.selectbox("选择待审核的报送", list(labels), key="au_rev_pick",
                          placeholder="请选择…", format_func=labels.get)
    _render_rows(chosen)
    render_submission_files(identity, chosen)
    _render_decision(chosen, identity)


def _render_rows(submission_id: int) -> None:
    values = submission_values(submission_id)
    progress = submission_progress(submission_id)
    st.markdown(f"指标 {len(values)} 条，任务进展 {len(progress)} 条（通过后计入各页面）")
    render_second_look(submission_id)
    if not values.empty:
        st.dataframe(values.rename(columns={
            "target_id": "指标编号", "target": "指标", "district": "区县", "period_code": "报告期", "value": "实际值",
            "unit": "单位", "data_source": "数据来源", "note": "备注"}), hide_index=True, width="stretch")
    if not progress.empty:
        st.dataframe(progress.rename(columns={
            "task_id": "任务编号", "task": "工作任务", "department": "部门", "period_code": "报告期", "status": "进展状态",
            "percent": "完成进度(%)", "narrative": "进展情况"}), hide_index=True, width="stretch")


def _render_decision(submission_id: int, reviewer: Identity) -> None:
    left, right = st.columns(2)
    left.button("审核通过", **locked(), key="au_rev_approve", type="primary", on_click=_decide,
                args=(submission_id, reviewer, True))
    right.text_input("退回原因", key=_reason_key(submission_id), placeholder="退回时必填，部门将看到此原因")
    right.button("退回", **locked(), key="au_rev_return", on_click=_decide, args=(submission_id, reviewer, False))


def _reason_key(submission_id: int) -> str:
    return f"au_rev_reason_{submission_id}"


def _decide(submission_id: int, reviewer: Identity, approve: bool) -> None:
    # The reason is read here, not bound at render time: the text typed just before the click counts.
    reason = "" if approve else st.session_state.get(_reason_key(submission_id), "")
    try:
        # The account is re-checked inside the write (services.identity): a stale callback writes nothing.
        submissions.review(caller(reviewer), submission_id, "approve" if approve else "return", reason)
    except submissions.Refused as exc:
        st.session_state[_ERROR] = str(exc)
        return
    st.session_state[_DONE] = (f"提交 {submission_id} 已审核通过，数据已计入各页面。" if approve
                               else f"提交 {submission_id} 已退回，部门将在报送记录中看到原因。")
