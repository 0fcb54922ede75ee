"""A meeting's 决定/批示 becomes a 督办单 with a responsible department and a due date (office only).
Drop-in for the decision lists (任务台账's task detail, the 督办事项 page). Keys sv_dec_*."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.auth_login import current_identity
from components.supervision_session import actor
from core import auth
from core import supervision as sv
from db import cached
from services import supervision as sup


def render_decision_issue(decisions: pd.DataFrame, key: str, default_department: str | None = None) -> None:
    """decisions: rows of db.meetings decisions (id, kind, text, task_id ...). Draws nothing for non-admins."""
    identity = current_identity()
    if not auth.may_administer(identity) or decisions.empty:
        return
    linked = sup.decisions_for_issue().set_index("id")["notice_number"]
    todo = decisions[~decisions["id"].map(linked).notna()]
    if todo.empty:
        st.caption("以上决定与批示均已交办为督办单。")
        return
    for kind, show in (("done", st.success), ("error", st.error)):
        message = st.session_state.pop(f"sv_dec_{key}_{kind}", None)
        if message:
            show(message)
    with st.expander("把决定或批示交办为督办单"):
        labels = {int(r["id"]): f"{r['kind']}：{str(r['text'])[:40]}（任务{int(r['task_id'])}）"
                  for r in todo.to_dict("records")}
        depts = list(cached.departments().query("kind == 'department'")["name"])
        with st.form(f"sv_dec_{key}"):
            st.selectbox("决定 / 批示", list(labels), format_func=labels.get, key=f"sv_dec_{key}_id")
            st.selectbox("责任部门", depts, key=f"sv_dec_{key}_dept",
                         index=depts.index(default_department) if default_department in depts else 0)
            st.date_input("办理期限", value=sup.default_due(), min_value=sup.today(), key=f"sv_dec_{key}_due")
            st.form_submit_button("交办", type="primary", on_click=_issue, args=(identity, key))


def _issue(identity, key: str) -> None:
    state = st.session_state
    try:
        out = sup.issue_from_decision(actor(identity), state.get(f"sv_dec_{key}_id"), state.get(f"sv_dec_{key}_dept"),
                                      state.get(f"sv_dec_{key}_due"))
    except sv.SupervisionRefused as exc:
        state[f"sv_dec_{key}_error"] = str(exc)
    else:
        state[f"sv_dec_{key}_done"] = f"已交办 {out['number']}。"
