"""One district's panel: its targets with status, the tasks and places concerning it, a trend chart."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.charts import chart_spec, target_trend_chart
from components.status_style import status_cell, status_table
from core.district_views import DistrictPanel
from core.status import TargetSpec
from core.target_views import target_history
from services import cache

TREND_KEY = "dm_trend_target"


def render_district_panel(panel: DistrictPanel, period: str, targets: pd.DataFrame, default_target: str) -> None:
    st.subheader(f"{panel.name}（{period}）")
    st.caption(panel.summary)
    t = panel.targets
    frame, colours = status_table(pd.DataFrame({
        "编号": t["target_id"], "指标": t["target_name"], "目标": t["target_text"],
        f"{period} 实际值": t["value_text"] + t["is_demo"].map({True: "（演示）", False: ""}),
        "状态": t["status"].map(status_cell), "说明": t["explanation"],
    }))
    st.dataframe(frame, hide_index=True, width="stretch", key="dm_panel_targets",
                 column_config={**colours, "说明": st.column_config.TextColumn(width="large")})
    _tasks_and_places(panel)
    _trend(panel, period, targets, default_target)


def _tasks_and_places(panel: DistrictPanel) -> None:
    left, right = st.columns(2)
    left.markdown(f"**涉及{panel.name}的工作任务（{len(panel.tasks)}）**")
    if panel.tasks.empty:
        left.caption("方案附件中没有点名该区县的任务。")
    else:
        left.dataframe(pd.DataFrame({"任务": panel.tasks["task_id"].astype(str) + ". " + panel.tasks["title"],
                                     "牵头部门": panel.tasks["lead_department"], "关联依据": panel.tasks["basis"]}),
                       hide_index=True, width="stretch", key="dm_panel_tasks")
    right.markdown(f"**园区与平台（{len(panel.places)}，位置为示意）**")
    if panel.places.empty:
        right.caption("方案未列该区县的园区或平台。")
    else:
        p = panel.places
        right.dataframe(pd.DataFrame({
            "名称": p["name"], "任务": p["task_id"].map(lambda x: "" if pd.isna(x) else f"任务 {int(x)}"),
            "方案原文": p["source_clause"]}), hide_index=True, width="stretch", key="dm_panel_places")


def _trend(panel: DistrictPanel, period: str, targets: pd.DataFrame, default_target: str) -> None:
    ids = panel.targets.sort_values("target_id")["target_id"].tolist()
    names = dict(zip(panel.targets["target_id"], panel.targets["target_id"] + " " + panel.targets["target_name"]))
    target_id = st.selectbox("趋势图指标", ids, index=ids.index(default_target) if default_target in ids else 0,
                             key=TREND_KEY, format_func=names.get, placeholder="请选择…")
    history = target_history(cache.current_values(up_to_period=period, target_id=target_id), target_id,
                             cache.districts())
    history = history[history["area"].isin([panel.name, "全市"])]
    if history.empty:
        st.caption(f"截至 {period}，{panel.name}尚无该指标的报送。")
        return
    spec = TargetSpec.from_row(targets.set_index("id").loc[target_id].to_dict())
    if history["is_demo"].any():
        st.caption("图中数据含演示数据，并非真实报送。")
    st.vega_lite_chart(chart_spec(target_trend_chart, history, spec), width="stretch")
