"""督办事项: the office issues, chases, verifies and closes 督办单; a department signs for and answers its own."""
import streamlit as st

from components.auth_login import require
from components.badges import page_title
from components.period_picker import current_period
from components.router_guard import ensure_router
from components.supervision_bulk import render_bulk
from components.supervision_decisions import render_decisions_tab
from components.supervision_detail import render_notice
from components.supervision_list import apply_filters, pick_notice, render_counts, render_filters, render_table
from components.supervision_remind import render_contacts, render_remind
from components.supervision_todo import render_my_todo
from core import auth
from services import cache
from services import supervision as sup

ensure_router()
page_title("督办事项", "交办 → 签收 → 反馈 → 核验 → 销号；三色督办：红色滞后或逾期，黄色预警，蓝色临期。")
identity = require(auth.may_upload, "督办事项")
period = current_period()
render_my_todo(identity)

if auth.may_administer(identity):
    tabs = st.tabs(["督办单", "批量交办", "报送催办", "会议决定交办", "部门联系人"])
    with tabs[0]:
        notices = sup.notices_for(identity)
        filters = render_filters(list(cache.departments().query("kind == 'department'")["name"]))
        shown = apply_filters(notices, filters)
        render_counts(sup.summary(shown))
        render_table(shown)
        chosen = pick_notice(shown)
        if chosen is not None:
            render_notice(identity, chosen)
    with tabs[1]:
        render_bulk(identity, period)
    with tabs[2]:
        render_remind(identity, period)
    with tabs[3]:
        render_decisions_tab(identity)
    with tabs[4]:
        render_contacts(identity)
else:
    st.caption(f"“{identity.department}”的督办单：签收后办理，完成后附佐证材料反馈，由督查办核验销号。")
    notices = sup.notices_for(identity)
    render_counts(sup.summary(notices))
    render_table(notices)
    chosen = pick_notice(notices)
    if chosen is not None:
        render_notice(identity, chosen)
