"""进度填报 → 佐证材料 (keys ev_rep_*): a department's complete task reports with the office's check (待核验,
已核验, or 退回 with its reason), their files (download), and 补充佐证材料 to a report already in force —
what a department does after the office returned its report. The write re-checks the login, the account
and its department inside its own transaction (services.report_evidence.attach)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.flash import show_flash
from components.upload_common import caller, departments_for
from components.upload_evidence import EVIDENCE_STYLE, TYPES, render_files
from core.auth import Identity
from core.evidence import EvidenceRefused
from services import cache, report_evidence, trust
from services import evidence as evidence_service
from services.submissions import Refused

CHECK_WORDS = {"": "待核验", "已核验": "已核验", "退回": "退回"}
_DONE, _ERROR = "ev_rep_done", "ev_rep_error"
_FILES = "ev_rep_files"


def render_report_evidence(identity: Identity) -> None:
    show_flash(_DONE, _ERROR)
    st.caption("报告“已完成”（100%）的任务须附佐证材料，督查办核验后显示为“已完成”；被退回的，请按退回原因补充材料，"
               "补充后重新进入“待核验”。")
    names = departments_for(identity)
    department = st.selectbox("部门", names, key="ev_rep_dept", placeholder="请选择…") if len(names) > 1 else \
        (names[0] if names else None)
    if department is None:
        st.caption("请选择部门。" if names else "您的账号没有所属部门；请联系督查办。")
        return
    reports = cache.read(trust.completions_to_check)
    reports = reports[reports["department"] == department]
    if reports.empty:
        st.caption(f"{department}暂无报告“已完成”（100%）并已计入的任务。")
        return
    files = cache.read(report_evidence.task_files, None, department)
    files = files[files["live"]]
    count = files.groupby(["task_id", "period_code"]).size()
    titles = dict(zip(cache.tasks()["id"], cache.tasks()["title"]))
    returned = reports[reports["verification"] == "退回"]
    for r in returned.itertuples():
        st.warning(f"任务{r.task_id}（{r.period_code}）被督查办退回：{r.verification_reason}。请补充佐证材料。")
    if reports["is_demo"].any():
        st.caption("含演示数据，并非真实报送。")
    st.dataframe(pd.DataFrame({
        "任务": reports["task_id"].map(lambda i: f"{i}. {titles.get(i, '')}"), "报告期": reports["period_code"],
        "核验": reports["verification"].map(CHECK_WORDS), "退回原因": reports["verification_reason"],
        "佐证材料": [int(count.get((int(t), p), 0)) for t, p in zip(reports["task_id"], reports["period_code"])],
    }), hide_index=True, width="stretch", key="ev_rep_table")
    keys = [f"{r.task_id}|{r.period_code}" for r in reports.itertuples()]
    pick = st.selectbox("选择任务报告", keys, key="ev_rep_pick", placeholder="请选择…",
                        format_func=lambda k: "任务{} · {}".format(*k.split("|")))
    if pick is None:
        return
    task_id, period = pick.split("|")
    own = files[(files["task_id"] == int(task_id)) & (files["period_code"] == period)]
    if own.empty:
        st.caption("该报告还没有佐证材料。")
    render_files(identity, own, "ev_rep_file")
    with st.container(key="ev_box_rep"):
        st.html(EVIDENCE_STYLE)
        st.file_uploader("补充佐证材料", accept_multiple_files=True, key=_FILES, type=TYPES,
                         help=evidence_service.limits_text())
    st.button("上传佐证材料", key="ev_rep_attach", type="primary", on_click=_attach,
              args=(identity, int(task_id), department, period))


def _attach(identity: Identity, task_id: int, department: str, period: str) -> None:
    ss = st.session_state
    chosen = [(f.name, f.getvalue()) for f in ss.get(_FILES) or []]
    try:
        ids = report_evidence.attach(caller(identity), task_id, department, period, chosen)
    except (EvidenceRefused, Refused) as exc:
        ss[_ERROR] = f"未保存：{exc}"
        return
    ss[_DONE] = f"已为任务{task_id}（{period}）保存佐证材料 {len(ids)} 个，等待督查办核验。"
    ss.pop(_FILES, None)
