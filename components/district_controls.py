"""What the 区县地图 shows: metric, target, places (keys dm_*, kept in the URL for bookmarks)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import url_state
from core.district_views import METRICS

METRIC_KEY, TARGET_KEY, PLACES_KEY, DISTRICT_KEY = "dm_metric", "dm_target", "dm_places", "dm_district"


@dataclass(frozen=True)
class MapChoice:
    metric: str
    target_id: str
    show_places: bool


def map_controls(district_targets: pd.DataFrame) -> MapChoice:
    c1, c2, c3 = st.columns([0.25, 0.55, 0.2], vertical_alignment="bottom")
    metrics = list(METRICS)
    index = url_state.restore(METRIC_KEY, metrics, metrics[0])
    metric = c1.selectbox("着色依据", metrics, index=index, key=METRIC_KEY, format_func=METRICS.get,
                          help="指标实际值或状态：按所选指标着色；占比与完整率：该区县全部分区县指标合计",
                          placeholder="请选择着色依据…")
    url_state.remember(METRIC_KEY, metric, metrics[0])
    if metric not in METRICS:  # cleared with its ⊗: draw the default and say so
        metric = metrics[0]
        c1.caption(f"未选择着色依据，按“{METRICS[metric]}”显示。")
    labels = dict(zip(district_targets["id"], district_targets["id"] + " " + district_targets["name"]))
    ids = list(labels)
    index = url_state.restore(TARGET_KEY, ids, ids[0])
    target_id = c2.selectbox("分区县指标", ids, index=index, key=TARGET_KEY, format_func=labels.get,
                             help="方案中要求分区县考核的指标；排名与趋势也按此指标", placeholder="请选择指标…")
    url_state.remember(TARGET_KEY, target_id, ids[0])
    if target_id not in labels:
        target_id = ids[0]
        c2.caption(f"未选择分区县指标，按 {labels[target_id]} 显示。")
    show_places = c3.toggle("显示园区与平台", value=True, key=PLACES_KEY, help="方案任务9、22、25所列地点，位置为示意")
    return MapChoice(metric, target_id, show_places)


def district_selector(districts: pd.DataFrame) -> str | None:
    """The selected district (also set by a click on the map), or None."""
    names = dict(zip(districts["adcode"], districts["name"]))
    codes = list(names)
    url_state.restore(DISTRICT_KEY, codes, None)
    adcode = st.selectbox("选择区县（也可点击地图）", codes, index=None, key=DISTRICT_KEY, format_func=names.get,
                          placeholder="点击地图上的区县或在此选择")
    url_state.remember(DISTRICT_KEY, adcode, None)
    return adcode
