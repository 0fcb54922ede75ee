"""What the office does around the slides: choose live data or a frozen meeting, freeze, compare two
meetings, record decisions, download the deck. Keys start with mt_."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import url_state
from components.plan_switch import locked
from core.auth import Identity
from core.meeting import compare_payloads
from core.meeting_export import changes_table, deck_html, summary_xlsx
from core.timeutil import today_beijing
from core.user_text import DECISION_MAX, REASON_MAX, SNAPSHOT_NAME_MAX, md_text
from db import meetings
from db.users import NotAllowed
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


# Every write below passes the identity the page rendered with; db.meetings re-checks it as a current
# 管理员 inside its transaction, so a form left open after a logout or a disable writes nothing.


def _refused(exc: Exception) -> None:
    st.session_state["mt_flash"] = ("error", md_text(exc))


def _freeze(payload: dict, identity: Identity) -> None:
    try:
        sid = meetings.save_snapshot(st.session_state.get("mt_name") or "", st.session_state.get("mt_date"), payload,
                                     identity)
    except (meetings.MeetingError, NotAllowed) as exc:
        _refused(exc)
        return
    st.session_state["mt_flash"] = ("success", f"已保存会议快照“{md_text(st.session_state['mt_name'].strip())}”"
                                               f"（编号 {sid}），之后的新数据不会改变它。")
    st.session_state[SOURCE_KEY] = SNAPSHOT
    st.session_state[SNAP_KEY] = sid


def freeze_form(payload: dict, identity: Identity) -> None:
    st.caption("把当前放映的实时内容（状态、说明、得分、图表数据）原样保存，日后可原样重新打开；"
               f"本次会议记录的决定一并归入该快照。保存人记为当前登录账号（{md_text(identity.label)}）。")
    with st.form("mt_freeze_form"):
        st.text_input("会议名称", key="mt_name", placeholder="例如：2020年第三季度质量提升督查会",
                      max_chars=SNAPSHOT_NAME_MAX)
        st.date_input("会议日期", value=today_beijing(), key="mt_date")
        st.form_submit_button("保存为会议快照", **locked(), type="primary", on_click=_freeze, args=(payload, identity))


def flash() -> None:
    # Messages carrying user text escape it themselves (md_text) where they are made.
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
    names = f"{md_text(changes['from'])} → {md_text(changes['to'])}"  # snapshot names: shown as text
    st.markdown(f"**{names}**：变色的指标 {len(changes['targets'])} 个、任务 "
                f"{len(changes['tasks'])} 项；排名变动的部门 {sum(1 for m in changes['ranking'] if m['move'])} 个；"
                f"新增红灯 {len(changes['new_red'])} 项，消除红灯 {len(changes['closed_red'])} 项。")
    if table.empty:
        st.caption("两次会议之间没有变化。")
    else:
        st.dataframe(table, hide_index=True, width="stretch")


def _record(snapshot_id: int | None, identity: Identity) -> None:
    s = st.session_state
    try:
        meetings.add_decision(s.get("mt_dec_task"), s.get("mt_dec_text") or "", s.get("mt_dec_kind") or "",
                              identity, snapshot_id)
    except (meetings.MeetingError, NotAllowed) as exc:
        _refused(exc)
        return
    s["mt_flash"] = ("success", f"已记录对任务 {s['mt_dec_task']} 的{s['mt_dec_kind']}。")
    s["mt_dec_text"] = ""


def decision_form(payload: dict, snapshot_id: int | None, identity: Identity) -> None:
    where = ("记入该会议快照（快照内容不变，决定显示在任务详情和下次会议材料中）" if snapshot_id
             else "记入本次会议，保存快照时一并归档")
    st.caption(f"对任务作出的决定或批示：{where}。记录人为当前登录账号（{md_text(identity.label)}）。")
    titles = {t["id"]: f"{t['id']}. {t['title']}（{t['status']}）" for t in payload["tasks"]}
    with st.form("mt_decision_form"):
        st.selectbox("任务", list(titles), key="mt_dec_task", placeholder="请选择…", format_func=titles.get)
        st.radio("类型", meetings.DECISION_KINDS, key="mt_dec_kind", horizontal=True)
        st.text_area("内容", key="mt_dec_text", height=90, max_chars=DECISION_MAX)
        st.form_submit_button("记录", **locked(), on_click=_record, args=(snapshot_id, identity))


def decision_history() -> None:
    """Every recorded decision; withdrawn ones stay listed, marked 已撤回 with who and why."""
    recorded = cache.read(meetings.all_decisions)
    if recorded.empty:
        return
    withdrawn = recorded["withdrawn_at"].notna()
    state = ("已撤回（" + recorded["withdrawn_by"].fillna("") + "：" + recorded["withdraw_reason"].fillna("") + "）")
    shown = pd.DataFrame({
        "状态": state.where(withdrawn, "有效"),
        "会议": recorded["meeting_name"].fillna("本次会议（未归档）"), "任务": recorded["task_id"].astype(str)
        + ". " + recorded["task_title"], "类型": recorded["kind"], "内容": recorded["text"],
        "记录人": recorded["decided_by"], "时间": recorded["decided_at"].dt.strftime("%Y-%m-%d %H:%M")})
    st.dataframe(shown.style.apply(lambda row: ["text-decoration: line-through; color: #8c959f"
                                                if row["状态"] != "有效" else "" for _ in row], axis=1),
                 hide_index=True, width="stretch", key="mt_dec_history")


def _withdraw(kind: str, identity: Identity) -> None:
    s = st.session_state
    chosen, reason = s.get(f"mt_wd_{kind}"), s.get(f"mt_wd_{kind}_reason") or ""
    if chosen is None:
        s["mt_flash"] = ("error", "请先选择要撤回的记录")
        return
    try:
        (meetings.withdraw_decision if kind == "decision" else meetings.withdraw_snapshot)(chosen, reason, identity)
    except (meetings.MeetingError, NotAllowed) as exc:
        _refused(exc)
        return
    s["mt_flash"] = ("success", f"已撤回（编号 {chosen}）；记录保留在历史中，标为“已撤回”。")
    s[f"mt_wd_{kind}_reason"] = ""


def withdraw_section(identity: Identity) -> None:
    """The office withdraws a wrong decision or snapshot with a reason; nothing is deleted."""
    st.caption("撤回误记的决定或误存的快照：须填写原因；记录保留在历史中并标为“已撤回”，"
               "不再出现在会议材料和任务详情中。")
    decisions = cache.read(meetings.all_decisions)
    standing = decisions[decisions["withdrawn_at"].isna()] if not decisions.empty else decisions
    dec_labels = {int(r["id"]): f"{r['id']} · 任务{r['task_id']} · {r['kind']} · {str(r['text'])[:40]}"
                  for r in standing.to_dict("records")}
    snap_labels = snapshot_labels()
    for kind, title, labels in (("decision", "决定或批示", dec_labels), ("snapshot", "会议快照", snap_labels)):
        if not labels:
            st.caption(f"没有可撤回的{title}。")
            continue
        st.selectbox(f"撤回{title}", list(labels), key=f"mt_wd_{kind}", format_func=labels.get, index=None,
                     placeholder="选择要撤回的记录")
        st.text_input("撤回原因", key=f"mt_wd_{kind}_reason", max_chars=REASON_MAX)
        st.button(f"撤回{title}", **locked(), key=f"mt_wd_{kind}_go", on_click=_withdraw, args=(kind, identity))


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

