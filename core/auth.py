"""Accounts without the database: password hashing, roles, who may write which rows, lockout, expiry, SSO mapping.

Pure logic (no streamlit, no session): the pages, the CLI and db.users all decide with these functions.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.catalogue import Catalogue
from core.importer.model import ChangePlan, ImportResult, Problem
from core.settings import AuthSettings, SsoRule

ADMIN, REPORTER, VIEWER = "管理员", "填报员", "浏览"
ROLES = (ADMIN, REPORTER, VIEWER)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Identity:
    """Who is using the dashboard in this session."""

    username: str
    role: str
    department: str | None = None
    display_name: str = ""
    via: str = "local"  # local | sso
    # SHA-256 of the browser's session token for a local login (None for SSO and the CLI): every
    # write re-checks that this session still exists (db.users.assert_identity_valid).
    session_digest: str | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        who = self.display_name or self.username
        return f"{who}（{self.role}{'·' + self.department if self.department else ''}）"


# --- Passwords and tokens ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in Chinese; None when acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字（或符号）"
    return None


def generate_password() -> str:
    # 16 URL-safe characters: about 96 bits, and never only letters or only digits.
    while True:
        pw = secrets.token_urlsafe(12)
        if password_problem(pw) is None:
            return pw


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # Only the digest is stored, so a copy of the database does not hand out live sessions.
    return hashlib.sha256(token.encode()).hexdigest()


# --- Lockout and expiry -----------------------------------------------------------------------------


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def after_failure(failed_attempts: int, now: datetime, settings: AuthSettings) -> tuple[int, datetime | None]:
    """(failed attempts, locked until) after one more wrong password."""
    attempts = failed_attempts + 1
    if attempts >= settings.max_failed_logins:
        return attempts, now + timedelta(minutes=settings.lockout_minutes)
    return attempts, None


def session_expiry(now: datetime, settings: AuthSettings) -> datetime:
    return now + timedelta(hours=settings.session_hours)


def is_expired(expires_at: datetime, now: datetime) -> bool:
    return expires_at <= now


# --- Roles ------------------------------------------------------------------------------------------


def may_upload(identity: Identity | None) -> bool:
    return identity is not None and identity.role in (ADMIN, REPORTER)


def may_administer(identity: Identity | None) -> bool:
    return identity is not None and identity.role == ADMIN


def may_view(identity: Identity | None, settings: AuthSettings) -> bool:
    return identity is not None or not settings.require_login_for_viewing


def role_problem(role: str, department: str | None, catalogue: Catalogue) -> str | None:
    """Why this role/department pair cannot be given to an account; None when it can."""
    if role not in ROLES:
        return f"角色应为 {'、'.join(ROLES)} 之一"
    if role == REPORTER:
        if not department:
            return "填报员必须指定所属部门"
        if department not in catalogue.department_names():
            return f"部门“{department}”不在计划目录中"
    return None


def may_report_target(target_id: str, lead: str, department: str | None, assigned: Mapping[str, str] | None) -> bool:
    """Whether `department` may report a target: its plan lead, or the participating department
    基期与责任备案 assigned it to (`assigned`: target id -> that department; scoring charges it, so it
    must be able to report it). The lead keeps the right after an assignment: it still answers for
    the target in the plan (and may take it back). The importer's row check and write_scope ask this."""
    return bool(department) and (department == lead or (assigned or {}).get(target_id) == department)


@dataclass(frozen=True)
class WriteScope:
    """The rows a department may write: targets it leads; its own rows of tasks it leads or joins."""

    department: str
    target_ids: frozenset[str]
    task_ids: frozenset[int]

    def refusals(self, plan: ChangePlan) -> list[str]:
        """Rows of the plan outside the scope (a last check before writing)."""
        out = [f"指标 {r.target_id}" for r in plan.indicators_to_write if r.target_id not in self.target_ids]
        out += [f"任务{r.task_id}（{r.department}）" for r in plan.tasks_to_write
                if r.task_id not in self.task_ids or r.department != self.department]
        return out


def write_scope(identity: Identity, catalogue: Catalogue,
                assigned: Mapping[str, str] | None = None) -> WriteScope | None:
    """None: may write every row (管理员). A 浏览 account gets an empty scope. `assigned`: the targets
    基期与责任备案 gave to a participating department (services.trust.assignments), see may_report_target."""
    if identity.role == ADMIN:
        return None
    dept = identity.department if identity.role == REPORTER else None
    if not dept:
        return WriteScope("", frozenset(), frozenset())
    targets = frozenset(t.id for t in catalogue.targets if may_report_target(t.id, t.lead_department, dept, assigned))
    tasks = frozenset(t.id for t in catalogue.tasks if dept == t.lead_department or dept in t.participants)
    return WriteScope(dept, targets, tasks)


def permission_problems(result: ImportResult, identity: Identity, catalogue: Catalogue,
                        assigned: Mapping[str, str] | None = None) -> list[Problem]:
    """A Problem for every row of the file the user may not write, with sheet, cell and how to fix it.

    The rows are then rejected like any invalid row: the preview shows why, and they are never written.
    """
    scope = write_scope(identity, catalogue, assigned)
    if scope is None:
        return []
    problems: list[Problem] = []
    if result.department and result.department != scope.department:
        problems.append(Problem(
            "说明", "", result.department, f"文件注明的填报部门是“{result.department}”，"
            f"您的账号只能报送“{scope.department or '（无）'}”的数据",
            "请下载本部门的模板填写；代其他部门报送须由督查办管理员操作"))
    led = {t.id: t.lead_department for t in catalogue.targets}
    for r in result.indicators:
        if r.target_id not in scope.target_ids:
            charged = (assigned or {}).get(r.target_id)
            also = f"、由“{charged}”负责" if charged and charged != led.get(r.target_id) else ""
            lead = led.get(r.target_id, "其他部门")
            problems.append(Problem(
                r.sheet, f"A{r.row}", r.target_id, f"指标 {r.target_id} 由“{lead}”牵头{also}，您的部门不能报送",
                "删除该行，或请牵头部门（或负责部门）报送", row=r.row))
    for r in result.tasks:
        if r.task_id not in scope.task_ids:
            problems.append(Problem(
                r.sheet, f"A{r.row}", str(r.task_id), f"任务{r.task_id} 不是您的部门牵头或参与的任务",
                "删除该行", row=r.row))
        elif r.department != scope.department:
            problems.append(Problem(
                r.sheet, f"C{r.row}", r.department, f"这是“{r.department}”的任务进展，您只能填报本部门的进展",
                "删除该行，或请该部门自行报送", row=r.row))
    return problems


# --- Single sign-on ---------------------------------------------------------------------------------


def sso_identity(user_info: dict, rules: tuple[SsoRule, ...], default_role: str) -> Identity | None:
    """Role and department of an st.user identity by the settings' rules; None when not allowed in."""
    email = str(user_info.get("email") or "").strip().lower()
    if not email:
        return None
    name = str(user_info.get("name") or "")
    for rule in rules:
        if _matches(rule, email, user_info):
            return Identity(email, rule.role, rule.department if rule.role == REPORTER else None, name, "sso")
    if default_role in (VIEWER, ADMIN):
        # Not 填报员: a reporter needs a department, which only a rule can give.
        return Identity(email, default_role, None, name, "sso")
    return None


def _matches(rule: SsoRule, email: str, user_info: dict) -> bool:
    if rule.email:
        return email == rule.email.strip().lower()
    if rule.domain:
        return email.rpartition("@")[2] == rule.domain.strip().lower()
    if rule.claim:
        claim = user_info.get(rule.claim)
        values = claim if isinstance(claim, (list, tuple)) else [claim]
        return rule.value in [str(v) for v in values if v is not None]
    return False
