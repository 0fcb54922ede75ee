"""为本期所有预警、滞后、逾期事项生成督办单: preview first, then issue; items with an open notice are skipped.
Keys sv_b_*."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.plan_switch import read_only_reason
from components.supervision_session import actor
from components.supervision_style import badges, colour_badge, colour_cells
from core import supervision as sv
from core.auth import Identity
from services import supervision as sup


def render_bulk(identity: Identity, period: str) -> None:
    st.markdown(f"#### 为 {period} 所有预警、滞后、逾期事项生成督办单")
    for key, show in (("sv_b_done", st.success), ("sv_b_error", st.error)):
        message = st.session_state.pop(key, None)
        if message:
            show(message)
    preview = sup.bulk_preview(period)
    fresh = preview[~preview["already_open"]]
    badges([colour_badge(sv.RED, int((preview["colour"] == sv.RED).sum())),
            colour_badge(sv.YELLOW, int((preview["colour"] == sv.YELLOW).sum()))])
    st.caption(f"共 {len(preview)} 项符合条件；其中 {int(preview['already_open'].sum())} 项已有未销号的督办单，"
               f"不再重复交办；将新交办 {len(fresh)} 项。")
    if preview.empty:
        return
    view = pd.DataFrame({"颜色": preview["colour"], "事项": preview["label"], "责任部门": preview["department"],
                         "状态": preview["status"], "说明": preview["explanation"],
                         "处理": preview["already_open"].map({True: "已有督办单，跳过", False: "将交办"})})
    st.dataframe(colour_cells(view), hide_index=True, width="stretch", key="sv_b_preview")
    with st.form("sv_b_form"):
        st.date_input("办理期限", value=sup.default_due(), min_value=sup.today(),
                      max_value=sup.today() + timedelta(days=366), key="sv_b_due")
        read_only = read_only_reason()  # an archived plan: the write refuses too
        st.form_submit_button(f"确认交办 {len(fresh)} 项", type="primary",
                              disabled=fresh.empty or read_only is not None, help=read_only, on_click=_issue,
                              args=(identity, period))


def _issue(identity: Identity, period: str) -> None:
    state = st.session_state
    try:
        out = sup.issue_bulk(actor(identity), period, due=state.get("sv_b_due"))
    except sv.SupervisionRefused as exc:
        state["sv_b_error"] = str(exc)
        return
    numbers = f"（{out['numbers'][0]} 至 {out['numbers'][-1]}）" if out["numbers"] else ""
    state["sv_b_done"] = f"已交办 {out['created']} 项{numbers}，跳过 {out['already_open']} 项。"
