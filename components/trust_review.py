"""Second look for the reviewer (keys tr_rv_*): next to each new value its old value, the target and the
change, with the second look's warnings highlighted and the department's 说明 beside them
(services.trust.review_frame)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.user_text import md_text
from services import cache, trust


def second_look_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"指标编号": frame["target_id"], "区县": frame["district"], "报告期": frame["period_code"],
                         "上期值": frame["old"], "本次值": frame["new"], "变动": frame["change"],
                         "目标": frame["target"], "复核提示": frame["warning"], "说明": frame["note"]})


def _highlight(row: pd.Series) -> list[str]:
    # Drawn as a background colour, not an emoji: the warning word says it too.
    style = "background-color: #fff8c5" if row["复核提示"] else ""
    return [style] * len(row)


def render_second_look(submission_id: int) -> None:
    frame = cache.read(trust.review_frame, submission_id)
    if frame.empty:
        return
    flagged = int((frame["warning"] != "").sum())
    st.markdown(f"**数据复核**：{len(frame)} 个指标值，{flagged} 个需重点核对（大幅变动、不升反降或全市与区县不一致）")
    note = cache.read(trust.submission_note, submission_id)
    if note:  # the department's own words: shown as text, never as markdown
        st.markdown(f"**报送说明（数据异常的原因）**：{md_text(note)}")
    elif flagged:
        st.caption("报送单位未填写报送说明；各行的说明见下表“说明”列。")
    table = second_look_table(frame)
    st.dataframe(table.style.apply(_highlight, axis=1), hide_index=True, width="stretch", key="tr_rv_table",
                 column_config={"复核提示": st.column_config.TextColumn(width="large"),
                                "说明": st.column_config.TextColumn(width="large")})
