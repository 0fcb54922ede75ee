"""Preview and commit (keys {prefix}_*): what an import would change, its problems, and the 确认入库 button.

Shared by file upload and online entry so both go through the same preview and the same commit.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable

import pandas as pd
import streamlit as st

from components.plan_switch import read_only_reason
from components.upload_evidence import render_evidence, uploads
from components.upload_look import note_for_commit, render_look
from core.importer.model import Change, ChangePlan, ImportResult, Problem
from core.importer.summary import understood_table
from services import report_evidence, submissions
from services.identity import Caller


def changes_frame(changes: list[Change], with_old: bool) -> pd.DataFrame:
    rows = [{"位置": f"{c.sheet}!第{c.row}行", "内容": c.what, **({"原值": c.old} if with_old else {}), "新值": c.new}
            for c in changes]
    return pd.DataFrame(rows, columns=["位置", "内容", *(["原值"] if with_old else []), "新值"])


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame([{"位置": p.where, "填写的值": p.value, "问题": p.message, "修改方法": p.fix}
                         for p in problems], columns=["位置", "填写的值", "问题", "修改方法"])


def outcome_text(outcome: dict) -> str:
    counts = (f"新增 {outcome['inserted']} 条，变更 {outcome['updated']} 条，未变 {outcome['unchanged']} 条，"
              f"未入库的问题行 {outcome['rejected']} 条。")
    if outcome.get("evidence"):
        counts += f"佐证材料 {outcome['evidence']} 个已保存，任务报告“已完成”的待督查办核验。"
    if outcome.get("state") == "pending":
        return (f"已提交，待审核（提交编号 {outcome['submission_id']}）：{counts}"
                "督查办审核通过后才计入各页面；审核结果见“报送记录”。")
    return f"已入库（提交编号 {outcome['submission_id']}）：{counts}各页面数据已随之更新。"


def duplicate_text(submission_id: int) -> str:
    return f"该文件已导入过（提交编号 {submission_id}），未重复写入"


def last_outcome(prefix: str, identity: Hashable) -> dict | None:
    done = st.session_state.get(f"{prefix}_done")
    return done["outcome"] if done and done["identity"] == identity else None


def render_preview(result: ImportResult, plan: ChangePlan) -> None:
    rejected = len(result.rejected_rows)
    cols = st.columns(5)
    counts = [("读取行数", result.rows_read), ("新增", len(plan.new)), ("变更", len(plan.changed)),
              ("未变", len(plan.unchanged)), ("问题行", rejected)]
    for col, (label, n) in zip(cols, counts):
        col.metric(label, n)
    understood = understood_table(result)
    if understood:
        # How columns, names and statuses were read, so a clerk sees a wrong guess before confirming.
        with st.expander(f"系统如何理解您的文件（{len(understood)} 条）", expanded=True):
            st.dataframe(pd.DataFrame(understood), hide_index=True, width="stretch",
                         column_config={"理解为": st.column_config.TextColumn(width="large")})
    if result.problems:
        st.markdown(f"#### 问题（{len(result.problems)} 处）")
        st.dataframe(problems_frame(result.problems), hide_index=True, width="stretch",
                     column_config={"问题": st.column_config.TextColumn(width="large"),
                                    "修改方法": st.column_config.TextColumn(width="large")})
        _problem_details(result.problems)
    for title, changes, with_old in (("新增", plan.new, False), ("变更（原值 → 新值）", plan.changed, True),
                                     ("未变", plan.unchanged, False)):
        if changes:
            with st.expander(f"{title}：{len(changes)} 条", expanded=title != "未变"):
                st.dataframe(changes_frame(changes, with_old), hide_index=True, width="stretch")


def _problem_details(problems: list[Problem], shown: int = 200) -> None:
    # Table cells cut long messages at 1366 px (and on phones); here every message wraps in full.
    with st.expander("逐条查看问题全文", expanded=len(problems) <= 5):
        lines = [f"{i}. **{_md(p.where)}**"
                 + (f"（填写的值：{_md(str(p.value))}）" if p.value not in (None, "") else "")
                 + f"：{_md(p.message)}" + (f"  \n　修改方法：{_md(p.fix)}" if p.fix else "")
                 for i, p in enumerate(problems[:shown], 1)]
        st.markdown("\n".join(lines))
        if len(problems) > shown:
            st.caption(f"另有 {len(problems) - shown} 处未列出，见上表或下载标注后的文件。")


def _md(text: str) -> str:
    """User text shown as text: markdown and HTML characters escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$" else c for c in str(text))


def render_commit(draft: submissions.Draft, *, prefix: str, identity: Hashable, caller: Caller,
                  allow_empty: bool = True, after_commit: Callable[[], None] | None = None) -> None:
    """The 佐证材料 pickers, the 确认入库 button and what blocks it; the outcome is then found by
    last_outcome(prefix, identity)."""
    if not draft.result.blocking:
        render_evidence(draft, prefix, identity)
    result = draft.result
    nothing = draft.writes_nothing
    blocked = []
    if result.blocking:
        blocked.append("文件存在整表性问题（见上方问题清单），修改后重新上传才能入库。")
    elif result.problems:
        valid_only = st.checkbox("仅提交无误的行", key=f"{prefix}_valid_only",
                                 help="有问题的行不入库，可修改后再次提交")
        if not valid_only:
            blocked.append(f"有 {len(result.rejected_rows)} 行存在问题：请修改后重新提交，或勾选“仅提交无误的行”。")
    look = render_look(draft, prefix=prefix, identity=identity)  # second look: a 说明 before committing
    if look:
        blocked.append(look)
    read_only = read_only_reason()  # an archived plan: the write refuses too
    if read_only:
        blocked.append(read_only)
    for reason in blocked:
        st.warning(reason)
    idle = nothing and not allow_empty
    if idle:
        st.caption("没有需要写入的变更：修改上表后这里会列出将写入的内容。")
    # The commit runs in the button's callback, before the next script run starts: it writes exactly
    # what this run previewed (or nothing, when a previewed cell changed meanwhile), and a rerun
    # triggered later in the page cannot swallow the click.
    st.button("提交审核" if draft.state == "pending" else "确认入库", key=f"{prefix}_commit", type="primary",
              disabled=bool(blocked) or idle, on_click=_commit, args=(draft, caller, prefix, identity, after_commit))
    error = st.session_state.pop(f"{prefix}_error", None)
    if error:
        st.error(error)
    changed = st.session_state.pop(f"{prefix}_changed", None)
    if changed:
        st.dataframe(pd.DataFrame({"预览后已被修改的数据": list(changed)}), hide_index=True, width="stretch")


def _commit(draft: submissions.Draft, caller: Caller, prefix: str, identity: Hashable,
            after_commit: Callable[[], None] | None) -> None:
    outcome, stored = report_evidence.commit(caller, draft, uploads(prefix),
                                             note=note_for_commit(draft, prefix, identity))
    if outcome.refused:
        st.session_state[f"{prefix}_error"] = f"未入库：{outcome.refused}"
        if outcome.changed_cells:
            st.session_state[f"{prefix}_changed"] = outcome.changed_cells
        return
    st.session_state[f"{prefix}_done"] = {"identity": identity, "outcome": {**outcome.as_dict(), "evidence": stored}}
    if after_commit:
        after_commit()


def render_outcome(outcome: dict) -> None:
    if outcome["duplicate"]:
        st.info(duplicate_text(outcome["submission_id"]))
    else:
        st.success(outcome_text(outcome))
