"""区县地图: the 9 districts coloured by a target or a share, a district's panel, ranking, periods, PNG."""
import streamlit as st

from components.badges import page_title
from components.charts import chart_spec
from components.district_charts import ranking_chart, small_multiples_spec
from components.district_controls import district_selector, map_controls
from components.district_map import render_district_map, render_legend
from components.district_panel import render_district_panel
from components.maps import district_deck
from components.period_picker import current_period
from components.router_guard import ensure_router
from core.district_geo import boundaries, unmapped_note, without_boundary
from core.district_views import METRICS, TARGET_METRICS, choropleth, district_panel, district_targets, ranking
from core.map_image import export_filename, map_png
from services import cache, catalogue_versions
from services import districts as district_reads

ensure_router()
page_title("区县地图", "赤坎、霞山、坡头、麻章、遂溪、徐闻、廉江、雷州、吴川 9 个区县的分区县指标；"
                   "报告期在左侧栏选择。地图只用本系统自带的区县边界绘制，内网可用。")
period = current_period()
targets = catalogue_versions.targets_at(period)  # the definitions in force at the period shown
choice = map_controls(district_targets(targets))
grid = district_reads.grid(period)
# Classes from the selected period itself, split at the target (core.district_views.target_classes).
chart = choropleth(choice.metric, grid, period, choice.target_id)
places = cache.places()
geo = boundaries()
units = cache.districts()
demo = bool(chart.frame["is_demo"].any())

map_col, side = st.columns([0.7, 0.3])
with side:
    selected = district_selector(units)
    render_legend(chart.title, chart.legend)
    if chart.note:
        st.caption(chart.note)
    st.caption("灰色为无数据；颜色区间含下限。橙色圆点为方案所列园区与平台，位置为示意，并非测绘坐标。"
               + ("含演示数据，并非真实报送。" if demo else ""))
    st.download_button("下载地图图片（PNG）", data=lambda: map_png(geo, chart, places if choice.show_places else None,
                                                               demo=demo),
                       file_name=export_filename(chart), mime="image/png", key="dm_png",
                       help="含标题、报告期、图例和资料来源，可直接用于汇报材料")
with map_col:
    st.markdown(f"**{chart.title}**　{period}")
    render_district_map(district_deck(geo, chart, METRICS[choice.metric], places if choice.show_places else None,
                                      selected), selected)
    unmapped = without_boundary(units, geo)
    if not unmapped.empty:
        st.caption(unmapped_note(unmapped["name"].tolist()))

if selected:
    panel = district_panel(selected, grid, cache.tasks(), places)
    render_district_panel(panel, period, targets, choice.target_id)
else:
    st.info("点击地图上的区县，或在右侧选择区县，查看该区县的指标、任务与园区。")

st.divider()
spec_row = targets.set_index("id").loc[choice.target_id]
st.subheader(f"区县排名：{chart.title}")
ranked = ranking(chart, spec_row["comparator"])
goal = float(spec_row["target_value"]) if choice.metric in TARGET_METRICS and spec_row["unit"] != "是/否" else None
st.vega_lite_chart(chart_spec(ranking_chart, ranked, dict(zip(chart.frame["adcode"], chart.frame["color"])),
                              "数值" if choice.metric in TARGET_METRICS else "占比（%）", goal), width="stretch")

st.subheader("各报告期对比")
shown, total = district_reads.small_multiple_periods(period)
if total > len(shown):
    st.caption(f"显示截至 {period} 的最近 {len(shown)} 个报告期（共 {total} 个）。")
frames, legend = district_reads.small_multiples_frames(choice.metric, choice.target_id, period)
st.vega_lite_chart(small_multiples_spec(frames, legend), width="content")
