"""What the 进度填报 widgets share: the plan catalogue, the reporting periods and who is filling in."""
from __future__ import annotations

import dataclasses

import streamlit as st

from core import auth
from core.catalogue import Catalogue, load_catalogue
from core.importer.model import ImportResult
from db import cached

CITY_TEMPLATE = "全市（督查办汇总）"


@st.cache_resource(show_spinner=False)
def catalogue() -> Catalogue:
    # The CSV catalogue changes only with a deployment, so one copy per server process is enough.
    return load_catalogue()


def period_codes() -> list[str]:
    return cached.periods()["code"].tolist()


def period_label(code: str) -> str:
    year, q = code.split("Q")
    return f"{year}年第{'一二三四'[int(q) - 1]}季度（{code}）"


def departments_for(identity: auth.Identity) -> list[str]:
    """The departments this account may report for: all for the office, its own for a 填报员."""
    if auth.may_administer(identity):
        return catalogue().department_names()
    return [identity.department] if identity.department else []


def own_department(identity: auth.Identity) -> str | None:
    """The department whose submissions this account sees and may withdraw; None: all of them."""
    return None if auth.may_administer(identity) else (identity.department or "")


def new_state(identity: auth.Identity) -> str:
    # The office's own reports count at once; a department's wait for the office's review.
    return "committed" if auth.may_administer(identity) else "pending"


def write_scope(identity: auth.Identity) -> auth.WriteScope | None:
    return auth.write_scope(identity, catalogue())


def with_permissions(result: ImportResult, identity: auth.Identity) -> ImportResult:
    """The result with a problem on every row this account may not write (so it is never written)."""
    extra = auth.permission_problems(result, identity, catalogue())
    return dataclasses.replace(result, problems=[*result.problems, *extra]) if extra else result


def reporting_note(identity: auth.Identity) -> str:
    if auth.may_administer(identity):
        return f"当前账号：{identity.label}。督查办的报送确认后直接入库。"
    return (f"当前账号：{identity.label}。只能报送本部门牵头的指标和牵头或参与的任务；"
            "提交后为“待审核”，督查办审核通过后才计入各页面。")
