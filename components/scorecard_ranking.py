"""Ranking tables of the 部门记分卡: departments, and the county-level peer group (keys prefixed sc_)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.charts import chart_spec
from components.frame_digest import HASH_FRAMES
from components.scorecard_charts import rank_bar_chart
from core.ranking import rank_texts, tie_groups
from core.scoring import DepartmentScore, most_improved
from services import supervision as sup


def _change_text(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return "持平" if value == 0 else f"{'↑' if value > 0 else '↓'} {abs(value):.1f}"


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=HASH_FRAMES)
def ranking_view(table: pd.DataFrame, unit: str = "部门") -> pd.DataFrame:
    # Cached: 120 counties' rows formatted on every rerun otherwise.
    ties = [t if t.startswith("并列") else "" for t in rank_texts(table["rank"].tolist(), unit)]
    return pd.DataFrame({
        "名次": table["rank"],
        "并列": ties,
        unit: table["name"] + table["most_improved"].map({True: " ★进步最大", False: ""}),
        "等级": table["grade"],
        "得分": table["score"],
        "上期得分": table["previous_score"],
        "较上期": table["change"].map(_change_text),
        **({"报送情况": table["timeliness"]} if unit == "部门" else {}),
        "扣分最多的一项": table["main_loss"].replace("", "无扣分"),
    })


def with_reminders(view: pd.DataFrame, table: pd.DataFrame, period: str) -> pd.DataFrame:
    """The ranking view with 催办 (how often the office chased each department for `period`) before the widest
    column."""
    chased = sup.reminder_counts(period)
    view = view.assign(催办=[chased.get(n, 0) for n in table["name"]])  # a copy: the cached view stays as it was
    return view[[*view.columns[:-2], "催办", view.columns[-2]]]


def _improved_text(table: pd.DataFrame) -> str:
    names = most_improved(table)
    if not names:
        return "本期没有得分上升的单位。"
    gain = float(table.loc[table["name"] == names[0], "change"].iloc[0])
    return f"进步最大：{'、'.join(names)}（较上期 +{gain:.1f} 分）"


def render_ranking(table: pd.DataFrame, period: str, previous: str | None) -> None:
    st.subheader(f"部门排名（{period}）")
    if table.empty:
        st.info(f"{period} 尚无可评分的部门。")
        return
    cols = st.columns(5)
    for col, grade in zip(cols, "ABCD"):
        col.metric(f"{grade} 级", f"{int((table['grade'] == grade).sum())} 个")
    cols[4].metric("平均分", f"{table['score'].mean():.1f}")
    st.success(_improved_text(table) + (f"　对比期：{previous}" if previous else ""))
    ties = tie_groups(table.to_dict("records"))
    if ties:
        st.caption("同分并列（名次相同，全部列出）：" + "；".join(ties))
    st.dataframe(
        with_reminders(ranking_view(table), table, period), hide_index=True, width="stretch", key="sc_ranking_table",
        column_config={
            "得分": st.column_config.NumberColumn(format="%.1f"),
            "上期得分": st.column_config.NumberColumn(format="%.1f"),
            "扣分最多的一项": st.column_config.TextColumn(width="large"),
        },
    )
    with st.expander("得分条形图", expanded=False):
        spec = chart_spec(rank_bar_chart, table)
        st.vega_lite_chart(spec, width="stretch", height=int(spec["height"]))


def render_county_ranking(table: pd.DataFrame, scores: list[DepartmentScore], period: str) -> None:
    st.subheader(f"区县排名（9 个县级单位，{period}）")
    st.caption("区县作为单独的同类组排名：按其分区县指标（如水质、空气、农产品检测合格率）的状态评分，满分 100 分；"
               "按时报送与数据质量是部门的考核项，不适用于区县。")
    unranked = [s.department for s in scores if s.score is None]
    if table.empty:
        st.info(f"截至 {period} 没有任何分区县数据，区县不排名。")
        return
    if unranked:
        st.caption(f"截至本期无分区县数据、未参与排名：{'、'.join(unranked)}")
    st.dataframe(
        ranking_view(table, unit="区县"), hide_index=True, width="stretch", key="sc_county_table",
        column_config={"得分": st.column_config.NumberColumn(format="%.1f"),
                       "上期得分": st.column_config.NumberColumn(format="%.1f")},
    )
    with st.expander("各区县扣分明细"):
        # One element for all units: a province has over a hundred, two elements each cost a rerun dearly.
        st.markdown("\n\n".join(f"**{s.department}** {s.score:.1f} 分（{s.grade}）\n\n"
                                 + "\n".join(f"- {line}" for line in s.lines)
                                 for s in scores if s.score is not None))
