"""On the target and task details (keys tr_dt_*): the indicator's metadata and registration (口径, 数据来源,
频率, 基期, 责任部门) and each cell's 修订历史 from the append-only log."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.catalogue import FREQUENCIES
from core.status import fmt
from services import cache, trust


def render_target_metadata(row: pd.Series) -> None:
    """row: the target's row of the targets table (db.queries.targets columns)."""
    unit = row.get("unit", "")
    if bool(row.get("baseline_registered", False)):
        year = row.get("baseline_year")
        source = row.get("baseline_source") or "未注明"
        state = "已确认" if bool(row.get("baseline_confirmed")) else "未确认"
        demo = "（演示数据）" if bool(row.get("baseline_demo")) else ""
        base = (f"{fmt(row['baseline'], unit)}（{'' if pd.isna(year) else int(year)} 年底；来源：{source}；{state}）"
                f"{demo}")
    else:
        base = "基期未备案（暂以首次报送值为基线）"
    resp = row.get("responsible_department") or row.get("lead_department")
    charged = "" if resp == row.get("lead_department") else f"（经备案由 {resp} 负责，记分卡计入该部门）"
    st.markdown(
        f"**口径**：{row.get('definition') or '—'}  \n**数据来源**：{row.get('data_source') or '—'}  \n"
        f"**报送频率**：{FREQUENCIES.get(row.get('frequency'), '每季度')}  \n**基期**：{base}  \n"
        f"**责任部门**：{resp}{charged}")


def _history(title: str, df: pd.DataFrame, columns: dict, key: str) -> None:
    """One cell history table (修订历史): every report of the cells, with its state, from the append-only log."""
    with st.expander(title):
        if df.empty:
            st.caption("尚无报送。")
            return
        if df["is_demo"].any():
            st.caption("含演示数据，并非真实报送。")
        shown = pd.DataFrame({label: df[col] for label, col in columns.items()})
        shown["时间"] = df["created_at"].dt.strftime("%Y-%m-%d %H:%M")
        shown["提交编号"] = df["submission_id"]
        st.dataframe(shown, hide_index=True, width="stretch", key=key)


def render_value_history(target_id: str) -> None:
    _history("修订历史（每个单元格的全部报送）", cache.read(trust.value_history, target_id),
             {"报告期": "period_code", "区县": "district", "数值": "value", "状态": "state", "报送人": "user_name",
              "部门": "department", "备注": "note"}, "tr_dt_values")


def render_progress_history(task_id: int) -> None:
    _history("修订历史（每个部门每期的全部报送）", cache.read(trust.progress_history, int(task_id)),
             {"报告期": "period_code", "部门": "department", "自报状态": "status", "完成%": "percent",
              "状态": "state", "报送人": "user_name"}, "tr_dt_progress")
