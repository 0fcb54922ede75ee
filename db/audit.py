"""Reads of the audit log (审计日志): SQL returning DataFrames; pages use cached.read()."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pandas as pd

from core.assessment import ACTION_WORDS
from core.timeutil import CHINA_TZ
from db.engine import get_engine
from db.queries import _frame

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "lockout": "账号锁定", "logout": "退出登录",
    "upload": "报送入库", "approve": "审核通过", "return": "退回", "undo": "撤销",
    "user_add": "新增用户", "user_reset": "重置密码", "user_disable": "停用用户", "user_enable": "启用用户",
    "export": "导出",
    "meeting_snapshot": "保存会议快照", "meeting_snapshot_withdraw": "撤回会议快照",
    "meeting_decision": "记录会议决定", "meeting_decision_withdraw": "撤回会议决定",
    "restore": "恢复数据库", "demo_clear": "删除演示数据", "demo_load": "载入演示数据",
    # Trustworthy data (db.trust)
    "baseline_set": "基期与责任备案", "period_close": "关闭报告期", "period_open": "重新开放报告期",
    "lock_exception": "授予锁定例外", "lock_exception_revoke": "撤销锁定例外", "task_verify": "完成核验通过",
    "task_verify_return": "完成核验退回",
    "evidence_add": "上传佐证材料", "task_verify_reopen": "补充佐证材料后重新待核验",
    "catalogue_version": "目录修订",  # db.catalogue_versions.record (issue 15)
    "plan_add": "添加方案", "plan_archive": "归档方案", "plan_activate": "启用方案", "plan_init": "建立方案数据库",
    **{f"assessment_{k}": f"年度考核·{v}" for k, v in ACTION_WORDS.items()},  # db.assessment.record_change
}


def _utc_bound(day: date | None, end: bool) -> datetime | str | None:
    # The filter's days are Beijing days; the log is stored in UTC (on SQLite as text).
    if day is None:
        return None
    start = datetime.combine(day + timedelta(days=1) if end else day, time(), tzinfo=CHINA_TZ).astimezone(timezone.utc)
    if get_engine().dialect.name == "sqlite":
        return start.strftime("%Y-%m-%d %H:%M:%S.%f")
    return start


def latest_audit_id() -> int:
    """The newest audit row's id: logins do not bump the data version, so cached log reads key on this."""
    return int(_frame("SELECT COALESCE(MAX(id), 0) AS n FROM auditlog")["n"].iloc[0])


def audit_log(user: str | None = None, action: str | None = None, since: date | None = None,
              until: date | None = None, up_to_id: int | None = None, limit: int = 5000) -> pd.DataFrame:
    """Audit rows newest first, filtered by user, action and Beijing-time days (inclusive), up to an id."""
    params = {"user": user, "action": action, "since": _utc_bound(since, False), "until": _utc_bound(until, True),
              "upto": up_to_id}
    conditions = {"user": "user_name = :user", "action": "action = :action", "since": "at >= :since",
                  "until": "at < :until", "upto": "id <= :upto"}
    # Only the filters in use go into the SQL: PostgreSQL cannot type a parameter that is only tested for NULL.
    used = {k: v for k, v in params.items() if v is not None}
    where = " AND ".join(["TRUE", *(conditions[k] for k in used)])
    return _frame(f"SELECT id, at, user_name, action, detail FROM auditlog WHERE {where} ORDER BY id DESC LIMIT :limit",
                  limit=limit, **used)


def audit_users(up_to_id: int | None = None) -> list[str]:
    # up_to_id only keys the cache (see latest_audit_id).
    return _frame("SELECT DISTINCT user_name FROM auditlog ORDER BY user_name")["user_name"].tolist()
