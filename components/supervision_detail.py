"""One 督办单: the four timestamps, requirement, reply, history, evidence downloads, and the actions this
account may take (签收, 反馈 with 佐证材料, 销号, 退回, 催办). Keys sv_d_*."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.plan_switch import locked
from components.supervision_session import actor
from components.supervision_style import badges, colour_badge, md, state_badge
from core import auth
from core import supervision as sv
from core.auth import Identity
from services import documents
from services import evidence as evidence_service
from services import supervision as sup

_DONE, _ERROR = "sv_d_done", "sv_d_error"


def _stamp(value, who: str = "") -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:%Y-%m-%d %H:%M}" + (f"（{who}）" if who else "")


def render_notice(identity: Identity, notice_id: int) -> None:
    n = sup.notice(notice_id)
    if n is None:
        st.warning("该督办单不存在。")
        return
    done, error = st.session_state.pop(_DONE, None), st.session_state.pop(_ERROR, None)
    if done:
        st.success(done)
    if error:
        st.error(error)
    with st.container(border=True):
        st.markdown(f"#### {n['number']}")
        badges([colour_badge(n["colour"]), state_badge(n["state_shown"])]
               + ([state_badge("已逾期")] if n["overdue"] else []))
        if n["is_demo"]:
            st.caption("演示数据：本督办单为演示数据，并非真实督办。")
        st.markdown(f"**责任部门**：{md(n['department'])}　**督办事项**（{sv.ITEM_KIND_LABELS[n['item_kind']]}）："
                    f"{md(n['item_label'])}　**报告期**：{n['period_code'] or '—'}　**办理期限**：{n['due_date']}")
        if n["item_status"]:
            st.caption(f"交办时事项状态：{n['item_status']}。{md(n['item_explanation'])}")
        st.markdown("**督办要求**")
        st.text(n["requirement"])
        # Two per row: a date and time in metric type does not fit a quarter of a 1366 px page.
        c1, c2 = st.columns(2)
        c3, c4 = st.columns(2)
        c1.metric("交办", _stamp(n["created_at"]), help=n["created_by"])
        c2.metric("签收", _stamp(n["acknowledged_at"]), help=n["acknowledged_by"] or None)
        c3.metric("反馈", _stamp(n["replied_at"]), help=n["replied_by"] or None)
        c4.metric("销号", _stamp(n["closed_at"]), help=n["closed_by"] or None)
        if n["reply_text"]:
            st.markdown("**办理反馈**")
            st.text(n["reply_text"])
        if n["return_reason"]:
            st.markdown(f"**退回理由**（第 {int(n['returned_count'])} 次退回）")
            st.text(n["return_reason"])
        if n["reminder_count"]:
            st.caption(f"已催办 {int(n['reminder_count'])} 次。")
        st.download_button("下载督办单（Word）", data=lambda: documents.notice_docx([notice_id]),
                           file_name=f"督办单-{n['number']}.docx", mime=documents.DOCX_MIME, on_click="ignore",
                           key=f"sv_d_docx_{notice_id}")
        _evidence(identity, n)
        _actions(identity, n)
        with st.expander("办理记录"):
            ev = sup.notice_events(notice_id)
            st.dataframe(pd.DataFrame({
                "时间": ev["at"].dt.strftime("%Y-%m-%d %H:%M"), "操作": ev["action"].map(sv.ACTION_LABELS),
                "操作人": ev["user_name"], "状态": ev["from_state"] + " → " + ev["to_state"], "说明": ev["text"],
            }), hide_index=True, width="stretch", key=f"sv_d_events_{notice_id}")


def _evidence(identity: Identity, n: pd.Series) -> None:
    files = sup.notice_evidence(int(n["id"]))
    if files.empty:
        return
    st.markdown("**佐证材料**")
    allowed = evidence_service.may_download(identity, n["department"])
    for f in files.to_dict("records"):
        size = f"{f['size'] / 1024:.0f} KB" if f["size"] >= 1024 else f"{f['size']} 字节"
        line = f"{f['filename']}（{size}，SHA-256 {f['sha256'][:12]}…，{f['uploaded_by']}）"
        if not allowed:
            st.caption(line)
            continue
        # Served as an attachment (octet-stream): the browser saves it and never renders it.
        st.download_button(f"下载 {line}", data=lambda eid=f["id"]: evidence_service.download(identity, eid)[1],
                           file_name=f["filename"], mime="application/octet-stream", on_click="ignore",
                           key=f"sv_d_file_{f['id']}")


def _run(identity: Identity, notice_id: int, action: str, text_key: str | None = None,
         files_key: str | None = None) -> None:
    """Button callback (runs before the page script): the write re-checks the login and role itself."""
    state = st.session_state
    text = state.get(text_key, "") if text_key else ""
    files = [(u.name, u.getvalue()) for u in (state.get(files_key) or [])] if files_key else []
    try:
        out = sup.act(actor(identity), notice_id, action, text, files)
    except (sv.SupervisionRefused, evidence_service.EvidenceRefused) as exc:
        state[_ERROR] = str(exc)
        return
    state[_DONE] = f"{out['number']} 已{sv.ACTION_LABELS[action]}，当前状态：{out['state']}。"


def _remind(identity: Identity, notice_id: int, department: str, period: str | None, note_key: str) -> None:
    try:
        sup.remind(actor(identity), department, period, notice_id, st.session_state.get(note_key, ""))
    except sv.SupervisionRefused as exc:
        st.session_state[_ERROR] = str(exc)
    else:
        st.session_state[_DONE] = f"已记录对“{department}”的催办。"


def _actions(identity: Identity, n: pd.Series) -> None:
    nid = int(n["id"])
    actions = sv.allowed_actions(n["state"], identity.role, identity.department, n["department"])
    if sv.ACK in actions:
        st.button("签收", **locked(), type="primary", key=f"sv_d_ack_{nid}", on_click=_run,
                  args=(identity, nid, sv.ACK))
    if sv.REPLY in actions:
        text_key, files_key = f"sv_d_reply_text_{nid}", f"sv_d_reply_files_{nid}"
        with st.form(f"sv_d_reply_{nid}"):
            st.markdown("**反馈办理情况**")
            st.text_area("办理情况", max_chars=sv.MAX_REPLY, key=text_key)
            st.file_uploader("佐证材料", **locked(), accept_multiple_files=True, key=files_key,
                             type=["pdf", "jpg", "jpeg", "png", "docx", "xlsx", "ofd"])
            st.caption(evidence_service.limits_text())
            st.form_submit_button("提交反馈", **locked(), type="primary", on_click=_run,
                                  args=(identity, nid, sv.REPLY, text_key, files_key))
    if sv.CLOSE in actions or sv.RETURN in actions:
        text_key = f"sv_d_verify_text_{nid}"
        with st.form(f"sv_d_verify_{nid}"):
            st.markdown("**核验**")
            st.text_area("核验意见 / 退回理由", max_chars=sv.MAX_REASON, key=text_key)
            c1, c2 = st.columns(2)
            c1.form_submit_button("核验通过并销号", **locked(), type="primary", on_click=_run,
                                  args=(identity, nid, sv.CLOSE, text_key))
            c2.form_submit_button("退回重办", **locked(), on_click=_run, args=(identity, nid, sv.RETURN, text_key))
    if auth.may_administer(identity) and n["state"] != sv.CLOSED:
        note_key = f"sv_d_remind_note_{nid}"
        with st.popover("催办", width="content"):
            with st.form(f"sv_d_remind_{nid}"):
                st.text_input("催办说明（如：电话催办）", max_chars=sv.MAX_NOTE, key=note_key)
                st.form_submit_button("记录催办", **locked(), on_click=_remind,
                                      args=(identity, nid, n["department"], n["period_code"] or None, note_key))
    if not actions and n["state"] == sv.CLOSED:
        st.caption("该督办单已销号。")
