"""Reads of the audit log (审计日志): SQL returning DataFrames; pages use cached.read()."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pandas as pd

from core.timeutil import CHINA_TZ
from db.queries import _frame

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "lockout": "账号锁定", "logout": "退出登录",
    "upload": "报送入库", "approve": "审核通过", "return": "退回", "undo": "撤销",
    "user_add": "新增用户", "user_reset": "重置密码", "user_disable": "停用用户", "user_enable": "启用用户",
    "export": "导出",
}


def _utc_bound(day: date | None, end: bool) -> str | None:
    # The filter's days are Beijing days; the log is stored in UTC, as SQLite's text form.
    if day is None:
        return None
    start = datetime.combine(day + timedelta(days=1) if end else day, time(), tzinfo=CHINA_TZ)
    return start.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def latest_audit_id() -> int:
    """The newest audit row's id: logins do not bump the data version, so cached log reads key on this."""
    return int(_frame("SELECT COALESCE(MAX(id), 0) AS n FROM auditlog")["n"].iloc[0])


def audit_log(user: str | None = None, action: str | None = None, since: date | None = None,
              until: date | None = None, up_to_id: int | None = None, limit: int = 5000) -> pd.DataFrame:
    """Audit rows newest first, filtered by user, action and Beijing-time days (inclusive), up to an id."""
    return _frame("""
        SELECT id, at, user_name, action, detail FROM auditlog
        WHERE (CAST(:user AS TEXT) IS NULL OR user_name = :user) AND (CAST(:action AS TEXT) IS NULL OR action = :action)
          AND (CAST(:since AS TEXT) IS NULL OR at >= :since) AND (CAST(:until AS TEXT) IS NULL OR at < :until)
          AND (CAST(:upto AS INTEGER) IS NULL OR id <= :upto)
        ORDER BY id DESC LIMIT :limit""",
                  user=user, action=action, since=_utc_bound(since, False), until=_utc_bound(until, True),
                  upto=up_to_id, limit=limit)


def audit_users(up_to_id: int | None = None) -> list[str]:
    # up_to_id only keys the cache (see latest_audit_id).
    return _frame("SELECT DISTINCT user_name FROM auditlog ORDER BY user_name")["user_name"].tolist()
