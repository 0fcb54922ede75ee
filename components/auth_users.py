"""用户管理 (keys au_usr_*): the office adds accounts, resets passwords, disables and re-enables them."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.flash import show_flash
from components.upload_common import catalogue
from core.auth import REPORTER, ROLES, Identity
from core.user_text import DISPLAY_NAME_MAX, PASSWORD_MAX, USERNAME_MAX, md_text
from db.users import NotAllowed, UserError, add_user, set_active, users
from services import cache
from services.first_admin import reset_password

_DONE = "au_usr_done"
_ERROR = "au_usr_error"
NO_DEPT = "（无）"


def users_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "用户名": df["username"], "姓名": df["display_name"], "角色": df["role"],
        "部门": df["department"].fillna(""), "状态": df["active"].astype(bool).map({True: "启用", False: "停用"}),
        "连续失败": df["failed_attempts"],
        "锁定至": df["locked_until"].dt.strftime("%Y-%m-%d %H:%M").fillna(""),
    })


def render_user_admin(identity: Identity) -> None:
    show_flash(_DONE, _ERROR)
    df = cache.read(users)
    st.dataframe(users_table(df), hide_index=True, width="stretch")
    add, change = st.columns(2)
    with add:
        _render_add(identity)
    with change:
        _render_change(identity, df["username"].tolist())


def _render_add(identity: Identity) -> None:
    with st.form("au_usr_add", clear_on_submit=True):
        st.markdown("**新增用户**")
        st.text_input("用户名", key="au_usr_name", max_chars=USERNAME_MAX)
        st.text_input("姓名", key="au_usr_display", max_chars=DISPLAY_NAME_MAX)
        st.selectbox("角色", ROLES, index=ROLES.index(REPORTER), key="au_usr_role", placeholder="请选择…")
        st.selectbox("所属部门（填报员必选）", [NO_DEPT, *catalogue().department_names()], key="au_usr_dept",
                     placeholder="请选择…")
        st.text_input("初始密码", key="au_usr_password", type="password", help="至少 10 位，含字母和数字",
                      max_chars=PASSWORD_MAX)
        # The identity as rendered: add_user re-checks it inside its transaction (the callback runs
        # before this page checks the login again).
        st.form_submit_button("新增", on_click=_add, args=(identity,))


def _add(by: Identity) -> None:
    s = st.session_state
    dept = None if s.get("au_usr_dept") in (None, NO_DEPT) else s["au_usr_dept"]
    try:
        add_user(s.get("au_usr_name") or "", s.get("au_usr_password") or "", s.get("au_usr_role") or "", dept,
                 by=by, display_name=s.get("au_usr_display") or "", catalogue=catalogue())
    except (UserError, NotAllowed) as exc:
        s[_ERROR] = f"未新增：{md_text(exc)}"
        return
    s[_DONE] = f"已新增用户“{md_text(s['au_usr_name'].strip())}”（{s['au_usr_role']}）。"


def _render_change(identity: Identity, names: list[str]) -> None:
    st.markdown("**重置密码 / 停用 / 启用**")
    name = st.selectbox("用户", names, key="au_usr_pick", placeholder="请选择…")
    st.text_input("新密码", key="au_usr_new_password", type="password", max_chars=PASSWORD_MAX,
                  help="重置后解除锁定，并使该用户已登录的会话失效")
    none = name is None  # the selector cleared with its ⊗: nothing chosen, nothing to do
    st.button("重置密码", key="au_usr_reset", on_click=_reset, args=(name, identity), disabled=none)
    left, right = st.columns(2)
    left.button("停用", key="au_usr_disable", on_click=_active, args=(name, False, identity),
                disabled=none or name == identity.username)
    right.button("启用", key="au_usr_enable", on_click=_active, args=(name, True, identity), disabled=none)


def _reset(name: str, by: Identity) -> None:
    try:
        reset_password(name, st.session_state.get("au_usr_new_password") or "", by=by)
    except (UserError, NotAllowed) as exc:
        st.session_state[_ERROR] = f"未重置：{md_text(exc)}"
        return
    st.session_state["au_usr_new_password"] = ""
    st.session_state[_DONE] = f"已重置“{md_text(name)}”的密码。"


def _active(name: str, active: bool, by: Identity) -> None:
    try:
        set_active(name, active, by=by)
    except (UserError, NotAllowed) as exc:
        st.session_state[_ERROR] = md_text(exc)
        return
    st.session_state[_DONE] = f"已{'启用' if active else '停用'}“{md_text(name)}”。"



