"""A meeting's 决定/批示 becomes a 督办单 with a responsible department and a due date (office only).
Drop-in for the decision lists (任务台账's task detail, the 督办事项 page). Keys sv_dec_*."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.auth_login import current_identity
from components.plan_switch import locked
from components.supervision_session import actor
from core import auth
from core import supervision as sv
from core.auth import Identity
from services import cache
from services import supervision as sup


def render_decision_issue(decisions: pd.DataFrame, key: str, default_department: str | None = None,
                          identity: Identity | None = None) -> None:
    """decisions: rows of db.meetings decisions (id, kind, text, task_id ...). Draws nothing for non-admins.
    identity: the page's, when it has one (else looked up from the session)."""
    identity = identity or current_identity()
    if not auth.may_administer(identity) or decisions.empty:
        return
    for kind, show in (("done", st.success), ("error", st.error)):
        message = st.session_state.pop(f"sv_dec_{key}_{kind}", None)
        if message:
            show(message)
    linked = sup.decisions_for_issue().set_index("id")["notice_number"]
    todo = decisions[~decisions["id"].map(linked).notna()]
    if todo.empty:
        st.caption("以上决定与批示均已交办为督办单。")
        return
    with st.expander("把决定或批示交办为督办单"):
        labels = {int(r["id"]): f"{r['kind']}：{str(r['text'])[:40]}（任务{int(r['task_id'])}）"
                  for r in todo.to_dict("records")}
        depts = list(cache.departments().query("kind == 'department'")["name"])
        with st.form(f"sv_dec_{key}"):
            st.selectbox("决定 / 批示", list(labels), format_func=labels.get, key=f"sv_dec_{key}_id")
            st.selectbox("责任部门", depts, key=f"sv_dec_{key}_dept",
                         index=depts.index(default_department) if default_department in depts else 0)
            st.date_input("办理期限", value=sup.default_due(), min_value=sup.today(), key=f"sv_dec_{key}_due")
            st.form_submit_button("交办", **locked(), type="primary", on_click=_issue, args=(identity, key))


def _issue(identity, key: str) -> None:
    state = st.session_state
    try:
        out = sup.issue_from_decision(actor(identity), state.get(f"sv_dec_{key}_id"), state.get(f"sv_dec_{key}_dept"),
                                      state.get(f"sv_dec_{key}_due"))
    except sv.SupervisionRefused as exc:
        state[f"sv_dec_{key}_error"] = str(exc)
    else:
        state[f"sv_dec_{key}_done"] = f"已交办 {out['number']}。"


def render_decisions_tab(identity: Identity) -> None:
    """Every recorded decision with the notice it became (if any), and the form to issue the others."""
    decisions = sup.decisions_for_issue()
    if decisions.empty:
        st.info("尚未记录会议决定或批示（在“会议模式”中记录）。")
        return
    st.dataframe(pd.DataFrame({
        "会议": decisions["meeting_name"].fillna("本次会议（未归档）"), "类型": decisions["kind"],
        "内容": decisions["text"], "任务": decisions["task_id"], "决定人": decisions["decided_by"],
        "督办单": decisions["notice_number"].fillna("未交办"),
    }), hide_index=True, width="stretch", key="sv_dec_table")
    render_decision_issue(decisions, "page", identity=identity)
