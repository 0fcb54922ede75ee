"""Accounts: create, reset, disable; login with lockout; session tokens; the audit trail of all of it.

All of it lives in the home database (db.engine.home_engine), whichever plan a page shows.

Passwords are hashed with argon2 (core.auth) before they reach a session; no password, hash or token
is ever written to the audit log or returned in a message.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import and_, case, delete, or_, select, update
from sqlmodel import Session

from core import auth
from core.catalogue import Catalogue, load_catalogue
from core.paths import DEFAULT_PLAN_ID
from core.plans import plan_folder
from core.settings import AuthSettings, load_settings
from core.user_text import DISPLAY_NAME_MAX, PASSWORD_MAX, USERNAME_MAX, clip, text_problem
from db import models as m
from db.engine import bump_data_version, home_engine, home_scope
from db.queries import _frame_on
from db.write_identity import Account, account_at_write

INITIAL_ADMIN = "admin"
ADMIN_PASSWORD_ENV = "ZJ_ADMIN_PASSWORD"


class UserError(ValueError):
    """The account change cannot be made; the message is Chinese and nothing was written."""


class NotAllowed(PermissionError):
    """The identity may not make this write now (session ended, account disabled, role or department
    changed); the message is Chinese and the caller's transaction must write nothing."""


@dataclass(frozen=True)
class LoginOutcome:
    identity: auth.Identity | None
    message: str  # Chinese; the same wording for an unknown user and a wrong password
    token: str | None = None


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without a zone; they were stored as UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def audit(session: Session, user: str, action: str, **detail) -> None:
    """Append one audit row inside the caller's transaction."""
    session.add(m.AuditLog(user_name=user, action=action, detail=json.dumps(detail, ensure_ascii=False)))


def record(user: str, action: str, **detail) -> None:
    with home_scope() as session:
        audit(session, user, action, **detail)


def _department_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    return session.execute(select(m.Department.id).where(m.Department.name == name)).scalar()


def _identity(session: Session, user: m.User, digest: str | None = None) -> auth.Identity:
    dept = session.get(m.Department, user.department_id).name if user.department_id else None
    return auth.Identity(user.username, user.role, dept, user.display_name, "local", session_digest=digest)


# --- Authorisation at the write -----------------------------------------------------------------------

ENDED = "您的登录已失效（已退出、过期或账号已停用），本次操作未执行。请重新登录后再试。"


def assert_identity_valid(session: Session, identity: auth.Identity | None, *, roles: tuple[str, ...] | None = None,
                          department: str | None = None, now: datetime | None = None) -> Account | None:
    """Re-check, inside the caller's write transaction, that `identity` may still write; raise NotAllowed if not.

    Streamlit runs a widget's callback before the page checks the login again, so the identity a page
    handed to a button may be stale: the session may have been logged out or deleted (account disabled
    from the CLI, password reset), the account disabled, its role or department changed. This reads the
    current rows, locking the account row (PostgreSQL: FOR UPDATE, so a concurrent disable waits for this
    write to finish; SQLite's BEGIN IMMEDIATE already serialises writers). `roles`: the roles allowed
    (None: any); `department`: the department a 填报员 must belong to (admins pass).

    A local login carries its session digest: the session row must exist, be unexpired and belong to
    the account. An identity without one (the CLI's --user) is checked by account only. An SSO identity
    has no account row here; its role comes from the identity provider and the settings' rules, so only
    the role is checked (returns None). The account as read (db.write_identity.Account) otherwise.
    """
    if identity is None:
        raise NotAllowed("请先登录：本操作需要登录后才能执行，未写入任何数据。")
    if identity.via == "sso":
        if roles is not None and identity.role not in roles:
            raise NotAllowed(_role_text(identity.role, roles))
        return None
    account = account_at_write(session, identity.username, digest=identity.session_digest, now=now)
    if account is None:
        raise NotAllowed(ENDED)
    if roles is not None and account.role not in roles:
        raise NotAllowed(_role_text(account.role, roles))
    if department is not None and account.role != auth.ADMIN and account.department != department:
        own = account.department
        raise NotAllowed(f"您的账号属于“{own or '（无部门）'}”，不能为“{department}”执行此操作；未写入任何数据。")
    return account


def _role_text(role: str, roles: tuple[str, ...]) -> str:
    return f"您的账号（{role}）无权执行此操作（需要{'或'.join(roles)}）；未写入任何数据。"


def _get(session: Session, username: str) -> m.User:
    user = session.execute(select(m.User).where(m.User.username == username)).scalar()
    if user is None:
        raise UserError(f"用户“{clip(username)}”不存在")
    return user


# --- Account changes --------------------------------------------------------------------------------
# `by` is the acting identity (the 用户管理 page: re-checked as a current 管理员 inside the transaction,
# so a callback from a revoked session writes nothing) or a plain name for callers that are trusted
# because they run on the server itself (the CLI "命令行", "系统初始化", tests).

Actor = auth.Identity | str


def _actor(session: Session, by: Actor) -> str:
    if isinstance(by, auth.Identity):
        assert_identity_valid(session, by, roles=(auth.ADMIN,))
        return by.username
    return by


def _password_checked(password: str) -> str:
    problem = (text_problem("密码", password, PASSWORD_MAX) if len(password) > PASSWORD_MAX
               else auth.password_problem(password))
    if problem:
        raise UserError(problem)
    # Hashed before the write transaction opens: argon2 takes ~0.1-0.2 s, and on SQLite the
    # transaction holds the database's write lock from BEGIN.
    return auth.hash_password(password)


def _home_catalogue() -> Catalogue:
    # An account's department is one of the home database's (the 2018–2020 plan's), whatever plan is current.
    return load_catalogue(plan_folder(DEFAULT_PLAN_ID))


def add_user(username: str, password: str, role: str, department: str | None = None, *, by: Actor,
             display_name: str = "", catalogue: Catalogue | None = None) -> int:
    username, display_name = username.strip(), display_name.strip()
    problem = (text_problem("用户名", username, USERNAME_MAX, required=True)
               or text_problem("姓名", display_name, DISPLAY_NAME_MAX)
               or auth.role_problem(role, department, catalogue or _home_catalogue()))
    if problem:
        raise UserError(problem)
    password_hash = _password_checked(password)
    with home_scope() as session:
        actor = _actor(session, by)
        if session.execute(select(m.User.id).where(m.User.username == username)).scalar() is not None:
            raise UserError(f"用户“{username}”已存在")
        user = m.User(username=username, display_name=display_name or username, role=role,
                      password_hash=password_hash,
                      department_id=_department_id(session, department if role == auth.REPORTER else None))
        session.add(user)
        session.flush()
        audit(session, actor, "user_add", username=username, role=role, department=department or "")
        bump_data_version(session, data=False)  # the account list is a cached read
        return user.id


def reset_password(username: str, password: str, *, by: Actor) -> None:
    """New password; also lifts a lockout and ends the account's open sessions."""
    password_hash = _password_checked(password)
    with home_scope() as session:
        actor = _actor(session, by)
        user = _get(session, username)
        user.password_hash = password_hash
        user.failed_attempts, user.locked_until = 0, None
        session.execute(delete(m.LoginThrottle).where(m.LoginThrottle.account == user.username))  # lifts any lock
        session.execute(delete(m.UserSession).where(m.UserSession.user_id == user.id))
        audit(session, actor, "user_reset", username=username)
        bump_data_version(session, data=False)  # the account list is a cached read


def set_active(username: str, active: bool, *, by: Actor) -> None:
    with home_scope() as session:
        actor = _actor(session, by)
        user = _get(session, username)
        if not active and user.role == auth.ADMIN and _other_active_admins(session, user.id) == 0:
            raise UserError("不能停用最后一个管理员账号")
        user.active = active
        if not active:
            session.execute(delete(m.UserSession).where(m.UserSession.user_id == user.id))
        audit(session, actor, "user_enable" if active else "user_disable", username=username)
        bump_data_version(session, data=False)  # the account list is a cached read


def _other_active_admins(session: Session, user_id: int) -> int:
    return len(session.execute(select(m.User.id).where(
        m.User.role == auth.ADMIN, m.User.active.is_(True), m.User.id != user_id)).all())


def ensure_initial_admin(env_password: str | None) -> tuple[str, str | None] | None:
    """Create "admin" when no administrator exists.

    Returns None when one existed; else (username, password) where password is the generated one
    to print once, or None when it came from the environment.
    """
    with home_scope() as session:
        exists = session.execute(select(m.User.id).where(m.User.role == auth.ADMIN)).first()
    if exists:
        return None
    password = env_password or auth.generate_password()
    add_user(INITIAL_ADMIN, password, auth.ADMIN, by="系统初始化", display_name="督查办管理员")
    return INITIAL_ADMIN, None if env_password else password


def user_identity(username: str) -> auth.Identity | None:
    """The identity of an active account (the CLI's --user), None when unknown or disabled."""
    with home_scope() as session:
        user = session.execute(select(m.User).where(m.User.username == username)).scalar()
        return _identity(session, user) if user is not None and user.active else None


def users() -> pd.DataFrame:
    return _frame_on(home_engine(), """
        SELECT u.username, u.display_name, u.role, d.name AS department, u.active, u.failed_attempts,
               u.locked_until, u.created_at
        FROM app_user u LEFT JOIN department d ON d.id = u.department_id ORDER BY u.id""")


# --- Login and sessions -----------------------------------------------------------------------------

# One answer for a wrong password, an unknown user, a disabled account and a locked one: the page
# must not tell an outsider which account names exist or what state they are in. The reason is in
# the audit log for the office.
WRONG = "登录失败：用户名或密码错误，或账号已停用、暂时锁定。请核对后再试；如仍无法登录，请联系督查办。"



@functools.cache
def _dummy_hash() -> str:
    # Verified when the account does not exist (or the attempt is refused before its hash is read), so
    # every answer costs one argon2 verification: the time taken does not tell whether a name exists.
    return auth.hash_password(auth.generate_password())

# Attempts allowed before a key locks, relative to [auth] max_failed_logins, and for how long.
# The account-wide key catches an attack spread over many sources (or browser sessions, when the
# server sees no client address); it locks for a minute only, so no outsider can keep the office's
# own account locked for long (docs/auth.md).
_SOURCE_FACTOR = 4  # one source trying many accounts (password spraying, probing names)
_ACCOUNT_FACTOR = 10
_ACCOUNT_LOCK_SECONDS = 60


@dataclass(frozen=True)
class _Key:
    key: str
    account: str
    limit: int
    lock_seconds: int
    label: str  # for the audit log's 账号锁定 row


def _throttle_keys(name: str | None, source: str, settings: AuthSettings) -> list[_Key]:
    """The counters one attempt adds to: the source's; and, for a plausible name, the account's from
    this source and the account's from everywhere."""
    n, lock = settings.max_failed_logins, settings.lockout_minutes * 60
    keys = [_Key(f"s:{source}", "", n * _SOURCE_FACTOR, lock, "来源")]
    if name is not None:
        keys += [_Key(f"a:{name}|s:{source}", name, n, lock, "账号（该来源）"),
                 _Key(f"a:{name}", name, n * _ACCOUNT_FACTOR, _ACCOUNT_LOCK_SECONDS, "账号（全部来源）")]
    return keys


def _count_attempt(session: Session, key: str, account: str, limit: int, lock_seconds: int, now: int) -> bool:
    """Count one attempt on `key` atomically; True when the key is (now) over its limit.

    One INSERT ... ON CONFLICT DO UPDATE ... RETURNING: the increment and the read are a single
    statement, so 30 concurrent attempts leave 30 counted (PostgreSQL serialises the row update;
    SQLite's write lock serialises the transaction). A window or lock that has run out starts again."""
    table = m.LoginThrottle.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    c = table.c
    stale = or_(and_(c.locked_until != 0, c.locked_until <= now),
                and_(c.locked_until == 0, c.window_start <= now - lock_seconds))
    stmt = upsert(table).values(key=key, account=account, attempts=1, window_start=now, locked_until=0)
    stmt = stmt.on_conflict_do_update(index_elements=[c.key], set_={
        "attempts": case((stale, 1), else_=c.attempts + 1),
        "window_start": case((stale, now), else_=c.window_start),
        "locked_until": case((stale, 0), else_=c.locked_until),
    }).returning(c.attempts, c.locked_until)
    attempts, locked_until = session.execute(stmt).one()
    return locked_until > now or attempts > limit


def _lock_spent_keys(session: Session, keys: list[_Key], now: int) -> list[_Key]:
    """After a wrong password: lock every key whose attempts reached its limit; the keys locked now."""
    c = m.LoginThrottle.__table__.c
    return [k for k in keys if session.execute(update(m.LoginThrottle.__table__).where(
        c.key == k.key, c.attempts >= k.limit, c.locked_until == 0).values(locked_until=now + k.lock_seconds)).rowcount]


def login(username: str, password: str, settings: AuthSettings | None = None,
          now: datetime | None = None, source: str = "") -> LoginOutcome:
    """Check a password: attempts counted first (atomically), the hash verified outside any write
    transaction, then the outcome written. `source` is the client address, or the browser session
    when the server sees no address (components.auth_login.login_source)."""
    settings = settings or load_settings().auth
    now = now or datetime.now(timezone.utc)
    epoch = int(now.timestamp())
    name = username.strip()
    bounded = len(name) <= USERNAME_MAX and len(password) <= PASSWORD_MAX
    shown, source = clip(name), clip(source or "未知来源", 128)
    # 1. Count the attempt before checking it (short transaction; no hashing while it holds the lock).
    keys = _throttle_keys(name if bounded and name else None, source, settings)
    with home_scope() as session:
        blocked = any([_count_attempt(session, k.key, k.account, k.limit, k.lock_seconds, epoch) for k in keys])
        user = (session.execute(select(m.User.id, m.User.password_hash, m.User.active)
                                .where(m.User.username == name)).first() if bounded and name else None)
    # 2. One argon2 verification whatever happened above (constant time; outside any transaction).
    checked = auth.verify_password(user.password_hash if user is not None and not blocked else _dummy_hash(),
                                   password if bounded else "")
    granted = user is not None and user.active and not blocked and checked
    # 3. Write the outcome.
    with home_scope() as session:
        # Counters idle for a day and not locking anything are forgotten (the table stays small).
        t = m.LoginThrottle.__table__.c
        session.execute(delete(m.LoginThrottle).where(t.window_start < epoch - 86400, t.locked_until <= epoch))
        if not granted:
            reason = ("too_long" if not bounded else "unknown_user" if user is None else "locked" if blocked
                      else "disabled" if not user.active else "wrong_password")
            detail = {"reason": reason, "source": source}
            if user is not None:
                detail["attempts"] = session.execute(
                    update(m.User).where(m.User.id == user.id).values(failed_attempts=m.User.failed_attempts + 1)
                    .returning(m.User.failed_attempts)).scalar_one()
            audit(session, shown, "login_failed", **detail)
            for k in _lock_spent_keys(session, keys, epoch) if not blocked else []:
                audit(session, shown, "lockout", scope=k.label, seconds=k.lock_seconds, source=source)
                if k.account and user is not None:  # shown in 用户管理 (锁定至)
                    session.execute(update(m.User).where(m.User.id == user.id).values(
                        locked_until=now + timedelta(seconds=k.lock_seconds)))
            return LoginOutcome(None, WRONG)
        session.execute(update(m.User).where(m.User.id == user.id).values(failed_attempts=0, locked_until=None))
        # This source's count on this account starts again; the account-wide count runs out by itself.
        session.execute(delete(m.LoginThrottle).where(m.LoginThrottle.key == f"a:{name}|s:{source}"))
        token = auth.new_token()
        session.add(m.UserSession(token_digest=auth.token_digest(token), user_id=user.id, created_at=now,
                                  expires_at=auth.session_expiry(now, settings)))
        audit(session, name, "login", source=source)
        account = session.get(m.User, user.id)
        return LoginOutcome(_identity(session, account, auth.token_digest(token)), "登录成功", token)


def session_identity(token: str | None, now: datetime | None = None) -> auth.Identity | None:
    """Who a session token belongs to; None when unknown, expired, or the account was disabled."""
    if not token:
        return None
    now = now or datetime.now(timezone.utc)
    with home_scope() as session:
        row = session.get(m.UserSession, auth.token_digest(token))
        if row is None:
            return None
        if auth.is_expired(_utc(row.expires_at), now):
            session.delete(row)
            return None
        user = session.get(m.User, row.user_id)
        return _identity(session, user, row.token_digest) if user is not None and user.active else None


def logout(token: str | None, username: str) -> None:
    with home_scope() as session:
        if token:
            session.execute(delete(m.UserSession).where(m.UserSession.token_digest == auth.token_digest(token)))
        audit(session, username, "logout")
