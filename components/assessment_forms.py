"""Forms of the 年度考核 view (keys as_f_*): the office's (管理员) and the department's own 填报员's.

The page only decides which forms to draw. Each submit calls services.assessment from its callback with
the login token, and the service decides again inside the write transaction whether this account may
do it (Streamlit runs a callback before the page script, so a check on the page alone would not hold).
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from components.plan_switch import locked
from core.assessment import (
    APPEAL_OUTCOMES,
    BONUS,
    CHECKED,
    KIND_LABELS,
    NOT_STARTED,
    PENALTY,
    SELF,
    TEXT_LIMITS,
    AnnualResult,
    AssessmentInputError,
    load_annual_rule,
)
from core.auth import ADMIN, REPORTER, Identity
from services import assessment as svc

TOKEN_KEY = "au_token"  # where components.auth_login keeps this session's login token
DONE, ERROR = "as_done", "as_error"


def _limit(key: str) -> int:
    return TEXT_LIMITS[key][1]


def _token() -> str | None:
    return st.session_state.get(TOKEN_KEY)


def _run(action: Callable[[], object], done: str) -> None:
    try:
        result = action()
    except (svc.AssessmentRefused, AssessmentInputError) as exc:
        st.session_state[ERROR] = f"未保存：{exc}"
        return
    st.session_state[DONE] = result if isinstance(result, str) else done


def _value(key: str, default=""):
    return st.session_state.get(key, default)


def render_forms(view: svc.AnnualView, department: str, identity: Identity | None) -> None:
    result = view.result(department)
    if identity is None:
        st.caption("督查办管理员登录后可记录核查意见、加分、扣分、一票否决并核定；部门填报员登录后可填报本部门的自评和申诉。")
        return
    if result is None or result.final is None:
        return
    if identity.role == ADMIN:
        _office_forms(view, department, result)
    elif identity.role == REPORTER and identity.department == department:
        _department_forms(view, department, result)
    elif identity.role == REPORTER:
        st.caption(f"您是{identity.department}的填报员：在上方选择本部门，可填报自评和申诉。")


# --- The office ------------------------------------------------------------------------------------


def _admin_reason(result: AnnualResult, key: str) -> None:
    if result.locked:
        st.text_input("修改理由（本年度已核定锁定，修改须写明理由，记入审计日志）", key=key,
                      max_chars=_limit("admin_reason"))


def _office_forms(view: svc.AnnualView, department: str, result: AnnualResult) -> None:
    st.markdown(f"**督查办操作：{department} {view.year} 年度**")
    if result.locked:
        st.info("本年度已核定锁定：以下修改须填写修改理由，并记入变更记录和审计日志。")
    tabs = st.tabs(["核查意见", "加分/扣分", "撤销加分/扣分", "一票否决", "答复申诉", "核定"])
    year = view.year
    rec = view.record(department) or {}
    with tabs[0], st.form("as_f_findings_form"):
        st.text_area("核查意见", value=rec.get("findings") or "", key="as_f_findings",
                     max_chars=_limit("findings"))
        _admin_reason(result, "as_f_findings_admin")
        st.form_submit_button("保存核查意见", **locked(), on_click=_findings, args=(department, year))
    with tabs[1], st.form("as_f_adjust_form", clear_on_submit=True):
        rule = load_annual_rule()
        options = [f"{kind}:{i.code}" for kind in (PENALTY, BONUS) for i in rule.items(kind)]
        st.selectbox("项目", options, key="as_f_item", format_func=lambda o: _item_label(rule, o))
        st.text_area("理由", key="as_f_reason", max_chars=_limit("reason"))
        st.text_input("佐证材料（文件名或说明，可不填）", key="as_f_evidence", max_chars=_limit("evidence"))
        _admin_reason(result, "as_f_adjust_admin")
        st.form_submit_button("记录", **locked(), on_click=_adjust, args=(department, year))
    active = view.adjustments[(view.adjustments["department"] == department) & ~view.adjustments["withdrawn"]]
    with tabs[2]:
        if active.empty:
            st.caption("本年度没有有效的加分或扣分项。")
        else:
            labels = {int(a["id"]): f"编号 {a['id']}：{KIND_LABELS[a['kind']]} {a['code']} {a['name']}"
                                    f"（{a['points']:g} 分）" for a in active.to_dict("records")}
            with st.form("as_f_withdraw_form", clear_on_submit=True):
                st.selectbox("撤销哪一项", list(labels), key="as_f_withdraw_id", format_func=labels.get)
                st.text_area("撤销理由", key="as_f_withdraw_reason", max_chars=_limit("reason"))
                _admin_reason(result, "as_f_withdraw_admin")
                st.form_submit_button("撤销该项", **locked(), on_click=_withdraw)
    with tabs[3], st.form("as_f_veto_form", clear_on_submit=True):
        if result.veto:
            st.text_area("撤销一票否决的理由", key="as_f_veto_reason", max_chars=_limit("reason"))
        else:
            st.text_area("一票否决理由（如发生区域性、系统性质量安全事件）", key="as_f_veto_reason",
                         max_chars=_limit("reason"))
            st.text_input("佐证材料（文件名或说明，可不填）", key="as_f_veto_evidence", max_chars=_limit("evidence"))
        _admin_reason(result, "as_f_veto_admin")
        st.form_submit_button("撤销一票否决" if result.veto else "一票否决（等级为 D）", **locked(), on_click=_veto,
                              args=(department, year, result.veto))
    with tabs[4]:
        _answer_form(view, department, result)
    with tabs[5]:
        if result.locked:
            st.caption("本年度已核定锁定。")
        else:
            with st.form("as_f_decide_form"):
                st.checkbox(f"确认核定 {department} {year} 年度考核：按当前季度得分冻结汇总分，最终得分 "
                            f"{result.final:.1f}、等级 {result.grade_text}，核定后锁定", key="as_f_decide_confirm")
                st.form_submit_button("核定并锁定", **locked(), type="primary", on_click=_decide,
                                      args=(view, department))


def _item_label(rule, option: str) -> str:
    kind, code = option.split(":")
    item = rule.item(kind, code)
    return f"{KIND_LABELS[kind]} {item.code} {item.name}（{item.points:g} 分）"


def _answer_form(view: svc.AnnualView, department: str, result: AnnualResult) -> None:
    frame = view.adjustments
    pending = frame[(frame["department"] == department) & frame["appeal_id"].notna()
                    & (frame["appeal_outcome"].fillna("") == "")]
    if pending.empty:
        st.caption("没有待答复的申诉。")
        return
    labels = {int(a["appeal_id"]): f"对扣分 {a['code']}（编号 {a['id']}）的申诉" for a in pending.to_dict("records")}
    for a in pending.to_dict("records"):
        st.markdown(f"**对扣分 {a['code']}（编号 {a['id']}）的申诉理由：**")
        st.text(a["appeal_reason"])
    with st.form("as_f_answer_form", clear_on_submit=True):
        st.selectbox("答复哪一项申诉", list(labels), key="as_f_appeal_id", format_func=labels.get)
        st.radio("答复结果", APPEAL_OUTCOMES, key="as_f_outcome", horizontal=True)
        st.text_area("答复", key="as_f_answer", max_chars=_limit("answer"))
        _admin_reason(result, "as_f_answer_admin")
        st.form_submit_button("答复", **locked(), on_click=_answer)


def _findings(department: str, year: int) -> None:
    _run(lambda: svc.record_findings(_token(), department, year, _value("as_f_findings"),
                                     _value("as_f_findings_admin")), "已保存核查意见")


def _adjust(department: str, year: int) -> None:
    kind, code = str(_value("as_f_item", ":")).split(":")
    _run(lambda: svc.add_adjustment(_token(), department, year, kind, code, _value("as_f_reason"),
                                    _value("as_f_evidence"), _value("as_f_adjust_admin")),
         f"已记录{KIND_LABELS.get(kind, '')} {code}")


def _withdraw() -> None:
    _run(lambda: svc.withdraw_adjustment(_token(), _value("as_f_withdraw_id", 0), _value("as_f_withdraw_reason"),
                                         _value("as_f_withdraw_admin")), "已撤销")


def _veto(department: str, year: int, lift: bool) -> None:
    if lift:
        _run(lambda: svc.lift_veto(_token(), department, year, _value("as_f_veto_reason"),
                                   _value("as_f_veto_admin")), "已撤销一票否决")
    else:
        _run(lambda: svc.set_veto(_token(), department, year, _value("as_f_veto_reason"),
                                  _value("as_f_veto_evidence"), _value("as_f_veto_admin")), "已一票否决")


def _answer() -> None:
    _run(lambda: svc.answer_appeal(_token(), _value("as_f_appeal_id", 0), _value("as_f_outcome"),
                                   _value("as_f_answer"), _value("as_f_answer_admin")), "已答复申诉")


def _decide(view: svc.AnnualView, department: str) -> None:
    if not _value("as_f_decide_confirm", False):
        st.session_state[ERROR] = "未核定：请先勾选确认"
        return
    _run(lambda: svc.decide(_token(), department, view.year, view=view), "已核定")


# --- The department's own 填报员 ----------------------------------------------------------------------


def _department_forms(view: svc.AnnualView, department: str, result: AnnualResult) -> None:
    st.markdown(f"**本部门操作：{department} {view.year} 年度**")
    if result.locked:
        st.info("本年度已核定锁定，不能再修改自评或提出申诉；如有异议请联系督查办。")
        return
    rec = view.record(department) or {}
    if result.state in (NOT_STARTED, SELF):
        with st.form("as_f_self_form"):
            st.number_input("自评分（0–100）", min_value=0.0, max_value=100.0, step=0.1, format="%.1f",
                            value=float(result.self_score) if result.self_score is not None else None,
                            key="as_f_self_score")
            st.text_area("自评说明", value=rec.get("self_narrative") or "", key="as_f_self_text",
                         max_chars=_limit("narrative"))
            st.form_submit_button("提交自评", **locked(), type="primary", on_click=_self, args=(department, view.year))
    elif result.state == CHECKED:
        st.caption("督查办已开始核查，自评不能再修改。")
    frame = view.adjustments
    open_penalties = frame[(frame["department"] == department) & (frame["kind"] == PENALTY) & ~frame["withdrawn"]
                           & frame["appeal_id"].isna()]
    if open_penalties.empty:
        st.caption("本部门没有可申诉的扣分项（每项扣分只能申诉一次）。")
        return
    labels = {int(a["id"]): f"编号 {a['id']}：扣分 {a['code']} {a['name']}（{a['points']:g} 分）"
              for a in open_penalties.to_dict("records")}
    with st.form("as_f_appeal_form", clear_on_submit=True):
        st.selectbox("对哪一项扣分申诉", list(labels), key="as_f_appeal_adj", format_func=labels.get)
        st.text_area("申诉理由", key="as_f_appeal_reason", max_chars=_limit("appeal"))
        st.form_submit_button("提出申诉", **locked(), on_click=_appeal)


def _self(department: str, year: int) -> None:
    score = _value("as_f_self_score", None)
    _run(lambda: svc.submit_self_assessment(_token(), department, year, score, _value("as_f_self_text")),
         "已提交自评")


def _appeal() -> None:
    _run(lambda: svc.file_appeal(_token(), _value("as_f_appeal_adj", 0), _value("as_f_appeal_reason")),
         "已提出申诉，待督查办答复")
