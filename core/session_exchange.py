"""One-time codes that let the server set the login cookie itself (HttpOnly), without the token in the page.

The login happens over Streamlit's websocket, where no HTTP response can carry a Set-Cookie. So after a
login the page receives only a random one-time code and posts it to the server's own route
(service/asgi.py, POST /_zj/session); the route redeems the code for the token and answers with an
HttpOnly, SameSite=Strict cookie. A code is valid once and for 60 seconds, so a code seen in the page
is worthless soon after. In-process memory: the route and the websocket session are in the same
server process (multi-instance deployments use sticky sessions, README).

`enabled()` is true only in a server started through service/asgi.py (manage.py serve); elsewhere
(a bare `streamlit run app.py`, tests) the page falls back to setting the cookie from the script.
"""
from __future__ import annotations

import secrets
import threading
import time

CODE_SECONDS = 60
_lock = threading.Lock()
_codes: dict[str, tuple[str, int, float]] = {}  # code -> (token, max_age, expires at)
_enabled = False


def enable() -> None:
    global _enabled
    _enabled = True


def enabled() -> bool:
    return _enabled


def issue(token: str, max_age: int, now: float | None = None) -> str:
    now = time.monotonic() if now is None else now
    code = secrets.token_urlsafe(24)
    with _lock:
        for old in [c for c, (_, _, until) in _codes.items() if until <= now]:
            del _codes[old]
        _codes[code] = (token, max_age, now + CODE_SECONDS)
    return code


def redeem(code: str, now: float | None = None) -> tuple[str, int] | None:
    """(token, max_age) once for a valid, unexpired code; None otherwise."""
    now = time.monotonic() if now is None else now
    with _lock:
        item = _codes.pop(code, None)
    if item is None or item[2] <= now:
        return None
    return item[0], item[1]
