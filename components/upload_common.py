"""What the 进度填报 widgets share: the plan catalogue, the reporting periods and who is filling in."""
from __future__ import annotations

import streamlit as st

from core import auth
from core.catalogue import Catalogue
from services import cache, submissions, trust
from services.identity import Caller

CITY_TEMPLATE = "全市（督查办汇总）"
# components.auth_login keeps the login's token under this key; a write re-checks it (services.identity).
_TOKEN_KEY = "au_token"


def catalogue() -> Catalogue:
    return submissions.plan_catalogue()


def caller(identity: auth.Identity) -> Caller:
    """This session's identity with its login token, as every write wants it."""
    token = st.session_state.get(_TOKEN_KEY)
    return Caller(identity, token if isinstance(token, str) else None)


def period_codes() -> list[str]:
    return cache.periods()["code"].tolist()


def render_period_state(period: str, department: str | None) -> None:
    """Say before anything is typed that the period is closed for this department (报告期关闭, issue 16):
    its rows would be refused at their cells on preview."""
    reason = trust.closed_reason_for(period, department)
    if reason:
        st.warning(f"{reason}。涉及该期的报送将逐单元格拒收；如需补报，请联系督查办重新开放该报告期或申请锁定例外。")


def period_label(code: str) -> str:
    year, q = code.split("Q")
    return f"{year}年第{'一二三四'[int(q) - 1]}季度（{code}）"


def departments_for(identity: auth.Identity) -> list[str]:
    """The departments this account may report for: all for the office, its own for a 填报员."""
    if auth.may_administer(identity):
        return catalogue().department_names()
    return [identity.department] if identity.department else []


def own_department(identity: auth.Identity) -> str | None:
    """The department whose submissions this account sees; None: all of them."""
    return None if auth.may_administer(identity) else (identity.department or "")


def reporting_note(identity: auth.Identity) -> str:
    if auth.may_administer(identity):
        return f"当前账号：{identity.label}。督查办的报送确认后直接入库。"
    return (f"当前账号：{identity.label}。只能报送本部门牵头的指标和牵头或参与的任务；"
            "提交后为“待审核”，督查办审核通过后才计入各页面。")
