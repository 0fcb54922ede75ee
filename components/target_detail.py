"""Detail of one target: its numbers, the plan's words, and its time series (key "target", in the URL)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import url_state
from components.charts import chart_spec, target_trend_chart
from components.status_style import status_cell, status_metric, status_table
from components.supervision_issue import render_issue_button
from components.target_continuity import render_catalogue_revisions, render_joined_series
from components.target_table import DETAIL_KEY
from components.trust_detail import render_target_metadata, render_value_history
from core.periods import period_from_code
from core.status import TargetSpec, district_specs, evaluate_target, fmt
from core.target_views import target_history
from services import cache


def render_target_detail(table: pd.DataFrame, period: str) -> None:
    st.divider()
    st.subheader("指标详情")
    labels = dict(zip(table["id"], table["id"] + " " + table["name"]))
    ids = list(labels)
    index = url_state.restore(DETAIL_KEY, ids, ids[0])
    target_id = st.selectbox("选择指标（也可点击上表中的一行）", ids, index=index, key=DETAIL_KEY,
                             format_func=labels.get, placeholder="请选择指标…")
    url_state.remember(DETAIL_KEY, target_id, ids[0])
    if target_id is None or target_id not in labels:
        st.info("请选择一个指标（在上面的选择框中，或点击上表中的一行），这里将显示它的目标、最新值、走势和方案原文。")
        return
    row = table.set_index("id").loc[target_id]
    spec = TargetSpec.from_row({**row.to_dict(), "id": target_id})
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("目标", row["target_text"], help=f"{row['target_year']} 年")
    c2.metric(f"最新值（{row['latest_period'] or '无'}）", row["latest_text"])
    status_metric(c3, "状态", row["status"])
    c4.metric("牵头部门", row["lead_department"])
    st.info(row["explanation"])
    render_catalogue_revisions(target_id, period)
    by_district = dict(cache.districts()[["adcode", "name"]].values) if row["district_breakdown"] else None
    render_issue_button("target", target_id, period, f"{target_id}", row["lead_department"], districts=by_district)
    st.markdown(f"**方案原文**：“{row['source_clause']}”  \n"
                f"**所属任务**：{'' if pd.isna(row['task_id']) else int(row['task_id'])}. {row['task_title'] or ''}"
                f"（{row['lead_basis']}）  \n**类别**：{row['category']}")
    render_target_metadata(row)
    render_value_history(target_id)
    history = target_history(cache.current_values(up_to_period=period, target_id=target_id), target_id,
                             cache.districts())
    if history.empty:
        st.warning(f"截至 {period} 尚无该指标的报送数据。")
        render_joined_series(target_id)
        return
    if history["is_demo"].any():
        st.caption("图中数据含演示数据，并非真实报送。")
    city = history[history["district_adcode"] == ""]
    st.vega_lite_chart(chart_spec(target_trend_chart, city, spec), width="stretch")
    render_joined_series(target_id)
    if bool(row["district_breakdown"]):
        _district_section(history, spec, period, district_specs(spec, row.get("district_baselines")))


def _district_section(history: pd.DataFrame, spec: TargetSpec, period: str,
                      local: dict[str, TargetSpec] | None = None) -> None:
    st.markdown("#### 分区县")
    districts = history[history["district_adcode"] != ""]
    if districts.empty:
        st.caption("暂无分区县数据。")
        return
    areas = sorted(districts["area"].unique())
    chosen = st.multiselect("区县", areas, default=areas[:3], key="target_detail_areas", placeholder="请选择区县…")
    st.vega_lite_chart(chart_spec(target_trend_chart, districts, spec, chosen or areas), width="stretch")
    p = period_from_code(period)
    rows = []
    for area, g in districts.groupby("area"):
        series = dict(zip(g["period_code"], g["value"]))
        # Each district is judged from its own registered baseline (基期与责任备案).
        own = (local or {}).get(g["district_adcode"].iloc[0], (local or {}).get("*", spec))
        st_ = evaluate_target(own, series, p)
        rows.append({"区县": area, f"{period} 实际值": fmt(series.get(period), spec.unit),
                     "状态": status_cell(st_.label), "说明": st_.explanation})
    frame, colours = status_table(pd.DataFrame(rows))
    st.dataframe(frame, hide_index=True, width="stretch", column_config=colours)
