"""The dashboard as an ASGI application (st.App): what `manage.py serve` runs.

Streamlit's own pages and websocket are unchanged (app.py); this adds what Streamlit 1.67 gives a script
no other way to do:
- POST /_zj/session redeems a one-time code (core.session_exchange) and sets the login cookie itself:
  HttpOnly (page scripts cannot read it), SameSite=Strict, Secure behind HTTPS; POST /_zj/logout clears it.
- Security headers on every HTTP response (nosniff, no referrer, no framing by other sites, no images,
  plugins or <base> from outside).
`streamlit run service/asgi.py` finds `app` below and serves it (Streamlit's ASGI mode).
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run service/asgi.py` puts only service/ on the path
    sys.path.insert(0, str(ROOT))

from core import session_exchange  # noqa: E402

COOKIE = "zj_session"  # components.auth_login.COOKIE (components may not be imported here: no streamlit run yet)
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"SAMEORIGIN",
    # Only the restrictions that cannot break Streamlit's front end: no outside images (a markdown image in
    # user text would fetch nothing), no embedding by other sites, no plugins, no <base> rewriting.
    b"content-security-policy": b"img-src 'self' data: blob:; frame-ancestors 'self'; object-src 'none'; "
                                b"base-uri 'self'",
}


class SecurityHeaders:
    """Pure ASGI middleware: adds SECURITY_HEADERS to every HTTP response (the websocket is untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in SECURITY_HEADERS.items() if k not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


def _same_origin(request: Request) -> bool:
    # Browsers send Origin on a cross-site POST: refuse those (no one else's page may set or clear the cookie).
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host", "")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


async def set_session(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    redeemed = session_exchange.redeem((await request.body())[:200].decode("ascii", "ignore").strip())
    if redeemed is None:
        return Response(status_code=403)
    token, max_age = redeemed
    response = Response(status_code=204, headers={"cache-control": "no-store"})
    response.set_cookie(COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=_secure(request))
    return response


async def clear_session(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    response = Response(status_code=204, headers={"cache-control": "no-store"})
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


session_exchange.enable()
app = st.App(str(ROOT / "app.py"),
             routes=[Route("/_zj/session", set_session, methods=["POST"]),
                     Route("/_zj/logout", clear_session, methods=["POST"])],
             middleware=[Middleware(SecurityHeaders)])
