"""催办: per period, who owes which cells, with contact and 催办 count; record a 催办, download the 催办通知;
the contact list the office edits. Keys sv_r_*."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.plan_switch import locked
from components.supervision_session import actor
from core import supervision as sv
from core.auth import Identity
from services import documents
from services import supervision as sup


def render_remind(identity: Identity, period: str) -> None:
    st.markdown(f"#### {period} 报送催办")
    for key, show in (("sv_r_done", st.success), ("sv_r_error", st.error)):
        message = st.session_state.pop(key, None)
        if message:
            show(message)
    owed = sup.owed(period)
    debtors = owed[owed["missing"] > 0]
    st.caption(f"应报送的 {len(owed)} 个部门中，{len(debtors)} 个尚未报齐 {period} 的数据（按单元格计：指标的全市值、"
               "分区县值，任务的本部门进展）。")
    st.dataframe(pd.DataFrame({
        "部门": owed["department"], "应报": owed["expected"], "已报": owed["received"], "未报": owed["missing"],
        "未报事项": owed["missing_cells"], "联系人": owed["person"], "电话": owed["phone"], "已催办": owed["reminders"],
    }), hide_index=True, width="stretch", key="sv_r_table",
        column_config={"未报事项": st.column_config.TextColumn(width="large")})
    if debtors.empty:
        return
    left, right = st.columns(2)
    with left.form("sv_r_form"):
        st.selectbox("催办部门", list(debtors["department"]), key="sv_r_dept")
        st.text_input("催办说明（如：电话催报、发文催报）", max_chars=sv.MAX_NOTE, key="sv_r_note")
        st.form_submit_button("记录催办", **locked(), type="primary", on_click=_remind, args=(identity, period))
    right.download_button("下载催办通知（.xlsx）", data=lambda: sup.reminder_notice_xlsx(period),
                          file_name=f"催办通知-{period}.xlsx", on_click="ignore", key="sv_r_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button("下载催办通知（Word，每个部门一页）", data=lambda: documents.reminders_file(period),
                          file_name=f"催办通知-{period}.docx", on_click="ignore", key="sv_r_docx",
                          mime=documents.DOCX_MIME)
    log = sup.reminder_log(period)
    if not log.empty:
        st.markdown("##### 催办记录")
        st.dataframe(pd.DataFrame({
            "时间": log["at"].dt.strftime("%Y-%m-%d %H:%M"), "部门": log["department"],
            "督办单": log["number"].fillna(""), "说明": log["note"], "催办人": log["user_name"],
        }), hide_index=True, width="stretch", key="sv_r_log")


def render_contacts(identity: Identity) -> None:
    st.markdown("#### 部门联系人")
    st.caption("用于催办。data/contacts.csv 列出各部门，联系人和电话由督查办在此填写（修改记入审计日志）。")
    for key, show in (("sv_c_done", st.success), ("sv_c_error", st.error)):
        message = st.session_state.pop(key, None)
        if message:
            show(message)
    table = sup.contacts_table()
    st.dataframe(pd.DataFrame({"部门": table["department"], "联系人": table["person"], "电话": table["phone"],
                               "演示数据": table["is_demo"].map({True: "演示", False: ""})}),
                 hide_index=True, width="stretch", key="sv_c_table")
    with st.form("sv_c_form"):
        st.selectbox("部门", list(table["department"]), key="sv_c_dept")
        st.text_input("联系人", max_chars=40, key="sv_c_person")
        st.text_input("电话", max_chars=40, key="sv_c_phone")
        st.form_submit_button("保存联系人", on_click=_save_contact, args=(identity,))


def _remind(identity: Identity, period: str) -> None:
    state = st.session_state
    dept = state.get("sv_r_dept")
    try:
        sup.remind(actor(identity), dept, period, None, state.get("sv_r_note", ""))
    except sv.SupervisionRefused as exc:
        state["sv_r_error"] = str(exc)
    else:
        state["sv_r_done"] = f"已记录对“{dept}”的催办（{period}）。"


def _save_contact(identity: Identity) -> None:
    state = st.session_state
    dept = state.get("sv_c_dept")
    try:
        sup.set_contact(actor(identity), dept, state.get("sv_c_person", ""), state.get("sv_c_phone", ""))
    except sv.SupervisionRefused as exc:
        state["sv_c_error"] = str(exc)
    else:
        state["sv_c_done"] = f"已保存“{dept}”的联系人。"
