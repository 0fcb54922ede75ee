"""File upload (keys up_file*): read in a child process, validate, preview, then commit on confirmation.

The parsed file and its validation are kept in session state under the file's SHA-256, so a
rerun (ticking a box, pressing a button) never parses the same file again.
"""
from __future__ import annotations

import streamlit as st

from components.upload_common import (catalogue, departments_for, new_state, period_codes, period_label,
                                      with_permissions, write_scope)
from components.upload_review import (duplicate_text, last_outcome, render_commit, render_outcome,
                                      render_preview)
from core.auth import Identity
from core.importer.marking import mark_workbook
from core.importer.model import ImportResult, UploadRefused
from core.importer.preview import plan_changes
from core.importer.reader import prepare_child, read_upload, sha256_of
from core.importer.validate import validate_upload
from core.settings import load_settings
from db import cached
from db.submission_reads import live_submission_for_sha

PREFIX = "up_file"
FROM_FILE = "（以文件为准）"
_PARSED = "up_file_parsed"


def render_file_upload(identity: Identity) -> None:
    settings = load_settings()
    file = st.file_uploader(
        "选择填好的进度表", type=["xlsx", "xlsm", "xls", "csv"], key=PREFIX, max_upload_size=int(settings.max_file_mb),
        help=f"支持 xlsx、xlsm、xls、csv，单个文件不超过 {settings.max_file_mb:g} MB")
    with st.expander("文件中没有注明部门或报告期时（如自制表格）"):
        left, right = st.columns(2)
        department = left.selectbox("部门", [FROM_FILE, *departments_for(identity)], key="up_file_dept",
                                    placeholder="请选择…")
        period = right.selectbox("报告期", [FROM_FILE, *period_codes()], key="up_file_period", placeholder="请选择…",
                                 format_func=lambda c: c if c == FROM_FILE else period_label(c))
    department = None if department == FROM_FILE else department
    period = None if period == FROM_FILE else period
    if file is None:
        prepare_child(settings)  # the parse child starts now, so even the first file waits for none
        return
    content = file.getvalue()
    sha = sha256_of(content)
    done = last_outcome(PREFIX, sha)
    if done:
        render_outcome(done)
        return
    earlier = cached.read(live_submission_for_sha, sha)
    if earlier is not None:
        st.info(duplicate_text(earlier))
        return
    result = _validated(file.name, content, sha, department, period)
    if isinstance(result, str):
        st.error(result)
        return
    result = with_permissions(result, identity)
    plan = plan_changes(result, cached.current_values(), cached.current_progress(), catalogue())
    st.markdown(f"#### 预览：{file.name}")
    render_preview(result, plan)
    if result.problems:
        st.download_button(
            "下载标注问题的工作簿", data=lambda: mark_workbook(file.name, content, result.problems)[0],
            file_name=mark_workbook_name(file.name), key="up_file_marked", on_click="ignore",
            help="问题单元格已标黄并附批注，在 Excel 中按批注修改后重新上传")
    render_commit(result, plan, prefix=PREFIX, identity=sha, user=identity.username, source="upload",
                  file_bytes=content, mime=file.type or "application/octet-stream",
                  department=department or result.department, period=period or result.period,
                  state=new_state(identity), scope=write_scope(identity))


def mark_workbook_name(filename: str) -> str:
    stem, _, ext = filename.rpartition(".")
    # Marked copies of csv and xls files are written as xlsx (comments need a workbook).
    return f"{stem or filename}-问题标注.{ext if ext in ('xlsx', 'xlsm') else 'xlsx'}"


def _validated(filename: str, content: bytes, sha: str, department: str | None,
               period: str | None) -> ImportResult | str:
    """The validation result, or the Chinese reason the file was refused; parsed once per file."""
    saved = st.session_state.get(_PARSED)
    if not saved or saved["sha"] != sha:
        try:
            saved = {"sha": sha, "book": read_upload(filename, content), "refused": None, "results": {}}
        except UploadRefused as exc:
            saved = {"sha": sha, "book": None, "refused": str(exc), "results": {}}
        st.session_state[_PARSED] = saved
    if saved["refused"]:
        return saved["refused"]
    key = (department, period)
    if key not in saved["results"]:
        saved["results"][key] = validate_upload(saved["book"], catalogue(), filename=filename, sha256=sha,
                                                period=period, department=department,
                                                known_periods=period_codes())
    return saved["results"][key]
