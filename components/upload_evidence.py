"""佐证材料 in 进度填报's preview (keys {prefix}_ev_*): a file picker for each task row reported 已完成, one for
any other row on request, and the cell-level flags of complete rows without a percent or without files.

The files go in with the report's commit (services.report_evidence.commit, called by upload_review's
button callback through `uploads(prefix)`): checked before the write, stored in its transaction.
Also `render_files`: the download buttons of stored files (this tab, 完成核验).
"""
from __future__ import annotations

import hashlib
from collections.abc import Hashable

import pandas as pd
import streamlit as st

from core.auth import Identity
from core.report_evidence import RowKey
from services import evidence as evidence_service
from services import report_evidence, submissions

TYPES = ["pdf", "jpg", "jpeg", "png", "docx", "xlsx", "ofd"]
# The uploader's own instructions are replaced app-wide with the spreadsheet formats (page_style); inside
# these boxes they name the evidence formats instead.
EVIDENCE_STYLE = """<style>
[class*="st-key-ev_box_"] [data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "或把文件拖到这里；格式 pdf、jpg、png、docx、xlsx、ofd"; }
</style>"""


def _map_key(prefix: str) -> str:
    return f"{prefix}_ev_map"


def widget_key(prefix: str, scope: Hashable, key: RowKey) -> str:
    """Stable for one report and row (a digest: the scope may hold any text)."""
    return f"{prefix}_ev_{hashlib.sha256(repr((scope, key.token)).encode()).hexdigest()[:16]}"


def render_evidence(draft: submissions.Draft, prefix: str, scope: Hashable) -> set[RowKey]:
    """The pickers and flags; returns the rows that have files chosen. `scope`: what the preview is of
    (the file's SHA-256, the online edit's generation) so files never carry over to another report."""
    rows = report_evidence.rows_for(draft)
    keymap: dict[str, RowKey] = {}
    st.session_state[_map_key(prefix)] = keymap
    if not rows:
        return set()
    st.markdown("#### 佐证材料")
    st.caption("报告“已完成”的任务须附佐证材料（验收报告、文件、照片等），督查办核验后显示为“已完成”。"
               + evidence_service.limits_text() + "。")
    complete = [r for r in rows if r.needs_files]
    others = {r.key.token: r for r in rows if not r.needs_files}
    with st.container(key=f"ev_box_{prefix}"):
        st.html(EVIDENCE_STYLE)
        for r in complete:
            k = widget_key(prefix, scope, r.key)
            keymap[k] = r.key
            st.file_uploader(f"{r.where}　{r.label}", accept_multiple_files=True, key=k, type=TYPES)
        if others:
            with st.expander("为其他行附佐证材料（可选）", expanded=not complete):
                token = st.selectbox("选择行", list(others), key=f"{prefix}_ev_pick", index=None,
                                     placeholder="请选择…",
                                     format_func=lambda t: f"{others[t].where}　{others[t].label}")
                if token is not None:
                    r = others[token]
                    k = widget_key(prefix, scope, r.key)
                    keymap[k] = r.key
                    st.file_uploader(f"{r.where}　{r.label}", accept_multiple_files=True, key=k, type=TYPES)
    attached = {key for k, key in keymap.items() if st.session_state.get(k)}
    flags = report_evidence.flags(draft, attached)
    if flags:
        st.warning(f"{len(flags)} 处需要注意：报告“已完成”的任务须填 100% 并附佐证材料，"
                   "否则督查办无法核验（可以先提交，之后在“佐证材料”标签中补充）。")
        st.dataframe(pd.DataFrame({"位置": [f.where for f in flags], "行": [f.value for f in flags],
                                   "问题": [f.message for f in flags], "修改方法": [f.fix for f in flags]}),
                     hide_index=True, width="stretch", key=f"{prefix}_ev_flags",
                     column_config={"修改方法": st.column_config.TextColumn(width="large")})
    return attached


def uploads(prefix: str) -> dict[RowKey, list[tuple[str, bytes]]]:
    """The files chosen in this preview, per row (read in the commit button's callback)."""
    keymap = st.session_state.get(_map_key(prefix)) or {}
    out = {}
    for k, key in keymap.items():
        files = st.session_state.get(k) or []
        if files:
            out[key] = [(f.name, f.getvalue()) for f in files]
    return out


def file_line(f: dict) -> str:
    size = f"{f['size'] / 1024:.0f} KB" if f["size"] >= 1024 else f"{f['size']} 字节"
    return f"{f['filename']}（{size}，SHA-256 {f['sha256'][:12]}…，{f['uploaded_by']}）"


def render_files(identity: Identity, files: pd.DataFrame, key_prefix: str) -> None:
    """Download buttons for stored files the account may fetch (the office, the owning department);
    served as attachments (octet-stream), never rendered."""
    for f in files.to_dict("records"):
        line = file_line(f)
        if not evidence_service.may_download(identity, f["department"]):
            st.caption(line)
            continue
        st.download_button(f"下载 {line}", data=lambda eid=f["id"]: evidence_service.download(identity, eid)[1],
                           file_name=f["filename"], mime="application/octet-stream", on_click="ignore",
                           key=f"{key_prefix}_{f['id']}")


def render_submission_files(identity: Identity, submission_id: int | None) -> None:
    """The 佐证材料 that came with a submission (报送审核: the reviewer sees them before approving)."""
    if submission_id is None:
        return
    files = report_evidence.task_files(submission_id=int(submission_id))
    if files.empty:
        return
    st.markdown(f"**佐证材料（{len(files)} 个）**")
    render_files(identity, files, "au_rev_file")
