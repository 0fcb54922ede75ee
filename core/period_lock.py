"""报告期关闭, pure: is a period closed for a department at a moment?

A period closes by itself close_days after its deadline (settings.toml), at the end of that day in
Beijing time; the office may close or reopen it at any time (its newest action wins over the
automatic rule), and may grant one department a lock exception until a moment. Writes that touch a
closed period are refused cell by cell with the message from closed_reason().
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Iterable

from core.periods import Period, period_from_code
from core.timeutil import CHINA_TZ

CLOSE, OPEN = "close", "open"


@dataclass(frozen=True)
class Closure:
    """The office's action on a period (db PeriodClosure)."""

    period_code: str
    action: str  # close | open
    at: datetime


@dataclass(frozen=True)
class LockGrant:
    """A lock exception: `department` may write `period_code` until `until` (db LockException)."""

    department: str
    period_code: str
    until: datetime
    revoked: bool = False


def automatic_close(period: Period, deadline_days: int, close_days: int) -> datetime:
    """When the period closes by itself: the start of the day after deadline + close_days (Beijing)."""
    last_day = period.deadline(deadline_days) + timedelta(days=close_days)
    return datetime.combine(last_day + timedelta(days=1), time(), tzinfo=CHINA_TZ)


def office_action(period_code: str, when: datetime, closures: Iterable[Closure]) -> Closure | None:
    """The office's newest action on the period up to `when`."""
    mine = [c for c in closures if c.period_code == period_code and c.at <= when]
    return max(mine, key=lambda c: c.at, default=None)


def period_closed(period_code: str, when: datetime, *, deadline_days: int, close_days: int,
                  closures: Iterable[Closure] = ()) -> tuple[bool, str]:
    """(closed, why in Chinese) for everyone, before lock exceptions."""
    action = office_action(period_code, when, closures)
    if action is not None:
        at = action.at.astimezone(CHINA_TZ)
        if action.action == CLOSE:
            return True, f"督查办已于 {at:%Y-%m-%d} 关闭该报告期"
        return False, f"督查办已于 {at:%Y-%m-%d} 重新开放该报告期"
    closes = automatic_close(period_from_code(period_code), deadline_days, close_days)
    deadline = period_from_code(period_code).deadline(deadline_days)
    if when >= closes:
        return True, f"报送截止 {deadline:%Y-%m-%d} 后 {close_days} 天已自动关闭"
    return False, f"将于 {closes - timedelta(days=1):%Y-%m-%d} 结束后自动关闭"


def active_exception(period_code: str, department: str | None, when: datetime,
                     exceptions: Iterable[LockGrant]) -> LockGrant | None:
    if not department:
        return None
    return next((g for g in exceptions if g.period_code == period_code and g.department == department
                 and not g.revoked and g.until > when), None)


def closed_reason(period_code: str, department: str | None, when: datetime, *, deadline_days: int,
                  close_days: int, closures: Iterable[Closure] = (),
                  exceptions: Iterable[LockGrant] = ()) -> str | None:
    """The refusal ("2019Q4 已关闭（…）") when `department` may not write the period at `when`; None when it may."""
    closed, why = period_closed(period_code, when, deadline_days=deadline_days, close_days=close_days,
                                closures=closures)
    if not closed or active_exception(period_code, department, when, exceptions) is not None:
        return None
    return f"{period_code} 已关闭（{why}）"


# The fix a refused cell shows: a department cannot reopen a period itself, so it says whom to ask and what
# the office does (管理 → 报告期管理, or manage.py period open / period exceptions).
CLOSED_FIX = ("已关闭的报告期不能再报送或修改；如需补报，请联系督查办重新开放该报告期或申请解锁（锁定例外：督查办在"
              "“管理 → 报告期管理”或用 manage.py period open / period exceptions 办理）")
