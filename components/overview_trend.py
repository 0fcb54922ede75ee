"""Share of targets and tasks on track over the periods up to the chosen one."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.charts import chart_spec, share_on_track_chart


def render_share_on_track(series: pd.DataFrame) -> None:
    st.subheader("正常比例走势")
    st.caption("每期按当时已知的数据判定；已达标、正常、已完成、超前、按期、即将到期计为正常，未报送不计。")
    st.vega_lite_chart(chart_spec(share_on_track_chart, series), width="stretch")
