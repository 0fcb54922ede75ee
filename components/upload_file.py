"""File upload (keys up_file*): read in a child process, validate, preview, then commit on confirmation.

services.submissions does the work (the same as online entry and manage.py import). The parsed file
is kept in session state under the file's SHA-256, and the draft per department, period and data
version, so a rerun (ticking a box, pressing a button) never parses or validates the same file again.
"""
from __future__ import annotations

import streamlit as st

from components.plan_switch import read_only_reason
from components.upload_common import caller, departments_for, period_codes, period_label
from components.upload_review import duplicate_text, last_outcome, render_commit, render_outcome, render_preview
from core.auth import Identity
from core.importer.marking import mark_workbook, marked_name
from core.importer.model import UploadRefused
from core.importer.reader import prepare_child, sha256_of
from core.plan_context import current_plan_id
from core.settings import load_settings
from core.user_text import md_text
from services import submissions
from services.cache import data_version
from services.history import live_submission_for_sha

PREFIX = "up_file"
FROM_FILE = "（以文件为准）"
_PARSED = "up_file_parsed"


def render_file_upload(identity: Identity) -> None:
    settings = load_settings()
    read_only = read_only_reason()  # an archived plan takes no reports (the write refuses too)
    file = st.file_uploader(
        "选择填好的进度表", type=["xlsx", "xlsm", "xls", "et", "ods", "csv"], key=PREFIX,
        max_upload_size=int(settings.max_file_mb), disabled=read_only is not None,
        help=read_only or f"支持 xlsx、xlsm、xls、WPS 表格 et、ods、csv（UTF-8 或 GBK），"
                          f"单个文件不超过 {settings.max_file_mb:g} MB")
    with st.expander("文件中没有注明部门或报告期时（如自制表格）"):
        left, right = st.columns(2)
        department = left.selectbox("部门", [FROM_FILE, *departments_for(identity)], key="up_file_dept",
                                    placeholder="请选择…")
        period = right.selectbox("报告期", [FROM_FILE, *period_codes()], key="up_file_period", placeholder="请选择…",
                                 format_func=lambda c: c if c == FROM_FILE else period_label(c))
    department = None if department in (FROM_FILE, None) else department
    period = None if period in (FROM_FILE, None) else period
    if file is None:
        prepare_child(settings)  # the parse child starts now, so even the first file waits for none
        return
    content = file.getvalue()
    sha = sha256_of(content)
    done = last_outcome(PREFIX, sha)
    if done:
        render_outcome(done)
        return
    earlier = live_submission_for_sha(sha)
    if earlier is not None:
        st.info(duplicate_text(earlier))
        return
    draft = _draft(identity, file.name, content, sha, department, period)
    if draft.refused:
        st.error(draft.refused)
        return
    st.markdown(f"#### 预览：{md_text(file.name)}")  # the file name is the uploader's text
    render_preview(draft.result, draft.plan)
    if draft.problems:
        problems = draft.problems
        st.download_button(
            "下载标注问题的工作簿", data=lambda: mark_workbook(file.name, content, problems)[0],
            file_name=marked_name(file.name), key="up_file_marked", on_click="ignore",
            help="问题单元格已标黄并附批注，在 Excel 中按批注修改后重新上传")
    render_commit(draft, prefix=PREFIX, identity=sha, caller=caller(identity))


def _draft(identity: Identity, filename: str, content: bytes, sha: str, department: str | None,
           period: str | None) -> submissions.Draft:
    """The draft of this file; parsed once per file, prepared once per department, period and data version."""
    saved = st.session_state.get(_PARSED)
    if not saved or saved["sha"] != sha:
        try:
            saved = {"sha": sha, "book": submissions.parse_file(filename, content), "refused": None, "drafts": {}}
        except UploadRefused as exc:
            saved = {"sha": sha, "book": None, "refused": str(exc), "drafts": {}}
        st.session_state[_PARSED] = saved
    if saved["refused"]:
        return submissions.Draft(identity.username, "upload", filename, content, "", department, period,
                                 submissions.new_state(identity), refused=saved["refused"])
    key = (current_plan_id(), department, period, identity, data_version())
    if key not in saved["drafts"]:
        saved["drafts"] = {key: submissions.prepare_file(identity, filename, content, department, period,
                                                         book=saved["book"])}
    return saved["drafts"][key]
