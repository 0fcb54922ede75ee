"""Who is acting, and the check every write makes inside its own transaction.

A page hands its identity together with the browser session's token (`Caller`); the write re-reads
the account (db.write_identity) in its transaction, so a stale Streamlit callback of a logged-out,
revoked or disabled account, or one whose role or department changed, writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlmodel import Session

from core import auth
from db.imports import CommitRefused
from db.write_identity import identity_at_write

WEB, CLI = "web", "cli"


@dataclass(frozen=True)
class Caller:
    """An identity as a write receives it.

    token: the login session's token (a local login in the browser); channel "cli" for manage.py,
    whose operator sits at the server (the account is still re-checked, there is no session to check).
    """

    identity: auth.Identity
    token: str | None = None
    channel: str = WEB

    @property
    def username(self) -> str:
        return self.identity.username


def as_caller(who: Caller | auth.Identity) -> Caller:
    """A bare Identity is a browser session without its token: refused for a local account (a page must
    pass Caller(identity, token); manage.py passes Caller(identity, channel=CLI)). Single sign-on
    identities have no token anyway."""
    return who if isinstance(who, Caller) else Caller(who, None, WEB)


def identity_of(who: Caller | auth.Identity) -> auth.Identity:
    return who.identity if isinstance(who, Caller) else who


class NotAuthorised(CommitRefused):
    """The account may not make this write (any more); nothing was written."""


def authorise(session: Session, caller: Caller, allowed: Callable[[auth.Identity], bool], what: str) -> auth.Identity:
    """The caller's identity as it is now, inside the write transaction `session`; NotAuthorised when the
    session ended, the account was disabled or changed, or `allowed(identity)` says no."""
    stated = caller.identity
    if stated.via == "sso":
        # Single sign-on accounts have no row here: Streamlit's own login cookie stands for them.
        now = stated
    else:
        if caller.channel == WEB and not caller.token:
            raise NotAuthorised("登录已失效，未写入任何数据；请重新登录后再试")
        now = identity_at_write(session, stated.username, caller.token if caller.channel == WEB else None)
        if now is None:
            raise NotAuthorised("登录已失效或账号已停用，未写入任何数据；请重新登录后再试")
        if (now.role, now.department) != (stated.role, stated.department):
            raise NotAuthorised("账号的角色或所属部门已变更，未写入任何数据；请刷新页面后再试")
    if not allowed(now):
        raise NotAuthorised(f"您的账号（{now.role}）无权{what}，未写入任何数据")
    return now
