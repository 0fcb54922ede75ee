"""发督办单 for one item (target, a district's value, or task): a small popover the lead can drop on 总览,
目标指标, 任务台账, 部门记分卡; for a list (the red list, a department's lost items) a picker in front of it.
Office accounts only; keys sv_iss_*."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from components.auth_login import current_identity
from components.plan_switch import locked
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
            st.form_submit_button("交办", **locked(), type="primary", on_click=_issue,
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


def render_issue_picker(items: list[tuple[str, object, str, str]], period: str, key: str) -> None:
    """Office only: choose one of `items` (kind, id, label, department) and issue a 督办单 about it."""
    if not items or not auth.may_administer(current_identity()):
        return
    by_key = {f"{kind}:{item_id}": (kind, item_id, label, dept) for kind, item_id, label, dept in items}
    chosen = st.selectbox("发督办单：选择事项", list(by_key), index=None, key=f"sv_iss_pick_{key}",
                          placeholder="从清单中选择一项交办", format_func=lambda k: f"{by_key[k][2]}（{by_key[k][3]}）")
    if chosen is not None:
        kind, item_id, label, dept = by_key[chosen]
        render_issue_button(kind, item_id, period, label, dept)


def red_list_items(rows) -> list[tuple[str, object, str, str]]:
    """The 总览 red list (core.overview.red_list rows) as issue_picker items, to each lead department."""
    return [(sv.TARGET, r["id"], f"{r['id']} {r['name']}", r["lead_department"]) if r["kind"] == "指标"
            else (sv.TASK, int(r["id"]), f"任务{r['id']} {r['name']}", r["lead_department"])
            for r in rows.to_dict("records")]


def lost_items(cells, department: str) -> list[tuple[str, object, str, str]]:
    """A department's items on the 部门记分卡 matrix (core.scorecard.matrix) where it lost points, to it."""
    from core.scoring import load_rule

    rule = load_rule()
    mine = cells[(cells["department"] == department) & (cells["status"].map(rule.credit_of) < 1)]
    return [(sv.TARGET, r["key"], r["label"], department) if r["kind"] == "指标"
            else (sv.TASK, int(str(r["key"]).removeprefix("任务")), r["label"], department)
            for r in mine.to_dict("records")]
