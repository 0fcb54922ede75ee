"""我的待办: a panel (总览) and a count (sidebar) for a logged-in account. Links open the notice on /supervision."""
from __future__ import annotations

import streamlit as st

from components.plan_switch import link_params
from components.supervision_style import badges, colour_badge, md
from core import auth
from core.auth import Identity
from services import supervision as sup


def render_todo_badge(identity: Identity | None) -> None:
    """The sidebar count; nothing for anonymous visitors and 浏览 accounts."""
    if identity is None or identity.role not in (auth.ADMIN, auth.REPORTER):
        return
    count = sup.todo_count(identity)
    if count:
        st.page_link("pages/supervision.py", label=f"我的待办（{count}）", query_params=link_params())
    else:
        st.caption("我的待办：无")


def render_my_todo(identity: Identity | None) -> None:
    if identity is None or identity.role not in (auth.ADMIN, auth.REPORTER):
        return
    todo = sup.my_todo(identity)
    with st.container(border=True):
        st.markdown(f"#### 我的待办（{todo['count']}）")
        if not todo["count"]:
            st.caption("暂无待办事项。")
            return
        if identity.role == auth.ADMIN:
            reviews = [f"{r['department']} {r['period'] or ''} 报送 #{r['id']}" for r in todo["to_review"]]
            _lines("待审核的报送", reviews, "admin")
            _notices("待核验的督办单", todo["to_verify"])
            _notices("已逾期的督办单", todo["overdue"])
            return
        _lines("尚未报送的报告期", [f"{r['period']}（截止 {r['deadline']}）" for r in todo["periods_to_report"]],
               "upload")
        _lines("被退回的报送", [f"报送 #{r['id']} {r['period'] or ''}：{r['reason'] or '（未写理由）'}"
                          for r in todo["returned"]], "upload")
        _notices("待办的督办单", todo["open_notices"])


def _lines(title: str, lines: list[str], page: str) -> None:
    if not lines:
        return
    st.markdown(f"**{title}**（{len(lines)}）")
    more = f"\n- 等共 {len(lines)} 项" if len(lines) > 10 else ""
    st.markdown("\n".join(f"- {md(line)}" for line in lines[:10]) + more)
    st.page_link(f"pages/{page}.py", label="前往处理", query_params=link_params())


def _notices(title: str, rows: list[dict]) -> None:
    if not rows:
        return
    st.markdown(f"**{title}**（{len(rows)}）")
    for r in rows[:10]:
        left, right = st.columns([0.15, 0.85], vertical_alignment="center")
        with left:
            badges([colour_badge(r["colour"])])
        right.markdown(f"[{r['number']}](./supervision?notice={r['id']}) {md(r['department'])} · {md(r['item'])} · "
                       f"{r['state']} · 期限 {r['due']}" + ("（已逾期）" if r["overdue"] else ""))
    if len(rows) > 10:
        st.caption(f"等共 {len(rows)} 项，见“督办事项”页面。")
