"""Only the office may clear the server's caches.

Streamlit answers a browser's "clear cache" message (a BackMsg any websocket client can send, whatever
the toolbar shows) by clearing st.cache_data and st.cache_resource for every user at once: one visitor
could make every page recompute from the database, again and again. install() wraps that handler so it
runs only for a session logged in as a current 管理员 (checked against the database at that moment);
from anyone else the message is logged and ignored. The office rarely needs it: every write already
clears the cached reads (db.engine.after_every_write).
"""
from __future__ import annotations

import logging

from streamlit.runtime.app_session import AppSession

from core.auth import may_administer
from db import users

log = logging.getLogger(__name__)
_TOKEN = "au_token"  # components.auth_login keeps the session's login token under this key


def _session_token(app_session) -> str | None:
    try:
        state = app_session._session_state
        token = state[_TOKEN] if _TOKEN in state else None
    except Exception:  # noqa: BLE001 - no readable state: treated as not logged in
        return None
    return token if isinstance(token, str) else None


def install() -> None:
    """Idempotent: wrap AppSession's clear-cache handler once per process."""
    original = AppSession._handle_clear_cache_request
    if getattr(original, "zj_guarded", False):
        return

    def guarded(self) -> None:
        token = _session_token(self)
        if may_administer(users.session_identity(token) if token else None):
            original(self)
        else:
            log.warning("已忽略非管理员会话的清除缓存请求")

    guarded.zj_guarded = True
    AppSession._handle_clear_cache_request = guarded
