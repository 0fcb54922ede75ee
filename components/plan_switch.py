"""Which plan a browser session sees (issue 15): ?plan= on the first run, the sidebar selector, the
archived plan's read-only banner.

The choice lives in one session-state key (KEY). core.plan_context asks the resolver registered here
(once per process, `install`) for the current plan: inside a Streamlit script run it answers from
session state, so widget callbacks, which run before the page script, already see the session's plan.
While more than one plan exists every run writes ?plan= into the URL, so a bookmarked or shared address
opens the same plan; with one plan the URLs stay as they were.
"""
from __future__ import annotations

import threading

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import plan_context
from core.paths import ROOT
from core.periods import period_from_code
from core.plans import Plan
from core.user_text import md_text
from services import plans as plan_choice

KEY = "zj_plan"  # the session's plan id; the only place the choice is kept
PICK_KEY = "plan_pick"  # the sidebar selector's widget
_UNKNOWN = "zj_plan_unknown"  # an unknown ?plan= of this session's first run, shown once
PARAM = "plan"
READ_ONLY = "本方案已归档，只读：可查看和导出，不能填报或修改。"
ARCHIVED_MARK = "（已归档）"

_installed = threading.Lock()
_done = False


def _session_plan() -> str | None:
    """The resolver: the session's plan inside a script run (callbacks included), else no opinion."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    try:
        return st.session_state.get(KEY)
    except Exception:  # noqa: BLE001 - no session state in this thread's context
        return None


def install() -> None:
    """Register the resolver with core.plan_context, once per process."""
    global _done
    with _installed:
        if not _done:
            plan_context.set_resolver(_session_plan)
            _done = True


def choose_plan() -> str:
    """Called by the router at the start of every run, before any read: the session's plan, settled."""
    install()
    entries = plan_choice.listed()
    ids = [e.plan.id for e in entries]
    default = plan_choice.default_plan_id()
    fallback = default if default in ids or not ids else ids[0]
    if KEY not in st.session_state:  # the session's first run: the address decides
        wanted = st.query_params.get(PARAM)
        if wanted and wanted not in ids:
            st.session_state[_UNKNOWN] = wanted
        st.session_state[KEY] = wanted if wanted in ids else fallback
    elif st.session_state[KEY] not in ids:  # the session's plan went away (folder removed)
        st.session_state[KEY] = fallback
    chosen = st.session_state[KEY]
    if len(ids) > 1:
        if st.query_params.get(PARAM) != chosen:
            st.query_params[PARAM] = chosen
    elif st.session_state.get(_UNKNOWN) is not None:
        st.query_params.pop(PARAM, None)  # one plan: the address goes back to what it always was
    return chosen


def several_plans() -> bool:
    return len(plan_choice.listed()) > 1


def current_plan() -> Plan:
    return plan_choice.current_plan()


def read_only_reason() -> str | None:
    """Why write widgets are disabled (the current plan is archived), or None. The write refuses too."""
    return READ_ONLY if plan_choice.is_archived(plan_context.current_plan_id()) else None


def link_params() -> dict[str, str] | None:
    """query_params for st.page_link / st.switch_page, which clear the address's parameters otherwise."""
    return {PARAM: plan_context.current_plan_id()} if several_plans() else None


def render_notices() -> None:
    """At the top of every page: an unknown ?plan= (once) and the archived plan's banner."""
    unknown = st.session_state.pop(_UNKNOWN, None)
    if unknown is not None:
        names = "；".join(f"{e.plan.id}（{e.plan.label}）" for e in plan_choice.listed())
        # The address is anyone's text: shown shortened and as plain text, never as markdown.
        st.warning(f"地址中的方案“{md_text(unknown[:40])}”不存在，已显示默认方案《{md_text(current_plan().name)}》。"
                   f"可选的方案：{md_text(names)}。")
    reason = read_only_reason()
    if reason:
        st.info(reason)


def _label(entry: plan_choice.PlanEntry) -> str:
    return entry.plan.label + (ARCHIVED_MARK if entry.status == "archived" else "")


def render_selector() -> None:
    """The sidebar's plan selector, shown only while more than one plan exists."""
    entries = plan_choice.listed()
    if len(entries) < 2:
        return
    labels = {e.plan.id: _label(e) for e in entries}
    st.session_state[PICK_KEY] = st.session_state.get(KEY)  # follows the session's plan (?plan=, a callback)
    st.selectbox("方案", list(labels), key=PICK_KEY, format_func=labels.get, on_change=_picked,
                 placeholder="请选择…", help="看板中的指标、任务、报告期和报送都属于所选方案；已归档的方案只读")


def _picked() -> None:
    new = st.session_state.get(PICK_KEY)
    if not new or new == st.session_state.get(KEY):
        return  # cleared with its ⊗, or unchanged: the plan stays
    st.session_state[KEY] = new
    st.query_params[PARAM] = new
    # The period picker's quarter belongs to the old plan: kept only if the new plan has it too.
    period, entry = st.session_state.get("period"), plan_choice.get(new)
    if period and entry and not _within(period, entry.plan):
        del st.session_state["period"]
        st.query_params.pop("period", None)


def _within(code: str, plan: Plan) -> bool:
    try:
        return period_from_code(plan.first_period) <= period_from_code(code) <= period_from_code(plan.last_period)
    except (ValueError, KeyError):
        return False


def locked() -> dict:
    """Keyword arguments that disable a write widget, with the reason, while the plan is archived:
    st.button("…", **locked(), on_click=…). Empty while the plan takes writes."""
    reason = read_only_reason()
    return {"disabled": True, "help": reason} if reason else {}


def plan_file(name: str) -> str:
    """Where one of the current plan's files lives, as the office finds it on the server
    ("data/plans/2018-2020/scoring.toml")."""
    path = current_plan().folder / name
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:  # a plans folder outside the project (ZJ_PLANS_DIR)
        return path.as_posix()
