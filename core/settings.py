"""Typed access to data/settings.toml (the explanations live in that file), with the current plan's periods.

The office's settings (deadline_days, close_days, thresholds, limits) are one file for every plan; the
reporting periods (first_period, last_period) are the plan's own, from its plan.toml (core.plans)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.paths import SETTINGS_FILE
from core.plans import current_plan


@dataclass(frozen=True)
class SsoRule:
    """Maps a single-sign-on identity to a role and department; the first matching rule wins."""

    role: str
    department: str | None = None
    email: str = ""  # exact address
    domain: str = ""  # the part after @
    claim: str = ""  # any claim of st.user, compared with value
    value: str = ""


@dataclass(frozen=True)
class AuthSettings:
    require_login_for_viewing: bool = False
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    session_hours: int = 8
    sso_default_role: str = ""  # "" refuses SSO identities no rule maps
    sso_rules: tuple[SsoRule, ...] = ()


@dataclass(frozen=True)
class Settings:
    first_period: str
    last_period: str
    deadline_days: int
    on_track: float
    warning: float
    due_soon_days: int
    max_file_mb: float
    max_uncompressed_mb: float
    parse_memory_mb: int
    parse_seconds: int
    cache_ttl_seconds: int
    warm_seconds: int = 120
    auth: AuthSettings = AuthSettings()
    close_days: int = 30  # 报告期关闭: days after the deadline
    about_tolerance: float = 0.05  # 左右: share of the target a value may fall short by
    change_warning_share: float = 0.5  # second look: change from the previous period worth a note


def load_settings(path: Path = SETTINGS_FILE) -> Settings:
    """The settings in force for the current plan (memoised per settings file and plan)."""
    plan = current_plan()
    return _load(path, plan.first_period, plan.last_period)


@lru_cache(maxsize=16)
def _load(path: Path, first_period: str, last_period: str) -> Settings:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    p, s, u, c = raw["periods"], raw["status"], raw["upload"], raw["cache"]
    return Settings(
        first_period=first_period,
        last_period=last_period,
        deadline_days=int(p["deadline_days"]),
        on_track=float(s["on_track"]),
        warning=float(s["warning"]),
        due_soon_days=int(s["due_soon_days"]),
        max_file_mb=float(u["max_file_mb"]),
        max_uncompressed_mb=float(u["max_uncompressed_mb"]),
        parse_memory_mb=int(u["parse_memory_mb"]),
        parse_seconds=int(u["parse_seconds"]),
        cache_ttl_seconds=int(c["ttl_seconds"]),
        warm_seconds=int(c.get("warm_seconds", 120)),
        auth=_auth(raw.get("auth", {})),
        close_days=int(p.get("close_days", 30)),
        about_tolerance=float(s.get("about_tolerance", 0.05)),
        change_warning_share=float(s.get("change_warning_share", 0.5)),
    )


def _auth(a: dict) -> AuthSettings:
    # Every key is optional: a settings file from before accounts existed keeps working.
    d, sso = AuthSettings(), a.get("sso", {})
    return AuthSettings(
        require_login_for_viewing=bool(a.get("require_login_for_viewing", d.require_login_for_viewing)),
        max_failed_logins=int(a.get("max_failed_logins", d.max_failed_logins)),
        lockout_minutes=int(a.get("lockout_minutes", d.lockout_minutes)),
        session_hours=int(a.get("session_hours", d.session_hours)),
        sso_default_role=str(sso.get("default_role", d.sso_default_role)),
        sso_rules=tuple(SsoRule(**r) for r in sso.get("rules", [])),
    )


load_settings.cache_clear = _load.cache_clear  # tests clear it as they did when load_settings was the cache
