"""What the office does around the slides: choose live data or a frozen meeting, freeze, compare two
meetings, record decisions, download the deck. Keys start with mt_."""
from __future__ import annotations


import pandas as pd
import streamlit as st

from components import url_state
from core.meeting import compare_payloads
from core.timeutil import today_beijing
from core.meeting_export import changes_table, deck_html, summary_xlsx
from db import meetings
from services import cache
from services.documents import meeting_deck  # with the follow-up of the last meeting's 督办单

LIVE, SNAPSHOT = "实时数据", "会议快照"
SOURCE_KEY, SNAP_KEY = "mt_source", "mt_snapshot"
VIEW_KEY = "mt_view"  # what is being presented, kept outside widgets so it survives hiding them


def snapshot_labels() -> dict[int, str]:
    snaps = cache.read(meetings.list_snapshots)
    return {int(r["id"]): f"{r['name']}（{r['meeting_date']}，数据截至 {r['period_code']}）"
            for r in snaps.to_dict("records")}


def choose_view(period: str) -> tuple[str, int | None]:
    """('live', None) for the sidebar's period, or ('snapshot', id) of a frozen meeting."""
    labels = snapshot_labels()
    if SOURCE_KEY not in st.session_state and st.query_params.get(SNAP_KEY) and labels:
        st.session_state[SOURCE_KEY] = SNAPSHOT
    source = st.radio("内容来源", [LIVE, SNAPSHOT], key=SOURCE_KEY, horizontal=True,
                      help="实时数据随新报送变化；会议快照是某次会议上展示的内容，冻结后不再改变")
    if source == LIVE:
        url_state.remember(SNAP_KEY, None, None)
        st.caption(f"实时数据：截至 {period}（可在侧栏更换报告期）。")
        return "live", None
    if not labels:
        st.info("还没有会议快照：放映实时数据后，用下方“保存为会议快照”冻结。")
        return "live", None
    ids = list(labels)
    index = url_state.restore(SNAP_KEY, ids, ids[0])
    sid = st.selectbox("会议快照", ids, index=index, key=SNAP_KEY, placeholder="请选择…", format_func=labels.get)
    url_state.remember(SNAP_KEY, sid, None)
    st.caption("快照为只读：打开时与会议上展示的完全一致，之后上传的数据不会改变它。")
    return "snapshot", sid


def payload_of(view: tuple[str, int | None], period: str) -> dict:
    kind, sid = view
    if kind == "snapshot" and sid is not None:
        return cache.read(meetings.load_snapshot, sid)["payload"]
    return cache.read(meetings.live_payload, period)


def _freeze(payload: dict) -> None:
    try:
        sid = meetings.save_snapshot(st.session_state.get("mt_name", ""), st.session_state["mt_date"], payload,
                                     st.session_state.get("mt_by", ""))
    except meetings.MeetingError as exc:
        st.session_state["mt_flash"] = ("error", str(exc))
        return
    st.session_state["mt_flash"] = ("success", f"已保存会议快照“{st.session_state['mt_name'].strip()}”（编号 {sid}），"
                                               "之后的新数据不会改变它。")
    st.session_state[SOURCE_KEY] = SNAPSHOT
    st.session_state[SNAP_KEY] = sid


def freeze_form(payload: dict) -> None:
    st.caption("把当前放映的实时内容（状态、说明、得分、图表数据）原样保存，日后可原样重新打开；"
               "本次会议记录的决定一并归入该快照。")
    with st.form("mt_freeze_form"):
        st.text_input("会议名称", key="mt_name", placeholder="例如：2020年第三季度质量提升督查会")
        st.date_input("会议日期", value=today_beijing(), key="mt_date")
        st.text_input("保存人", key="mt_by")
        st.form_submit_button("保存为会议快照", type="primary", on_click=_freeze, args=(payload,))


def flash() -> None:
    msg = st.session_state.pop("mt_flash", None)
    if msg:
        (st.success if msg[0] == "success" else st.error)(msg[1])


def compare_section() -> None:
    labels = snapshot_labels()
    if len(labels) < 2:
        st.info("至少需要两次会议快照才能对比。")
        return
    ids = list(labels)  # latest meeting first
    left, right = st.columns(2)
    before = left.selectbox("上次会议", ids, index=1, key="mt_cmp_before",
                            placeholder="请选择…", format_func=labels.get)
    after = right.selectbox("本次会议", ids, index=0, key="mt_cmp_after", placeholder="请选择…", format_func=labels.get)
    changes = compare_payloads(cache.read(meetings.load_snapshot, before)["payload"],
                               cache.read(meetings.load_snapshot, after)["payload"])
    table = changes_table(changes)
    st.markdown(f"**{changes['from']} → {changes['to']}**：变色的指标 {len(changes['targets'])} 个、任务 "
                f"{len(changes['tasks'])} 项；排名变动的部门 {sum(1 for m in changes['ranking'] if m['move'])} 个；"
                f"新增红灯 {len(changes['new_red'])} 项，消除红灯 {len(changes['closed_red'])} 项。")
    if table.empty:
        st.caption("两次会议之间没有变化。")
    else:
        st.dataframe(table, hide_index=True, width="stretch")


def _record(snapshot_id: int | None) -> None:
    s = st.session_state
    try:
        meetings.add_decision(s["mt_dec_task"], s.get("mt_dec_text", ""), s["mt_dec_kind"], s.get("mt_dec_by", ""),
                              snapshot_id)
    except meetings.MeetingError as exc:
        s["mt_flash"] = ("error", str(exc))
        return
    s["mt_flash"] = ("success", f"已记录对任务 {s['mt_dec_task']} 的{s['mt_dec_kind']}。")
    s["mt_dec_text"] = ""


def decision_form(payload: dict, snapshot_id: int | None) -> None:
    where = ("记入该会议快照（快照内容不变，决定显示在任务详情和下次会议材料中）" if snapshot_id
             else "记入本次会议，保存快照时一并归档")
    st.caption(f"对任务作出的决定或批示：{where}。")
    titles = {t["id"]: f"{t['id']}. {t['title']}（{t['status']}）" for t in payload["tasks"]}
    with st.form("mt_decision_form"):
        st.selectbox("任务", list(titles), key="mt_dec_task", placeholder="请选择…", format_func=titles.get)
        st.radio("类型", meetings.DECISION_KINDS, key="mt_dec_kind", horizontal=True)
        st.text_area("内容", key="mt_dec_text", height=90)
        st.text_input("决定人 / 批示人", key="mt_dec_by")
        st.form_submit_button("记录", on_click=_record, args=(snapshot_id,))
    recorded = cache.read(meetings.all_decisions)
    if not recorded.empty:
        shown = pd.DataFrame({
            "会议": recorded["meeting_name"].fillna("本次会议（未归档）"), "任务": recorded["task_id"].astype(str)
            + ". " + recorded["task_title"], "类型": recorded["kind"], "内容": recorded["text"],
            "决定人": recorded["decided_by"], "时间": recorded["decided_at"].dt.strftime("%Y-%m-%d %H:%M")})
        st.dataframe(shown, hide_index=True, width="stretch")


def downloads(payload: dict, stem: str) -> None:
    st.caption("图表在服务器上生成为图片（中文字体随服务器），文件不依赖外网。")
    a, b, c = st.columns(3)
    a.download_button("下载 PPT（.pptx）", lambda: meeting_deck(payload), file_name=f"{stem}.pptx", key="mt_dl_pptx",
                      mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                      on_click="ignore", width="stretch")
    b.download_button("下载打印版（.html）", lambda: deck_html(payload).encode("utf-8"), file_name=f"{stem}.html",
                      key="mt_dl_html", mime="text/html", on_click="ignore", width="stretch")
    c.download_button("下载汇总（.xlsx）", lambda: summary_xlsx(payload), file_name=f"{stem}.xlsx", key="mt_dl_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      on_click="ignore", width="stretch")

