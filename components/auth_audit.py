"""审计日志 (keys au_log_*): every login, upload, review, undo and account change; filtered and exported."""
from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from core.spreadsheet_safety import safe_csv_bytes, safe_xlsx_bytes
from core.timeutil import today_beijing
from db.audit import ACTION_LABELS, audit_log, audit_users, latest_audit_id
from services import cache

ALL = "全部"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def detail_text(detail: str) -> str:
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return detail
    return "；".join(f"{k}={v}" for k, v in data.items()) if isinstance(data, dict) else str(data)


def log_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "时间": df["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "用户": df["user_name"],
        "操作": df["action"].map(ACTION_LABELS).fillna(df["action"]),
        "内容": df["detail"].map(detail_text),
    })


def render_audit_log() -> None:
    newest = latest_audit_id()
    a, b, c = st.columns([0.3, 0.3, 0.4])
    user = a.selectbox("用户", [ALL, *cache.read(audit_users, newest)], key="au_log_user", placeholder="请选择…")
    actions = {ALL: ALL, **{v: k for k, v in ACTION_LABELS.items()}}
    action = b.selectbox("操作", list(actions), key="au_log_action", placeholder="请选择…")
    today = today_beijing()
    days = c.date_input("日期", (today - timedelta(days=30), today), key="au_log_days", format="YYYY-MM-DD")
    since, until = (days[0], days[-1]) if len(days) else (None, None)
    df = cache.read(audit_log, None if user == ALL else user, None if action == ALL else actions[action],
                     since, until, newest)
    st.caption(f"共 {len(df)} 条记录（北京时间，最新在前）。")
    table = log_table(df)
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"内容": st.column_config.TextColumn(width="large")})
    left, right = st.columns(2)
    left.download_button("导出 CSV", data=safe_csv_bytes(table), file_name="审计日志.csv", mime="text/csv",
                         key="au_log_csv", on_click="ignore")
    right.download_button("导出 Excel", data=lambda: safe_xlsx_bytes(table, "审计日志"), file_name="审计日志.xlsx",
                          mime=XLSX_MIME, key="au_log_xlsx", on_click="ignore")
