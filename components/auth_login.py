"""Login, logout and who is using this session (keys au_*).

A local login opens a session row in the database; the browser keeps its random token in a cookie
(set by a tiny inline script, nothing loaded from outside), so a page reload finds the login again
through st.context.cookies. With an [auth] section in .streamlit/secrets.toml, single sign-on through
st.login is offered too and st.user is mapped to a role by data/settings.toml [auth.sso].
"""
from __future__ import annotations

import json

import streamlit as st

from core import auth, session_exchange
from core.settings import load_settings
from core.user_text import PASSWORD_MAX, USERNAME_MAX, clip
from db import users

COOKIE = "zj_session"
_TOKEN = "au_token"
_COOKIE_JS = "au_cookie_js"  # the cookie script the next run must send to the browser
_LOGGED_OUT = "au_logged_out"  # ignore the (stale) cookie this connection started with
_SSO_SEEN = "au_sso_seen"
_ERROR = "au_error"


def current_identity() -> auth.Identity | None:
    """The logged-in user of this session, or None. Checked against the database on every run,
    so an expired session, a disabled account or a logout elsewhere takes effect at once."""
    token = st.session_state.get(_TOKEN)
    if token is None and not st.session_state.get(_LOGGED_OUT):
        token = _cookie_token()
    if token:
        identity = users.session_identity(token)
        if identity is not None:
            st.session_state[_TOKEN] = token
            return identity
        _forget_token(clear_cookie=True)
    return _sso_identity()


def _cookie_token() -> str | None:
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) else None  # test runners have no real client


def _sso_identity() -> auth.Identity | None:
    if not st.user.get("is_logged_in"):
        return None
    settings = load_settings().auth
    identity = auth.sso_identity(st.user.to_dict(), settings.sso_rules, settings.sso_default_role)
    seen = st.session_state.get(_SSO_SEEN)
    if seen != (identity.username if identity else ""):
        # Once per session and identity, not on every rerun.
        st.session_state[_SSO_SEEN] = identity.username if identity else ""
        if identity:
            users.record(identity.username, "login", via="sso", role=identity.role)
        else:
            users.record(clip(str(st.user.get("email") or "")), "login_failed", via="sso", reason="unmapped")
    return identity


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def nav_visibility(identity: auth.Identity | None, page: str) -> str:
    """Menu visibility of 进度填报 ("upload") and 管理 ("admin"); the pages refuse by themselves anyway."""
    allowed = auth.may_upload(identity) if page == "upload" else auth.may_administer(identity)
    return "visible" if allowed else "hidden"


def render_login_form(reason: str) -> None:
    st.info(reason)
    with st.form("au_login", clear_on_submit=True, enter_to_submit=True):
        st.text_input("用户名", key="au_username", autocomplete="username", max_chars=USERNAME_MAX)
        st.text_input("密码", key="au_password", type="password", autocomplete="current-password",
                      max_chars=PASSWORD_MAX)
        st.form_submit_button("登录", type="primary", on_click=_login)
    error = st.session_state.pop(_ERROR, None)
    if error:
        st.error(error)
    if sso_configured():
        st.button("统一身份认证登录", key="au_sso", on_click=st.login)


def login_source() -> str:
    """Where a login attempt comes from, for its throttle (db.users.login).

    The client's address when Streamlit sees one. When the peer is this machine (st.context.ip_address is
    None: a reverse proxy on the same server, or a browser on it), the address the proxy puts in X-Real-IP /
    X-Forwarded-For (its last entry, the one the proxy itself added); only local processes can reach a server
    listening on 127.0.0.1, so they cannot be forged from outside. Without either, this browser session;
    db.users then also limits the account as a whole (docs/auth.md)."""
    address = st.context.ip_address
    if address:
        return f"地址:{address}"
    headers = st.context.headers
    forwarded = (headers.get("X-Real-IP") or (headers.get("X-Forwarded-For") or "").split(",")[-1]).strip()
    if forwarded:
        return f"代理转发地址:{forwarded[:64]}"
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return f"会话:{ctx.session_id if ctx else '未知'}"


def _login() -> None:
    # In the callback: the password is read once from the widget and dropped with the form.
    outcome = users.login(st.session_state.get("au_username") or "", st.session_state.get("au_password") or "",
                          source=login_source())
    if outcome.identity is None:
        st.session_state[_ERROR] = outcome.message
        return
    st.session_state[_TOKEN] = outcome.token
    st.session_state.pop(_LOGGED_OUT, None)
    max_age = load_settings().auth.session_hours * 3600
    st.session_state[_COOKIE_JS] = _cookie_script(outcome.token, max_age)


def _cookie_script(token: str, max_age: int) -> str:
    """The script that stores (max_age > 0) or clears the login cookie in the browser.

    Served through service/asgi.py (manage.py serve), the page never sees the token: it posts a one-time
    code to the server, which sets an HttpOnly, SameSite=Strict cookie (core.session_exchange). A bare
    `streamlit run app.py` has no such route, so there the script writes the cookie itself (not HttpOnly)."""
    if session_exchange.enabled():
        if max_age > 0:
            code = json.dumps(session_exchange.issue(token, max_age))
            return (f"<script>fetch(new URL('_zj/session', document.baseURI), {{method: 'POST', body: {code}, "
                    "credentials: 'same-origin'});</script>")
        return ("<script>fetch(new URL('_zj/logout', document.baseURI), {method: 'POST', "
                "credentials: 'same-origin'});</script>")
    value = json.dumps(f"{COOKIE}={token}; path=/; max-age={max_age}; SameSite=Strict")
    return f"<script>document.cookie = {value};</script>"


def _forget_token(clear_cookie: bool) -> None:
    st.session_state.pop(_TOKEN, None)
    st.session_state[_LOGGED_OUT] = True
    if clear_cookie:
        st.session_state[_COOKIE_JS] = _cookie_script("", 0)


def logout(identity: auth.Identity) -> None:
    users.logout(st.session_state.get(_TOKEN), identity.username)
    _forget_token(clear_cookie=True)
    if identity.via == "sso":
        st.logout()


def send_cookie() -> None:
    """Deliver a pending cookie change to the browser (once)."""
    script = st.session_state.pop(_COOKIE_JS, None)
    if script:
        st.html(script, unsafe_allow_javascript=True, width="content")


def require(allowed, what: str) -> auth.Identity:
    """Stop the page unless the user is logged in and allowed(identity); show the login form if not logged in."""
    identity = current_identity()
    if identity is None:
        render_login_form(f"{what}需要登录。")
        st.stop()
    if not allowed(identity):
        st.error(f"您的账号（{identity.role}）无权使用{what}。如需开通，请联系督查办。")
        st.stop()
    return identity


def gate_viewing() -> auth.Identity | None:
    """When settings require a login for viewing, stop every page until the user logs in."""
    identity = current_identity()
    if not auth.may_view(identity, load_settings().auth):
        render_login_form("本看板需要登录后查看。")
        st.stop()
    return identity
