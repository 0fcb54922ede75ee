"""会议模式: present the meeting on a projector, freeze it, compare meetings, record decisions, export."""
import streamlit as st

from components.auth_login import current_identity
from components.badges import page_title
from components.meeting_controls import (
    VIEW_KEY,
    choose_view,
    compare_section,
    decision_form,
    decision_history,
    downloads,
    flash,
    freeze_form,
    payload_of,
    withdraw_section,
)
from components.meeting_slides import SLIDE_KEY, hide_chrome, present
from components.period_picker import current_period
from components.router_guard import ensure_router
from core.auth import may_administer

ensure_router()
period = current_period()


def _start(view: tuple[str, int | None]) -> None:
    st.session_state[VIEW_KEY] = view
    st.session_state[SLIDE_KEY] = 0


def _stop() -> None:
    st.session_state.pop(VIEW_KEY, None)


if VIEW_KEY in st.session_state:
    hide_chrome()
    present(payload_of(st.session_state[VIEW_KEY], period), fill=True)
    st.button("退出放映", key="mt_stop", on_click=_stop, type="tertiary", shortcut="Esc")
    st.stop()

page_title("会议模式", "督查会议投影用：一页一个要点。放映时只显示幻灯片，← → 键翻页，Esc 退出。")
flash()
view = choose_view(period)
payload = payload_of(view, period)
st.button("开始放映", key="mt_start", type="primary", on_click=_start, args=(view,))
with st.container(border=True):
    present(payload)

# Presenting and downloading are for everyone who may view; the meeting's records are the office's:
# recording decisions, saving, comparing and withdrawing need a logged-in 管理员 (and db.meetings
# checks again at the write).
identity = current_identity()
office = may_administer(identity)
frozen = view[0] == "snapshot"
tabs = st.tabs(["决定与批示", "导出", *(["对比两次会议", "撤回记录"] if office else []),
                *(["保存为会议快照"] if office and not frozen else [])])
with tabs[0]:
    if office:
        decision_form(payload, view[1], identity)
    else:
        st.info("记录决定与批示、保存和对比会议快照须由督查办管理员登录后操作。")
    decision_history()
with tabs[1]:
    downloads(payload, (payload.get("meeting") or {}).get("name") or f"督查会议-{payload['period']}")
if office:
    with tabs[2]:
        compare_section()
    with tabs[3]:
        withdraw_section(identity)
    if not frozen:
        with tabs[4]:
            freeze_form(payload, identity)
