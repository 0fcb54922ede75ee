"""Online entry (keys up_on_*): a department's rows for a period edited in the browser, then the same
preview and commit as an uploaded file (services.submissions.prepare_online), recorded as a submission
of its own. The grid locks every column but the values; the service checks them again."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.frame_digest import HASH_FRAMES
from components.period_picker import current_period
from components.plan_switch import read_only_reason
from components.upload_common import caller, departments_for, period_codes, period_label, render_period_state
from components.upload_review import last_outcome, render_commit, render_outcome, render_preview
from core.auth import Identity
from core.importer import online
from core.reporting import TASK_STATUSES
from services import submissions

PREFIX = "up_on"


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
    if period is None:
        return
    render_period_state(period, department)
    base_ind, base_tasks = submissions.online_rows(department, period)
    st.markdown(f"#### 指标进展（{len(base_ind)} 行）")
    read_only = read_only_reason() is not None  # an archived plan: nothing to edit (the write refuses too)
    ind = st.data_editor(base_ind, key=editor_key("ind", department, period), hide_index=True, width="stretch",
                         disabled=read_only
                         or [c for c in online.INDICATOR_COLUMNS if c not in online.INDICATOR_EDITABLE],
                         column_config={"实际值": st.column_config.NumberColumn(help="留空表示本期不报")})
    st.markdown(f"#### 任务进展（{len(base_tasks)} 行）")
    tasks = st.data_editor(
        base_tasks, key=editor_key("task", department, period), hide_index=True, width="stretch",
        disabled=read_only or [c for c in online.TASK_COLUMNS if c not in online.TASK_EDITABLE],
        column_config={"进展状态": st.column_config.SelectboxColumn(options=list(TASK_STATUSES)),
                       "完成进度(%)": st.column_config.NumberColumn(min_value=0, max_value=100, step=1),
                       "任务编号": st.column_config.NumberColumn(format="%d")})
    edit_identity = ("online", department, period, _generation())
    done = last_outcome(PREFIX, ("online", department, period, _generation() - 1))
    if done:
        render_outcome(done)
    draft = submissions.prepare_online(identity, department, period, (ind, tasks), content=_workbook(ind, tasks))
    st.markdown("#### 预览")
    render_preview(draft.result, draft.plan)
    render_commit(draft, prefix=PREFIX, identity=edit_identity, caller=caller(identity), allow_empty=False,
                  after_commit=_next_generation)
