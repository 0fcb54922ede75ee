"""Online entry (keys up_on_*): a department's rows for a period edited in the browser, then the same
validation, preview and commit as an uploaded file, recorded as a submission of its own."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from components.frame_digest import HASH_FRAMES
from components.period_picker import current_period
from components.upload_common import (departments_for, catalogue, new_state, period_codes, period_label,
                                      with_permissions, write_scope)
from components.upload_review import last_outcome, render_commit, render_outcome, render_preview
from core.auth import Identity
from core.importer import online
from core.importer.preview import plan_changes
from core.reporting import TASK_STATUSES
from db import cached, upload_reads

PREFIX = "up_on"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_GENERATION = "up_on_generation"


def _generation() -> int:
    return st.session_state.get(_GENERATION, 0)


def _next_generation() -> None:
    # A commit bumps the generation so the editors restart from the values now in force.
    st.session_state[_GENERATION] = _generation() + 1


def editor_key(kind: str, department: str, period: str) -> str:
    return f"up_on_{kind}_{department}_{period}_{_generation()}"


@st.cache_data(show_spinner=False, max_entries=16, hash_funcs=HASH_FRAMES)
def _workbook(indicators: pd.DataFrame, tasks: pd.DataFrame) -> bytes:
    # Written on every rerun to preview and hash the edit (~40 ms); unchanged edits give the same bytes.
    return online.editor_workbook(indicators, tasks)


def render_online_entry(identity: Identity) -> None:
    st.markdown("适合少量更正：直接修改下表中的实际值和任务进展，预览无误后确认入库。")
    left, right = st.columns(2)
    department = left.selectbox("部门", departments_for(identity), key="up_on_dept", placeholder="请选择…")
    if department is None:
        st.warning("您的账号没有所属部门，不能在线填报；请联系督查办。")
        return
    codes = period_codes()
    period = right.selectbox("报告期", codes, index=codes.index(current_period()), key="up_on_period",
                             placeholder="请选择…",
                             format_func=period_label)
    values = cached.read(upload_reads.department_values, department, period)
    progress = cached.read(upload_reads.department_progress, department, period)
    base_ind = online.indicator_frame(catalogue(), department, period, values)
    base_tasks = online.task_frame(catalogue(), department, period, progress)
    st.markdown(f"#### 指标进展（{len(base_ind)} 行）")
    ind = st.data_editor(base_ind, key=editor_key("ind", department, period), hide_index=True, width="stretch",
                         disabled=[c for c in online.INDICATOR_COLUMNS if c not in online.INDICATOR_EDITABLE],
                         column_config={"实际值": st.column_config.NumberColumn(help="留空表示本期不报")})
    st.markdown(f"#### 任务进展（{len(base_tasks)} 行）")
    tasks = st.data_editor(
        base_tasks, key=editor_key("task", department, period), hide_index=True, width="stretch",
        disabled=[c for c in online.TASK_COLUMNS if c not in online.TASK_EDITABLE],
        column_config={"进展状态": st.column_config.SelectboxColumn(options=list(TASK_STATUSES)),
                       "完成进度(%)": st.column_config.NumberColumn(min_value=0, max_value=100, step=1),
                       "任务编号": st.column_config.NumberColumn(format="%d")})
    edit_identity = ("online", department, period, _generation())
    done = last_outcome(PREFIX, ("online", department, period, _generation() - 1))
    if done:
        render_outcome(done)
    file_bytes = _workbook(ind, tasks)
    filename = f"在线填报-{department}-{period}.xlsx"
    result = online.result_from_editor(ind, tasks, catalogue(), department=department, period=period,
                                       filename=filename, sha256=hashlib.sha256(file_bytes).hexdigest())
    result = with_permissions(result, identity)
    plan = plan_changes(result, values, progress, catalogue())
    st.markdown("#### 预览")
    render_preview(result, plan)
    render_commit(result, plan, prefix=PREFIX, identity=edit_identity, user=identity.username, source="online",
                  file_bytes=file_bytes, mime=XLSX_MIME, department=department, period=period, allow_empty=False,
                  after_commit=_next_generation, state=new_state(identity), scope=write_scope(identity))
