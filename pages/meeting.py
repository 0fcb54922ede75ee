"""会议模式: present the meeting on a projector, freeze it, compare meetings, record decisions, export."""
import streamlit as st

from components.badges import page_title
from components.meeting_controls import (VIEW_KEY, choose_view, compare_section, decision_form, downloads, flash,
                                         freeze_form, payload_of)
from components.meeting_slides import SLIDE_KEY, hide_chrome, present
from components.period_picker import current_period
from components.router_guard import ensure_router

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

frozen = view[0] == "snapshot"
tabs = st.tabs(["记录决定与批示", "对比两次会议", "导出", *([] if frozen else ["保存为会议快照"])])
with tabs[0]:
    decision_form(payload, view[1])
with tabs[1]:
    compare_section()
with tabs[2]:
    downloads(payload, (payload.get("meeting") or {}).get("name") or f"督查会议-{payload['period']}")
if not frozen:
    with tabs[3]:
        freeze_form(payload)
