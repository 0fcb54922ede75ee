"""Accounts across a restore: the backup brings back the data, never an older state of who may log in.

A backup may predate a revocation: a session logged out or ended by a password reset, an account
disabled, a role taken away, a password changed because it leaked. Restoring the backup's accounts
would revive all of these. So db.setup.restore_sqlite reads the accounts, sessions and login locks
as they are now (read_accounts), installs the backup, and writes them back over the backup's
(carry_accounts): accounts are matched by user name; one that exists only in the backup comes back
disabled; sessions are exactly the current ones.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from db import models as m
from db.engine import session_scope
from db.users import audit

_USER_FIELDS = ("display_name", "password_hash", "role", "active", "failed_attempts", "locked_until", "created_at")


@dataclass(frozen=True)
class Accounts:
    users: list[dict]  # the User fields above, plus "username" and "department" (name)
    sessions: list[dict]  # token_digest, username, created_at, expires_at
    throttle: list[dict]  # LoginThrottle rows


def read_accounts(engine: Engine) -> Accounts:
    """The accounts, sessions and login locks of the database `engine` points at, as they are now."""
    u, d, s = m.User.__table__, m.Department.__table__, m.UserSession.__table__
    with engine.connect() as conn:
        users = [dict(r._mapping) for r in conn.execute(
            select(u.c.username, *(u.c[f] for f in _USER_FIELDS), d.c.name.label("department"))
            .select_from(u.outerjoin(d, d.c.id == u.c.department_id)))]
        sessions = [dict(r._mapping) for r in conn.execute(
            select(s.c.token_digest, u.c.username, s.c.created_at, s.c.expires_at)
            .select_from(s.join(u, u.c.id == s.c.user_id)))]
        throttle = [dict(r._mapping) for r in conn.execute(select(m.LoginThrottle.__table__))]
    return Accounts(users, sessions, throttle)


def carry_accounts(now: Accounts, *, audit_detail: dict, by: str) -> dict[str, int]:
    """Write the current accounts over the restored ones, and audit the restore, in one transaction."""
    with session_scope() as session:
        dept_id = dict(session.execute(select(m.Department.name, m.Department.id)).all())
        restored = {user.username: user for user in session.execute(select(m.User)).scalars()}
        current = {row["username"]: row for row in now.users}
        for name, user in restored.items():
            if name not in current:
                user.active = False  # not an account today: it does not come back with the backup
        added = 0
        for name, row in current.items():
            user = restored.get(name)
            if user is None:
                user = m.User(username=name)
                session.add(user)
                added += 1
            for field in _USER_FIELDS:
                setattr(user, field, row[field])
            user.department_id = dept_id.get(row["department"]) if row["department"] else None
        session.flush()
        ids = dict(session.execute(select(m.User.username, m.User.id)).all())
        session.execute(delete(m.UserSession))
        session.add_all(m.UserSession(token_digest=r["token_digest"], user_id=ids[r["username"]],
                                      created_at=r["created_at"], expires_at=r["expires_at"]) for r in now.sessions)
        session.execute(delete(m.LoginThrottle))
        session.add_all(m.LoginThrottle(**r) for r in now.throttle)
        disabled = sum(1 for n in restored if n not in current)
        audit(session, by, "restore", **audit_detail, accounts_kept=len(current), accounts_disabled=disabled,
              sessions_kept=len(now.sessions))
        return {"kept": len(current), "added": added, "disabled": disabled, "sessions": len(now.sessions)}
