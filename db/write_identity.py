"""Who is writing, re-read inside the write's own transaction: the one account check every write makes.

Streamlit runs a widget's callback before the page checks the login again, so a write cannot trust
the identity the page saw: the account may have been disabled, its session revoked or its role changed
since. `account_at_write` reads the account as it is now. Its callers (services.identity.authorise,
db.users.assert_identity_valid, db.supervision.authorise, db.assessment.account_for_token,
db.trust._authorise) only word the refusal their screens show.

Accounts and login sessions live in the home database (db.engine); a plan with a database of its own
has none. A write there reads them from the home database (its own short read); a write on the home
database reads them in its own transaction, locking the account row (PostgreSQL FOR UPDATE: a
concurrent disable waits for the write). The department comes back by name, which is how a plan's
database knows it (a plan's department ids need not match the home database's).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import select
from sqlmodel import Session

from core import auth
from db import models as m
from db.engine import home_engine, is_home


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    department: str | None  # name
    display_name: str

    def identity(self, session_digest: str | None = None) -> auth.Identity:
        return auth.Identity(self.username, self.role, self.department, self.display_name, "local",
                             session_digest=session_digest)


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)  # SQLite hands it back without its zone (UTC)
    return value


@contextmanager
def accounts_session(session: Session) -> Iterator[Session]:
    """Where the accounts are for a write in `session`: the session itself on the home database, else a
    read of the home database."""
    if is_home(session):
        yield session
        return
    with Session(home_engine()) as home:
        yield home


def account_at_write(session: Session, username: str | None = None, *, digest: str | None = None,
                     need_session: bool = False, now: datetime | None = None) -> Account | None:
    """The active account now, or None: unknown or disabled; or, when `digest` (a login session's token
    digest) is given or `need_session` is set, when that session is missing, expired or not the account's.
    Without a username the account is the session's."""
    if need_session and not digest:
        return None
    now = now or datetime.now(timezone.utc)
    with accounts_session(session) as s:
        row = s.get(m.UserSession, digest) if digest else None
        if digest and (row is None or auth.is_expired(_utc(row.expires_at), now)):
            return None
        query = select(m.User).where(m.User.username == username) if username is not None else (
            select(m.User).where(m.User.id == row.user_id) if row is not None else None)
        if query is None:
            return None
        user = s.execute(query.with_for_update() if s is session else query).scalar()
        if user is None or not user.active or (row is not None and row.user_id != user.id):
            return None
        department = s.get(m.Department, user.department_id).name if user.department_id else None
        return Account(user.id, user.username, user.role, department, user.display_name)


def identity_at_write(session: Session, username: str, token: str | None,
                      now: datetime | None = None) -> auth.Identity | None:
    """The account's identity now; None when it is unknown or disabled, or when `token` is given and is
    not a live (unexpired, not revoked) session of that account."""
    account = account_at_write(session, username, digest=auth.token_digest(token) if token is not None else None,
                               need_session=token is not None, now=now)
    return account.identity() if account is not None else None
