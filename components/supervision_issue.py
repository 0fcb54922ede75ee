"""发督办单 for one item (target, a district's value, or task): a small popover the lead can drop on 总览,
目标指标, 任务台账, 部门记分卡. Office accounts only; keys sv_iss_*."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from components.auth_login import current_identity
from components.supervision_session import actor
from core import auth
from core import supervision as sv
from services import supervision as sup


def render_issue_button(kind: str, item_id, period: str, label: str, department: str,
                        district: str | None = None, districts: dict[str, str] | None = None) -> None:
    """Draws nothing unless the user is an administrator. districts (adcode → name): offer to issue about one
    district's value of a target broken down by district."""
    identity = current_identity()
    if not auth.may_administer(identity):
        return
    key = f"sv_iss_{kind}_{item_id}_{district or ''}"
    for kind_, show in (("done", st.success), ("error", st.error)):
        message = st.session_state.pop(f"{key}_{kind_}", None)
        if message:
            show(message)
    with st.popover(f"发督办单：{label}", width="content"):
        with st.form(key):
            st.caption(f"交办给“{department}”，依据 {period} 的状态；同一事项已有未销号的督办单时不再重复交办。")
            st.date_input("办理期限", value=sup.default_due(), min_value=sup.today(),
                          max_value=sup.today() + timedelta(days=366), key=f"{key}_due")
            if districts:
                st.selectbox("区县（可选，留空为全市）", [None, *districts], key=f"{key}_district",
                             format_func=lambda a: districts.get(a, "全市") if a else "全市")
            st.text_area("督办要求（可留空，自动按状态生成）", max_chars=sv.MAX_REQUIREMENT, key=f"{key}_text")
            st.form_submit_button("交办", type="primary", on_click=_issue,
                                  args=(identity, key, kind, item_id, period, department, district))


def _issue(identity, key: str, kind: str, item_id, period: str, department: str, district: str | None) -> None:
    state = st.session_state
    try:
        out = sup.issue_for_item(actor(identity), kind, item_id, period, department=department,
                                 district=state.get(f"{key}_district") or district,
                                 due=state.get(f"{key}_due"), requirement=state.get(f"{key}_text", ""))
    except sv.SupervisionRefused as exc:
        state[f"{key}_error"] = str(exc)
    else:
        state[f"{key}_done"] = f"已交办 {out['number']}，可在“督办事项”页面跟踪。"
