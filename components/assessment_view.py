"""The 年度考核 view of 部门记分卡 (?view=annual&year=2020): every department's year, each line adding up,
one department's detail, the forms of whoever may act on it, and the Excel export.

Keys: "view" and "year" are also URL parameters (bookmarkable), like "dept" and "period"; the rest are as_*.
Text people typed (自评说明, 理由, 申诉, 答复) is shown with st.text or in tables, never as markdown.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import url_state
from components.assessment_forms import render_forms
from components.auth_login import current_identity
from components.flash import show_flash
from core.assessment import ACTION_WORDS, KIND_LABELS, AnnualResult, AssessmentInputError
from services import assessment as svc
from services import cache

VIEW_KEY, YEAR_KEY, DEPT_KEY = "view", "year", "as_dept"
VIEWS = {"quarterly": "季度记分卡", "annual": "年度考核"}
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DONE, ERROR = "as_done", "as_error"


def chosen_view() -> str:
    """The view switch at the top of 部门记分卡; 'quarterly' unless ?view=annual."""
    options = list(VIEWS)
    index = url_state.restore(VIEW_KEY, options, options[0])
    view = st.radio("视图", options, index=index, key=VIEW_KEY, format_func=VIEWS.get, horizontal=True,
                    label_visibility="collapsed")
    url_state.remember(VIEW_KEY, view, options[0])
    return view


def _year_picker() -> int:
    years = svc.years(cache.read)
    index = url_state.restore(YEAR_KEY, years, years[-1])
    year = st.selectbox("考核年度", years, index=index, key=YEAR_KEY, format_func=lambda y: f"{y} 年度")
    year = years[-1] if year is None else year  # cleared with its ⊗: the latest year
    url_state.remember(YEAR_KEY, year, years[-1])
    return int(year)


def render_annual_view() -> None:
    year = _year_picker()
    try:
        view = svc.annual_view(year, cache.read)
    except AssessmentInputError as exc:
        st.error(str(exc))
        return
    show_flash(DONE, ERROR)
    with st.expander("年度考核规则", expanded=False):
        st.markdown("\n".join(f"{i}. {line}" for i, line in enumerate(view.rule_lines, 1)))
        st.caption("规则、加分扣分项及上限写在本方案文件夹 scoring.toml 的 [annual] 部分，修改后重启看板即生效。")
    _summary(view)
    _table(view)
    _export(view)
    st.divider()
    st.subheader("部门年度考核详情")
    identity = current_identity()
    names = [r.department for r in view.results]
    own = identity.department if identity is not None and identity.department in names else names[0]
    index = url_state.restore(DEPT_KEY, names, own)
    name = st.selectbox("选择部门", names, index=index, key=DEPT_KEY)
    url_state.remember(DEPT_KEY, name, own)
    if name is None:  # cleared with its ⊗
        st.info("请选择一个部门，查看其年度考核详情。")
        return
    _detail(view, view.result(name))
    render_forms(view, name, identity)


def _summary(view: svc.AnnualView) -> None:
    st.subheader(f"{view.year} 年度考核结果")
    results = view.results
    cols = st.columns(6)
    for col, grade in zip(cols, "ABCD"):
        col.metric(f"{grade} 级", f"{sum(r.grade == grade for r in results)} 个")
    cols[4].metric("样本不足（不排名）", f"{sum(not r.sample_ok and r.final is not None for r in results)} 个")
    cols[5].metric("已核定", f"{sum(r.locked for r in results)} / {len(results)}")
    vetoed = [r.department for r in results if r.veto]
    if vetoed:
        st.warning(f"一票否决（等级为 D）：{'、'.join(vetoed)}")


def _table(view: svc.AnnualView) -> None:
    rows = []
    for r in view.results:
        gap = None if r.self_score is None or r.final is None else round(r.self_score - r.final, 1)
        rows.append({"名次": r.rank_text, "部门": r.department,
                     **{q: r.quarter_scores.get(q) for q in view.quarters},
                     "汇总分": r.rollup, "扣分": r.penalty, "加分": r.bonus, "最终得分": r.final,
                     "等级": r.grade_text, "算式（汇总 − 扣分 + 加分 = 最终）": r.equation,
                     "自评分": r.self_score, "自评高出": gap,
                     "状态": r.state + ("（已锁定）" if r.locked else "")})
    score = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="as_table",
                 column_config={c: score for c in [*view.quarters, "汇总分", "扣分", "加分", "最终得分", "自评分",
                                                   "自评高出"]})
    st.caption("每一行：最终得分 = 汇总分 − 扣分 + 加分（扣分、加分各在上限以内）；一票否决的等级为 D。"
               "已核定的年度按核定时冻结的季度得分计算。")


def _export(view: svc.AnnualView) -> None:
    st.download_button(
        "下载年度考核（Excel）", key="as_download", mime=MIME, on_click="ignore",
        file_name=f"年度考核-{view.year}.xlsx",
        data=lambda: svc.annual_workbook(view),
        help="考核结果（含每行算式）、加分扣分与否决明细（含申诉与答复）、考核规则；横向 A4 打印",
    )
    st.download_button(
        "下载年度考核（Word 公文）", key="as_download_docx", on_click="ignore", file_name=f"年度考核-{view.year}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        data=lambda: svc.annual_document(view), help="按公文格式：考核结果、考核办法，附件为结果表和加分扣分明细",
    )


def _detail(view: svc.AnnualView, r: AnnualResult | None) -> None:
    if r is None:
        return
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric("最终得分", "—" if r.final is None else f"{r.final:.1f}")
    c2.metric("等级（一票否决）" if r.veto else "等级", r.grade or "—")
    c3.metric("名次", r.rank_text)
    c4.metric("自评分", "—" if r.self_score is None else f"{r.self_score:.1f}")
    c5.metric("状态（已锁定）" if r.locked else "状态", r.state)
    st.markdown("**得分如何算出**")
    st.markdown("\n".join(f"- {line}" for line in r.lines if not line.startswith("一票否决")))
    if r.veto:
        st.error(f"一票否决：等级为 {r.grade}。理由如下：")
        st.text(r.veto_reason)
    rec = view.record(r.department)
    if rec is not None and rec["self_narrative"]:
        st.markdown("**自评说明**")
        st.text(rec["self_narrative"])
    if rec is not None and rec["findings"]:
        st.markdown("**督查办核查意见**")
        st.text(rec["findings"])
    mine = view.adjustments[view.adjustments["department"] == r.department]
    if not mine.empty:
        st.markdown("**加分与扣分（含申诉与答复）**")
        st.dataframe(_adjustment_rows(mine), hide_index=True, width="stretch", key="as_items")
    history = view.history[view.history["department"] == r.department]
    if not history.empty:
        with st.expander(f"变更记录（{len(history)} 条）"):
            st.dataframe(pd.DataFrame({"时间": history["at"], "操作人": history["user_name"],
                                       "操作": history["action"].map(ACTION_WORDS).fillna(history["action"]),
                                       "锁定后修改理由": history["admin_reason"]}),
                         hide_index=True, width="stretch", key="as_history")


def _adjustment_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "编号": frame["id"], "类别": frame["kind"].map(KIND_LABELS),
        "项目": frame["code"] + " " + frame["name"], "分值": frame["points"],
        "理由": frame["reason"], "佐证材料": frame["evidence"],
        "是否有效": [("已撤销：" + str(w)) if x else "有效" for x, w in zip(frame["withdrawn"],
                                                                     frame["withdrawn_reason"])],
        "申诉": frame["appeal_reason"].fillna(""),
        "答复": [f"{o}：{a}" if isinstance(o, str) and o else ("待答复" if isinstance(p, str) and p else "")
               for o, a, p in zip(frame["appeal_outcome"], frame["appeal_answer"], frame["appeal_reason"])],
    })
