"""管理: the review queue, the audit log and the accounts; for the supervision office only."""
import streamlit as st

from components.auth_audit import render_audit_log
from components.auth_login import require
from components.auth_review import render_review_queue
from components.auth_users import render_user_admin
from components.badges import page_title
from components.router_guard import ensure_router
from components.trust_admin import render_baseline_admin, render_period_admin, render_verification_admin
from core.auth import may_administer

ensure_router()
page_title("管理", "督查办使用：审核各部门的报送，查看审计日志，管理用户账号。")
identity = require(may_administer, "管理页面")
review, log, accounts, baselines, periods, checks = st.tabs(
    ["报送审核", "审计日志", "用户管理", "基期与责任备案", "报告期管理", "完成核验"])
with review:
    render_review_queue(identity)
with log:
    render_audit_log()
with accounts:
    render_user_admin(identity)
with baselines:
    render_baseline_admin(identity)
with periods:
    render_period_admin(identity)
with checks:
    render_verification_admin(identity)
