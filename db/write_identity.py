"""Who is writing, re-read inside the write's own transaction (services.identity.authorise uses it).

Streamlit runs a widget's callback before the page checks the login again, so a write cannot trust
the identity the page saw: the account may have been disabled, its session revoked or its role changed
since. This reads the account as it is now, in the caller's transaction.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlmodel import Session

from core import auth
from db import models as m


def identity_at_write(session: Session, username: str, token: str | None,
                      now: datetime | None = None) -> auth.Identity | None:
    """The account's identity now; None when it is unknown or disabled, or when `token` is given and is
    not a live (unexpired, not revoked) session of that account."""
    user = session.execute(select(m.User).where(m.User.username == username)).scalar()
    if user is None or not user.active:
        return None
    if token is not None:
        row = session.get(m.UserSession, auth.token_digest(token))
        expires = row.expires_at if row is not None else None
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)  # SQLite hands it back without its zone (UTC)
        if row is None or row.user_id != user.id or auth.is_expired(expires, now or datetime.now(timezone.utc)):
            return None
    department = session.get(m.Department, user.department_id).name if user.department_id else None
    return auth.Identity(user.username, user.role, department, user.display_name, "local")
