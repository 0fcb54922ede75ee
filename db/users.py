"""Accounts: create, reset, disable; login with lockout; session tokens; the audit trail of all of it.

Passwords are hashed with argon2 (core.auth) before they reach a session; no password, hash or token
is ever written to the audit log or returned in a message.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import delete, select
from sqlmodel import Session

from core import auth
from core.catalogue import Catalogue, load_catalogue
from core.settings import AuthSettings, load_settings
from core.user_text import DISPLAY_NAME_MAX, PASSWORD_MAX, USERNAME_MAX, clip, text_problem
from db import models as m
from db.engine import bump_data_version, session_scope
from db.queries import _frame

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
    with session_scope() as session:
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
                          department: str | None = None, now: datetime | None = None) -> m.User | None:
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
    the role is checked (returns None).
    """
    if identity is None:
        raise NotAllowed("请先登录：本操作需要登录后才能执行，未写入任何数据。")
    if identity.via == "sso":
        if roles is not None and identity.role not in roles:
            raise NotAllowed(_role_text(identity.role, roles))
        return None
    now = now or datetime.now(timezone.utc)
    user = session.execute(select(m.User).where(m.User.username == identity.username).with_for_update()).scalar()
    if user is None or not user.active:
        raise NotAllowed(ENDED)
    if identity.session_digest is not None:
        row = session.get(m.UserSession, identity.session_digest)
        if row is None or row.user_id != user.id or auth.is_expired(_utc(row.expires_at), now):
            raise NotAllowed(ENDED)
    if roles is not None and user.role not in roles:
        raise NotAllowed(_role_text(user.role, roles))
    if department is not None and user.role != auth.ADMIN:
        own = session.get(m.Department, user.department_id).name if user.department_id else None
        if own != department:
            raise NotAllowed(f"您的账号属于“{own or '（无部门）'}”，不能为“{department}”执行此操作；未写入任何数据。")
    return user


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


def add_user(username: str, password: str, role: str, department: str | None = None, *, by: Actor,
             display_name: str = "", catalogue: Catalogue | None = None) -> int:
    username, display_name = username.strip(), display_name.strip()
    problem = (text_problem("用户名", username, USERNAME_MAX, required=True)
               or text_problem("姓名", display_name, DISPLAY_NAME_MAX)
               or auth.role_problem(role, department, catalogue or load_catalogue()))
    if problem:
        raise UserError(problem)
    password_hash = _password_checked(password)
    with session_scope() as session:
        actor = _actor(session, by)
        if session.execute(select(m.User.id).where(m.User.username == username)).scalar() is not None:
            raise UserError(f"用户“{username}”已存在")
        user = m.User(username=username, display_name=display_name or username, role=role,
                      password_hash=password_hash,
                      department_id=_department_id(session, department if role == auth.REPORTER else None))
        session.add(user)
        session.flush()
        audit(session, actor, "user_add", username=username, role=role, department=department or "")
        bump_data_version(session)  # the account list is a cached read
        return user.id


def reset_password(username: str, password: str, *, by: Actor) -> None:
    """New password; also lifts a lockout and ends the account's open sessions."""
    password_hash = _password_checked(password)
    with session_scope() as session:
        actor = _actor(session, by)
        user = _get(session, username)
        user.password_hash = password_hash
        user.failed_attempts, user.locked_until = 0, None
        session.execute(delete(m.UserSession).where(m.UserSession.user_id == user.id))
        audit(session, actor, "user_reset", username=username)
        bump_data_version(session)  # the account list is a cached read


def set_active(username: str, active: bool, *, by: Actor) -> None:
    with session_scope() as session:
        actor = _actor(session, by)
        user = _get(session, username)
        if not active and user.role == auth.ADMIN and _other_active_admins(session, user.id) == 0:
            raise UserError("不能停用最后一个管理员账号")
        user.active = active
        if not active:
            session.execute(delete(m.UserSession).where(m.UserSession.user_id == user.id))
        audit(session, actor, "user_enable" if active else "user_disable", username=username)
        bump_data_version(session)  # the account list is a cached read


def _other_active_admins(session: Session, user_id: int) -> int:
    return len(session.execute(select(m.User.id).where(
        m.User.role == auth.ADMIN, m.User.active.is_(True), m.User.id != user_id)).all())


def ensure_initial_admin(env_password: str | None) -> tuple[str, str | None] | None:
    """Create "admin" when no administrator exists.

    Returns None when one existed; else (username, password) where password is the generated one
    to print once, or None when it came from the environment.
    """
    with session_scope() as session:
        exists = session.execute(select(m.User.id).where(m.User.role == auth.ADMIN)).first()
    if exists:
        return None
    password = env_password or auth.generate_password()
    add_user(INITIAL_ADMIN, password, auth.ADMIN, by="系统初始化", display_name="督查办管理员")
    return INITIAL_ADMIN, None if env_password else password


def user_identity(username: str) -> auth.Identity | None:
    """The identity of an active account (the CLI's --user), None when unknown or disabled."""
    with session_scope() as session:
        user = session.execute(select(m.User).where(m.User.username == username)).scalar()
        return _identity(session, user) if user is not None and user.active else None


def users() -> pd.DataFrame:
    return _frame("""
        SELECT u.username, u.display_name, u.role, d.name AS department, u.active, u.failed_attempts,
               u.locked_until, u.created_at
        FROM app_user u LEFT JOIN department d ON d.id = u.department_id ORDER BY u.id""")


# --- Login and sessions -----------------------------------------------------------------------------

WRONG = "用户名或密码错误"


def login(username: str, password: str, settings: AuthSettings | None = None,
          now: datetime | None = None) -> LoginOutcome:
    """Check a password; count failures, lock after too many, and open a session on success."""
    settings = settings or load_settings().auth
    now = now or datetime.now(timezone.utc)
    username = username.strip()
    with session_scope() as session:
        user = session.execute(select(m.User).where(m.User.username == username)).scalar()
        if user is None:
            audit(session, username, "login_failed", reason="unknown_user")
            return LoginOutcome(None, WRONG)
        if not user.active:
            audit(session, username, "login_failed", reason="disabled")
            return LoginOutcome(None, "该账号已停用，请联系督查办")
        locked_until = _utc(user.locked_until)
        if auth.is_locked(locked_until, now):
            audit(session, username, "login_failed", reason="locked")
            return LoginOutcome(None, _locked_text(locked_until))
        if not auth.verify_password(user.password_hash, password):
            user.failed_attempts, user.locked_until = auth.after_failure(user.failed_attempts, now, settings)
            audit(session, username, "login_failed", reason="wrong_password", attempts=user.failed_attempts)
            if user.locked_until is not None:
                audit(session, username, "lockout", minutes=settings.lockout_minutes)
                return LoginOutcome(None, _locked_text(user.locked_until))
            return LoginOutcome(None, WRONG)
        user.failed_attempts, user.locked_until = 0, None
        token = auth.new_token()
        session.add(m.UserSession(token_digest=auth.token_digest(token), user_id=user.id, created_at=now,
                                  expires_at=auth.session_expiry(now, settings)))
        audit(session, username, "login")
        return LoginOutcome(_identity(session, user, auth.token_digest(token)), "登录成功", token)


def _locked_text(until: datetime) -> str:
    from core.timeutil import CHINA_TZ

    return f"密码错误次数过多，账号已锁定至 {until.astimezone(CHINA_TZ):%H:%M}；请稍后再试或联系督查办重置密码"


def session_identity(token: str | None, now: datetime | None = None) -> auth.Identity | None:
    """Who a session token belongs to; None when unknown, expired, or the account was disabled."""
    if not token:
        return None
    now = now or datetime.now(timezone.utc)
    with session_scope() as session:
        row = session.get(m.UserSession, auth.token_digest(token))
        if row is None:
            return None
        if auth.is_expired(_utc(row.expires_at), now):
            session.delete(row)
            return None
        user = session.get(m.User, row.user_id)
        return _identity(session, user, row.token_digest) if user is not None and user.active else None


def logout(token: str | None, username: str) -> None:
    with session_scope() as session:
        if token:
            session.execute(delete(m.UserSession).where(m.UserSession.token_digest == auth.token_digest(token)))
        audit(session, username, "logout")
