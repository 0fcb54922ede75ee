"""The notice list: filters (office), counts by colour and state, average days, the table, and the picker
that opens one notice below. Keys sv_f_* and sv_pick."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.supervision_style import badges, colour_badge, colour_cells, colour_word, state_badge
from core import supervision as sv
from core.supervision import COLOUR_MEANINGS
from services import documents

PICK = "sv_pick"


def render_filters(departments: list[str]) -> dict:
    c1, c2, c3, c4 = st.columns(4)
    colour = c1.selectbox("颜色", [None, *sv.COLOURS], key="sv_f_colour", format_func=lambda c: c and colour_word(c)
                          or "全部")
    state = c2.selectbox("状态", [None, *sv.STATES], key="sv_f_state", format_func=lambda s: s or "全部")
    dept = c3.selectbox("部门", [None, *departments], key="sv_f_dept", format_func=lambda d: d or "全部")
    overdue = c4.selectbox("是否逾期", [None, True, False], key="sv_f_overdue",
                           format_func=lambda o: "全部" if o is None else ("已逾期" if o else "未逾期"))
    return {"colour": colour, "state": state, "department": dept, "overdue": overdue}


def apply_filters(df: pd.DataFrame, f: dict) -> pd.DataFrame:
    if f.get("colour"):
        df = df[df["colour"] == f["colour"]]
    if f.get("state"):
        df = df[df["state"] == f["state"]]
    if f.get("department"):
        df = df[df["department"] == f["department"]]
    if f.get("overdue") is not None:
        df = df[df["overdue"] == f["overdue"]]
    return df


def render_counts(summary: dict) -> None:
    badges([colour_badge(c, summary["colours"][c]) for c in sv.COLOURS]
           + [state_badge(s, summary["states"][s]) for s in sv.STATES])
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("督办单", summary["total"])
    c2.metric("已逾期（未销号）", summary["overdue"])
    ack, close = summary["avg_days_to_ack"], summary["avg_days_to_close"]
    c3.metric("平均签收用时", "—" if ack is None else f"{ack} 天")
    c4.metric("平均销号用时", "—" if close is None else f"{close} 天")
    st.caption("；".join(COLOUR_MEANINGS[c] for c in (sv.RED, sv.YELLOW, sv.BLUE)) + "。")


def render_table(df: pd.DataFrame) -> None:
    if df.empty:
        st.info("没有符合条件的督办单。")
        return
    view = pd.DataFrame({
        "编号": df["number"], "颜色": df["colour"].map(colour_word), "状态": df["state_shown"],
        "部门": df["department"], "督办事项": df["item_label"], "报告期": df["period_code"].fillna(""),
        "事项状态": df["item_status"], "办理期限": df["due_date"].astype(str),
        "逾期": df["overdue"].map({True: "是", False: ""}), "催办": df["reminder_count"],
        "佐证": df["evidence_count"],
        "交办": df["created_at"].dt.strftime("%Y-%m-%d"),
        "签收": df["acknowledged_at"].dt.strftime("%Y-%m-%d").fillna(""),
        "销号": df["closed_at"].dt.strftime("%Y-%m-%d").fillna(""),
    })
    st.dataframe(colour_cells(view), hide_index=True, width="stretch", key="sv_table")
    if df["is_demo"].any():
        st.caption("列表含演示数据，并非真实督办。")
    _batch_download(df)


def _batch_download(df: pd.DataFrame) -> None:
    """The listed notices not yet closed as one .docx, a page each (filter by 部门 for a department's batch)."""
    ids = documents.batch_ids(df)
    if not ids:
        return
    depts = df.loc[df["id"].isin(ids), "department"].unique()
    who = depts[0] if len(depts) == 1 else "多个部门"
    st.download_button(f"下载所列未销号督办单（Word，{len(ids)} 份，每份一页）",
                       data=lambda: documents.notice_docx(ids), file_name=f"督办单-{who}.docx",
                       mime=documents.DOCX_MIME, on_click="ignore", key="sv_batch_docx",
                       help="按上方筛选：选定一个部门即为该部门的一批督办单")


def pick_notice(df: pd.DataFrame) -> int | None:
    """The notice opened below the table (also from ?notice=ID, the 我的待办 links)."""
    if df.empty:
        return None
    labels = {int(r["id"]): f"{r['number']} · {r['department']} · {r['item_label']}（{r['state_shown']}）"
              for r in df.to_dict("records")}
    ids = list(labels)
    wanted = st.query_params.get("notice")
    if PICK not in st.session_state and wanted and wanted.isdigit() and int(wanted) in labels:
        st.session_state[PICK] = int(wanted)
    if st.session_state.get(PICK) not in labels:
        st.session_state.pop(PICK, None)
    return st.selectbox("打开督办单", ids, key=PICK, format_func=labels.get)
