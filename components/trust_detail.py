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


def render_value_history(target_id: str) -> None:
    with st.expander("修订历史（每个单元格的全部报送）"):
        df = cache.read(trust.value_history, target_id)
        if df.empty:
            st.caption("尚无报送。")
            return
        if df["is_demo"].any():
            st.caption("含演示数据，并非真实报送。")
        st.dataframe(pd.DataFrame({
            "报告期": df["period_code"], "区县": df["district"], "数值": df["value"], "状态": df["state"],
            "报送人": df["user_name"], "部门": df["department"], "时间": df["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "提交编号": df["submission_id"], "备注": df["note"]}), hide_index=True, width="stretch",
            key="tr_dt_values")


def render_progress_history(task_id: int) -> None:
    with st.expander("修订历史（每个部门每期的全部报送）"):
        df = cache.read(trust.progress_history, int(task_id))
        if df.empty:
            st.caption("尚无报送。")
            return
        if df["is_demo"].any():
            st.caption("含演示数据，并非真实报送。")
        st.dataframe(pd.DataFrame({
            "报告期": df["period_code"], "部门": df["department"], "自报状态": df["status"], "完成%": df["percent"],
            "状态": df["state"], "报送人": df["user_name"], "时间": df["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "提交编号": df["submission_id"]}), hide_index=True, width="stretch", key="tr_dt_progress")
