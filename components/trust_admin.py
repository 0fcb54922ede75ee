"""管理 → 基期与责任备案, 报告期管理, 完成核验 (keys tr_*): the office's side of trustworthy data.

Every button calls a write that checks this session's login, account and role again inside its own
transaction (db.trust), so a callback cannot write for a session that has just expired.
"""
from __future__ import annotations

from datetime import datetime, time

import pandas as pd
import streamlit as st

from components.flash import show_flash
from components.plan_switch import locked
from components.upload_common import catalogue
from components.upload_evidence import render_files
from core.auth import Identity
from core.baseline_rules import assignable_departments
from core.timeutil import CHINA_TZ
from services import cache, report_evidence, trust

_DONE, _ERROR = "tr_done", "tr_error"
# 完成核验's own: every tab runs on each rerun, so a shared message would show in the first tab that pops it.
_VF_DONE, _VF_ERROR = "tr_vf_done", "tr_vf_error"
CITY = "全市"


def _actor(identity: Identity) -> trust.Actor:
    # The login token of this browser session (components.auth_login keeps it under au_token).
    return trust.Actor(identity.username, st.session_state.get("au_token"))


def _run(write, done: str, *args, keys: tuple[str, str] = (_DONE, _ERROR), **kwargs) -> None:
    try:
        write(*args, **kwargs)
    except trust.TrustRefused as exc:
        st.session_state[keys[1]] = str(exc)
        return
    st.session_state[keys[0]] = done


# --- 基期与责任备案 ----------------------------------------------------------------------------------------


def baseline_table(targets: pd.DataFrame, registrations: pd.DataFrame) -> pd.DataFrame:
    city = registrations[registrations["district_adcode"] == ""].set_index("target_id")
    districts = registrations[registrations["district_adcode"] != ""].groupby("target_id").size()

    def state(tid: str) -> str:
        if tid not in city.index:
            return "基期未备案"
        r = city.loc[tid]
        return ("演示" if r["is_demo"] else "") + ("已确认" if r["confirmed"] else "未确认")

    ids = targets["id"]
    return pd.DataFrame({
        "编号": ids, "指标": targets["name"], "牵头部门": targets["lead_department"],
        "责任部门": targets["responsible_department"],
        "基期值": ids.map(city["value"]) if not city.empty else None,
        "基期年份": ids.map(city["year"]).astype("string") if not city.empty else "",
        "来源": ids.map(city["source"]).fillna("") if not city.empty else "",
        "区县基期": ids.map(districts).fillna(0).astype(int),
        "备案状态": ids.map(state),
    })


def render_baseline_admin(identity: Identity) -> None:
    show_flash(_DONE, _ERROR)
    st.caption("每个指标（分区县指标另按区县）登记基期值、基期年份与来源，并可把指标指定给所属任务的参与部门负责"
               "（记分卡据此计分；方案的牵头部门不变）。确认后的修改须填写原因，全部变更留痕。")
    targets = cache.targets()
    registrations = cache.read(trust.baselines)
    st.dataframe(baseline_table(targets, registrations), hide_index=True, width="stretch", key="tr_bl_table")
    cat = catalogue()
    by_id = {t.id: t for t in cat.targets}
    ids = list(by_id)
    tid = st.selectbox("指标", ids, key="tr_bl_target", format_func=lambda i: f"{i} {by_id[i].name}")
    if tid is None:
        return
    t = by_id[tid]
    places = [CITY] + ([d.name for d in cat.districts] if t.district_breakdown else [])
    adcode = {d.name: d.adcode for d in cat.districts}
    with st.form("tr_bl_form"):
        st.selectbox("范围", places, key="tr_bl_place")
        c1, c2, c3 = st.columns(3)
        c1.number_input(f"基期值（{t.unit}）", key="tr_bl_value", value=None, format="%.2f")
        c2.number_input("基期年份", key="tr_bl_year", min_value=2000, max_value=t.target_year, value=2017, step=1)
        c3.text_input("数据来源", key="tr_bl_source", max_chars=200)
        depts = assignable_departments(t, cat)
        st.selectbox("责任部门（全市）", depts, key="tr_bl_resp")
        st.text_input("变更原因（已确认的备案修改时必填）", key="tr_bl_reason", max_chars=500)
        st.checkbox("同时确认备案", key="tr_bl_confirm")
        st.form_submit_button("保存备案", **locked(), type="primary", on_click=_save_baseline,
                              args=(identity, tid, {n: a for n, a in adcode.items()}))
    history = cache.read(trust.baseline_history, tid)
    if not history.empty:
        st.markdown("**备案变更记录**")
        st.dataframe(pd.DataFrame({"时间": history["at"].dt.strftime("%Y-%m-%d %H:%M"), "操作人": history["user_name"],
                                   "区县": history["district_adcode"], "操作": history["action"],
                                   "变更前": history["before"], "变更后": history["after"], "原因": history["reason"]}),
                     hide_index=True, width="stretch", key="tr_bl_history")


def _save_baseline(identity: Identity, tid: str, adcode: dict[str, str]) -> None:
    ss = st.session_state
    place = ss.get("tr_bl_place") or CITY
    district = "" if place == CITY else adcode.get(place, "")
    year = ss.get("tr_bl_year")
    _run(trust.set_baseline, f"{tid}（{place}）的基期与责任备案已保存。", _actor(identity), tid, district=district,
         value=ss.get("tr_bl_value"), year=None if year is None else int(year), source=ss.get("tr_bl_source", ""),
         responsible=ss.get("tr_bl_resp") if not district else None, reason=ss.get("tr_bl_reason", ""),
         confirm=bool(ss.get("tr_bl_confirm")))


# --- 报告期管理 ------------------------------------------------------------------------------------------


def render_period_admin(identity: Identity) -> None:
    show_flash(_DONE, _ERROR)
    st.caption("报告期在报送截止后规定天数自动关闭（settings.toml 的 close_days），督查办也可随时关闭或重新开放；"
               "关闭后涉及该期的报送逐单元格拒收，确需补报的部门可获锁定例外。")
    states = trust.period_states()
    st.dataframe(pd.DataFrame({"报告期": states["period_code"], "报送截止": states["deadline"],
                               "状态": states["closed"].map({True: "已关闭", False: "开放"}), "说明": states["why"]}),
                 hide_index=True, width="stretch", key="tr_pd_table")
    codes = states["period_code"].tolist()
    c1, c2 = st.columns(2)
    with c1:
        st.selectbox("报告期", codes, index=len(codes) - 1, key="tr_pd_period")
        st.text_input("原因", key="tr_pd_reason", max_chars=500)
        b1, b2 = st.columns(2)
        b1.button("关闭报告期", **locked(), key="tr_pd_close", on_click=_period_action, args=(identity, "close"))
        b2.button("重新开放", **locked(), key="tr_pd_open", on_click=_period_action, args=(identity, "open"))
    with c2:
        _render_exceptions(identity, codes)


def _period_action(identity: Identity, action: str) -> None:
    code = st.session_state.get("tr_pd_period")
    if code is None:
        st.session_state[_ERROR] = "请选择报告期"
        return
    _run(trust.set_period_state, f"{code} 已{'关闭' if action == 'close' else '重新开放'}。", _actor(identity), code,
         action, st.session_state.get("tr_pd_reason", ""))


def _render_exceptions(identity: Identity, codes: list[str]) -> None:
    st.markdown("**锁定例外**（某部门在截止时间前仍可报送已关闭的报告期）")
    df = cache.read(trust.lock_exceptions)
    if not df.empty:
        st.dataframe(pd.DataFrame({
            "编号": df["id"], "部门": df["department"], "报告期": df["period_code"],
            "截止": df["until"].dt.tz_convert(CHINA_TZ).dt.strftime("%Y-%m-%d %H:%M"),
            "状态": df["revoked_at"].isna().map({True: "有效", False: "已撤销"}), "授予人": df["granted_by"],
            "原因": df["reason"]}), hide_index=True, width="stretch", key="tr_ex_table")
    with st.form("tr_ex_form", clear_on_submit=True):
        st.selectbox("部门", catalogue().department_names(), key="tr_ex_dept")
        st.selectbox("报告期", codes, key="tr_ex_period")
        st.date_input("截止日期（当天 24 时止，北京时间）", key="tr_ex_until")
        st.text_input("原因", key="tr_ex_reason", max_chars=500)
        st.form_submit_button("授予锁定例外", **locked(), on_click=_grant, args=(identity,))
    live = df[df["revoked_at"].isna()]["id"].tolist() if not df.empty else []
    if live:
        st.selectbox("撤销锁定例外", live, key="tr_ex_revoke", format_func=lambda i: f"#{i}")
        st.button("撤销", **locked(), key="tr_ex_revoke_btn", on_click=_revoke, args=(identity,))


def _grant(identity: Identity) -> None:
    ss = st.session_state
    day = ss.get("tr_ex_until")
    if day is None:
        ss[_ERROR] = "请选择截止日期"
        return
    until = datetime.combine(day, time(23, 59, 59), tzinfo=CHINA_TZ)
    _run(trust.grant_lock_exception, f"已授予 {ss.get('tr_ex_dept')} {ss.get('tr_ex_period')} 的锁定例外。",
         _actor(identity), ss.get("tr_ex_dept"), ss.get("tr_ex_period"), until, ss.get("tr_ex_reason", ""))


def _revoke(identity: Identity) -> None:
    gid = st.session_state.get("tr_ex_revoke")
    _run(trust.revoke_lock_exception, f"锁定例外 #{gid} 已撤销。", _actor(identity), int(gid))


# --- 完成核验 ------------------------------------------------------------------------------------------


CHECK_WORDS = {"": "待核验", "已核验": "已核验", "退回": "退回"}


def render_verification_admin(identity: Identity) -> None:
    show_flash(_VF_DONE, _VF_ERROR)
    st.caption("部门报告“已完成”（100%）的任务在督查办核验佐证材料前显示为“待核验”；核验通过后为“已完成”，"
               "退回须写明原因。")
    df = cache.read(trust.completions_to_check)
    if df.empty:
        st.caption("没有需要核验的完成报告。")
        return
    titles = dict(zip(cache.tasks()["id"], cache.tasks()["title"]))
    if df["is_demo"].any():
        st.caption("含演示数据，并非真实报送。")
    st.dataframe(pd.DataFrame({
        "任务": df["task_id"].map(lambda i: f"{i}. {titles.get(i, '')}"), "部门": df["department"],
        "报告期": df["period_code"], "完成%": df["percent"], "核验": df["verification"].map(CHECK_WORDS),
        "原因": df["verification_reason"], "佐证材料": _file_counts(df)}), hide_index=True, width="stretch",
        key="tr_vf_table")
    todo = df[df["verification"] != "已核验"]
    if todo.empty:
        st.caption("全部完成报告均已核验。")
        return
    keys = [f"{r.task_id}|{r.department}|{r.period_code}" for r in todo.itertuples()]
    st.selectbox("选择完成报告", keys, key="tr_vf_pick",
                 format_func=lambda k: "任务{} · {} · {}".format(*k.split("|")))
    _pick_evidence(identity)
    st.text_input("退回原因（退回时必填）", key="tr_vf_reason", max_chars=500)
    b1, b2 = st.columns(2)
    b1.button("核验通过", **locked(), key="tr_vf_ok", type="primary", on_click=_verify, args=(identity, True))
    b2.button("退回", **locked(), key="tr_vf_back", on_click=_verify, args=(identity, False))


def _verify(identity: Identity, approve: bool) -> None:
    ss = st.session_state
    pick = ss.get("tr_vf_pick")
    if not pick:
        ss[_VF_ERROR] = "请选择完成报告"
        return
    task_id, dept, period = pick.split("|")
    _run(trust.verify_task, f"任务{task_id}（{dept}，{period}）已{'核验通过' if approve else '退回'}。",
         _actor(identity), int(task_id), dept, period, approve, "" if approve else ss.get("tr_vf_reason", ""),
         keys=(_VF_DONE, _VF_ERROR))


def _file_counts(df: pd.DataFrame) -> list[int]:
    files = cache.read(report_evidence.task_files)
    count = files[files["live"]].groupby(["task_id", "department", "period_code"]).size()
    return [int(count.get((int(t), d, p), 0)) for t, d, p in zip(df["task_id"], df["department"], df["period_code"])]


def _pick_evidence(identity: Identity) -> None:
    """The picked report's 佐证材料 with download buttons: what the office checks before 核验通过."""
    pick = st.session_state.get("tr_vf_pick")
    if not pick:
        return
    task_id, dept, period = pick.split("|")
    files = cache.read(report_evidence.task_files, int(task_id), dept, period)
    files = files[files["live"]]
    if files.empty:
        st.warning("该报告没有佐证材料：不能核验通过，可退回并写明须补充的材料。")
        return
    st.markdown(f"**佐证材料（{len(files)} 个）**")
    render_files(identity, files, "tr_vf_file")
