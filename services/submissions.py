"""Reports in: prepare (read, validate, permissions, preview) → commit; the office's review; undo.

The file upload page, online entry and `manage.py import` all go through these functions, so a report
is checked, previewed and written one way whatever screen it came from, and the rules below exist once:
- the review rule: what state a new report gets (`new_state`);
- who may write which rows (core.auth.write_scope: the plan's lead, or the department 基期与责任备案 assigned
  the target to), re-checked with the account and the assignments inside the write;
- 报告期关闭: rows writing a closed period are refused at their cell (services.trust.closed_cells, the rule in
  core.period_lock), and again inside the write (a period closed after the preview);
- the second look (大幅变动, 不升反降, 区县不一致; the rule in core.second_look) warns, never refuses: a warned
  row needs its own 备注 or the submission's 说明 (`commit(..., note=)`), kept on the submission;
- commit writes what was previewed, or nothing: the cells in force are re-read in the write transaction
  and any change since the preview refuses the commit, naming the cells (`Outcome.changed_cells`);
- a 填报员 may withdraw only its own department's report while it waits for review; withdrawing
  counted data is the office's act, with a reason, audited.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from core import auth
from core.catalogue import Catalogue, load_catalogue
from core.importer import online
from core.importer.model import ChangePlan, ImportResult, Problem, UploadRefused
from core.importer.plan_mark import check_plan
from core.importer.preview import plan_changes
from core.importer.reader import read_upload, sha256_of
from core.importer.summary import MIME_TYPES
from core.importer.validate import validate_upload
from core.periods import parse_period
from core.plan_context import current_plan_id
from core.plans import current_plan
from core.reporting import COUNTED_STATES
from core.second_look import LookWarning, unexplained
from db import current, imports, queries, upload_reads
from db import models as m
from db.imports import CommitRefused
from db.plan_refusal import archived_message
from db.submission_reads import live_submission_for_sha
from services import plans, trust
from services.cache import cached
from services.identity import Caller, as_caller, authorise, identity_of

Refused = CommitRefused  # what review and undo raise; the message is Chinese and nothing was written
XLSX_MIME = MIME_TYPES["xlsx"]
MAX_REASON = 500  # characters of an undo or return reason
MAX_NOTE = 500  # characters of a submission's 说明 (as a row's 备注, core.importer.normalise.TEXT_LIMITS)


def plan_catalogue() -> Catalogue:
    """The current plan's catalogue (data/plans/<id>/ CSV): it changes only with a deployment, one copy per
    process and plan."""
    return _catalogue(current_plan().folder)


@lru_cache(maxsize=8)
def _catalogue(folder: Path) -> Catalogue:
    return load_catalogue(folder)


plan_catalogue.cache_clear = _catalogue.cache_clear


def other_plan_refusal(result: ImportResult) -> str:
    """A sheet of another plan (its periods outside this plan's, no row usable here) is refused as a whole,
    with one sentence naming the plan and its periods, instead of a problem on every row; else ""."""
    plan = current_plan()
    outside = sorted({p.code for p in (parse_period(x.value) for x in result.problems if "报告期" in x.message)
                      if p is not None and not plan.first_period <= p.code <= plan.last_period})
    if not outside or len(result.rejected_rows) < len(result.indicators) + len(result.tasks):
        return ""
    return (f"这份表填报的是 {'、'.join(outside)}，不在《{plan.short_name}》的报告期（{plan.first_period}–"
            f"{plan.last_period}）内，可能是另一个方案的表：未写入任何数据。请下载本方案的模板填报，或选择该表所属的方案。")


def archived_refusal() -> str:
    """The Chinese refusal when the current plan is archived (read-only), else "". Said before a file is read;
    the write itself is refused again inside its transaction (db.engine) whatever a page skipped."""
    plan_id = current_plan_id()
    return archived_message(plan_id) if plans.is_archived(plan_id) else ""


def new_state(identity: auth.Identity) -> str:
    """The review rule: the office's own reports count at once; a department's wait for the office's review."""
    return "committed" if auth.may_administer(identity) else "pending"


def known_periods() -> list[str]:
    return queries.periods()["code"].tolist()


# --- Drafts: everything a preview shows and a commit needs ------------------------------------------


@dataclass
class Draft:
    """A report read, validated and previewed against the values in force, not yet written."""

    username: str  # who prepared it: only they may commit it
    source: str  # upload | online | cli
    filename: str
    content: bytes  # kept as the submission's original file
    mime: str
    department: str | None
    period: str | None
    state: str  # what a commit gives it (new_state)
    result: ImportResult | None = None  # None when the file could not be read at all
    plan: ChangePlan | None = None
    refused: str = ""  # why the file could not be read (Chinese); nothing can be committed
    duplicate_of: int | None = None  # a live submission of this very file
    # The row ids in force for every cell the report names, as the preview saw them (None: nothing in force).
    seen_values: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    seen_progress: dict[tuple[int, str, str], int | None] = field(default_factory=dict)
    # The second look at the rows to write: warnings, not problems; each needs a 备注 or the 说明.
    warnings: list[LookWarning] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return self.result.sha256 if self.result is not None else sha256_of(self.content)

    @property
    def problems(self) -> list[Problem]:
        return self.result.problems if self.result is not None else []

    @property
    def writes_nothing(self) -> bool:
        return self.plan is None or (not self.plan.indicators_to_write and not self.plan.tasks_to_write)


@dataclass(frozen=True)
class Outcome:
    """What a commit did. Nothing was written when `refused` says why (and `changed_cells` lists the cells
    that changed since the preview, when that was the reason)."""

    submission_id: int | None = None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicate: bool = False
    state: str = ""
    refused: str = ""
    changed_cells: tuple[str, ...] = ()

    @property
    def written(self) -> bool:
        return not self.refused and not self.duplicate

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class CellsChanged(CommitRefused):
    """Cells the preview showed were changed by another write before the commit; nothing was written."""

    def __init__(self, cells: list[str]):
        self.cells = tuple(cells)
        shown = "；".join(cells[:10]) + (f" 等 {len(cells)} 处" if len(cells) > 10 else "")
        super().__init__(f"预览之后以下数据已被其他报送修改：{shown}。未写入任何数据，请重新预览后再确认")


def parse_file(name: str, content: bytes):
    """The parsed workbook (core.importer.reader), or UploadRefused: pages keep it per file so a rerun
    does not parse the same file again, and hand it to prepare_file."""
    return read_upload(name, content)


def prepare_file(identity: Caller | auth.Identity, name: str, content: bytes, department: str | None = None,
                 period: str | None = None, *, source: str = "upload", book=None) -> Draft:
    """Read (in the limited child process), validate, mark rows the account may not write, and preview
    a file against the values in force. `book`: the file already parsed by parse_file."""
    who = identity_of(identity)
    state = new_state(who)
    closed = archived_refusal()
    if closed:
        return Draft(who.username, source, name, content, "application/octet-stream", department, period, state,
                     refused=closed)
    if book is None:
        try:
            book = read_upload(name, content)
        except UploadRefused as exc:
            return Draft(who.username, source, name, content, "application/octet-stream", department, period,
                         state, refused=str(exc))
    try:  # a workbook made for another plan: refused whole, naming both plans (core.importer.plan_mark)
        check_plan(name, book, plans.current_plan(), {e.plan.id: e.plan for e in plans.listed()},
                   command_line=source == "cli")
    except UploadRefused as exc:
        return Draft(who.username, source, name, content, MIME_TYPES.get(book.kind, "application/octet-stream"),
                     department, period, state, refused=str(exc))
    result = validate_upload(book, plan_catalogue(), filename=name, sha256=sha256_of(content), period=period,
                             department=department, known_periods=known_periods() or None,
                             assigned=trust.assignments())
    foreign = other_plan_refusal(result)
    if foreign:
        return Draft(who.username, source, name, content, MIME_TYPES.get(book.kind, "application/octet-stream"),
                     department, period, state, result=result, refused=foreign)
    return _draft(who, source, result, content, MIME_TYPES.get(book.kind, "application/octet-stream"),
                  department or result.department, period or result.period)


@cached
def online_rows(department: str, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The online-entry tables of a department and period, prefilled with the values in force
    (the grid shows them; prepare_online compares the edit's locked columns with them)."""
    catalogue = plan_catalogue()
    return (online.indicator_frame(catalogue, department, period, upload_reads.department_values(department, period),
                                   trust.assignments()),
            online.task_frame(catalogue, department, period, upload_reads.department_progress(department, period)))


def online_filename(department: str, period: str) -> str:
    return f"在线填报-{department}-{period}.xlsx"


def prepare_online(identity: Caller | auth.Identity, department: str, period: str,
                   rows: tuple[pd.DataFrame, pd.DataFrame], *, content: bytes | None = None) -> Draft:
    """Online entry's edited tables (indicators, tasks) as a draft, checked like a file.

    The grid locks every column but the values; a browser can still send anything, so the locked
    columns are compared with the department's own rows here: a changed, added or repeated row (a
    district value for a target without district breakdown, another department's task) blocks the
    whole draft. `content`: the tables as a workbook, when the caller already wrote it.
    """
    who = identity_of(identity)
    indicators, tasks = rows
    base_ind, base_tasks = online_rows(department, period)
    content = content if content is not None else online.editor_workbook(indicators, tasks)
    name = online_filename(department, period)
    sha = hashlib.sha256(content).hexdigest()
    locked = (_locked_problems(indicators, base_ind, online.INDICATOR_COLUMNS, online.INDICATOR_EDITABLE,
                               online.INDICATOR_SHEET)
              + _locked_problems(tasks, base_tasks, online.TASK_COLUMNS, online.TASK_EDITABLE, online.TASK_SHEET))
    if locked:
        result = ImportResult(name, sha, problems=locked, department=department, period=period)
    else:
        result = online.result_from_editor(indicators, tasks, plan_catalogue(), department=department, period=period,
                                           filename=name, sha256=sha)
    return _draft(who, "online", result, content, XLSX_MIME, department, period)


def _locked_problems(edited: pd.DataFrame, base: pd.DataFrame, columns: list[str], editable: list[str],
                     sheet: str) -> list[Problem]:
    fixed = [c for c in columns if c not in editable]
    if list(edited.columns) != list(base.columns) or len(edited) != len(base):
        return [Problem(sheet, "", f"{len(edited)} 行", f"表格的行或列与本部门应填的 {len(base)} 行不一致",
                        "请刷新页面，在原表格中修改可填写的列")]
    problems = []
    for i, (a, b) in enumerate(zip(edited[fixed].itertuples(index=False), base[fixed].itertuples(index=False))):
        for col, x, y in zip(fixed, a, b):
            if _plain(x) != _plain(y):
                cell = f"{chr(ord('A') + columns.index(col))}{i + 2}"
                problems.append(Problem(sheet, cell, str(x), f"“{col}”列不可修改（应为“{y}”）",
                                        "请刷新页面，只修改可填写的列"))
                break
    return problems


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return str(value).strip()


def _draft(who: auth.Identity, source: str, result: ImportResult, content: bytes, mime: str,
           department: str | None, period: str | None) -> Draft:
    catalogue = plan_catalogue()
    extra = auth.permission_problems(result, who, catalogue, trust.assignments())
    if extra:
        result.problems.extend(extra)
    values, progress = _in_force_for(result)
    plan = plan_changes(result, values, progress, catalogue)
    # 报告期关闭: a row that would write a closed period is refused at its cell (core.period_lock decides,
    # honouring the writer's lock exceptions). Only rows that change something are asked: an unchanged
    # earlier quarter carried in the same sheet writes nothing and is no reason to refuse the file.
    closed = trust.closed_cells([*plan.indicators_to_write, *plan.tasks_to_write], _writer_department(who, department))
    if closed:
        result.problems.extend(closed)
        plan = plan_changes(result, values, progress, catalogue)
    value_ids = {(r.target_id, r.district_adcode, r.period_code): int(r.id)
                 for r in values[["target_id", "district_adcode", "period_code", "id"]].itertuples(index=False)}
    progress_ids = {(int(r.task_id), r.department, r.period_code): int(r.id)
                    for r in progress[["task_id", "department", "period_code", "id"]].itertuples(index=False)}
    seen_values = {cell: value_ids.get(cell) for cell in _value_cells(result)}
    seen_progress = {cell: progress_ids.get(cell) for cell in _progress_cells(result)}
    return Draft(who.username, source, result.filename, content, mime, department, period, new_state(who),
                 result, plan, duplicate_of=live_submission_for_sha(result.sha256),
                 seen_values=seen_values, seen_progress=seen_progress, warnings=_second_look(plan))


# --- Second look (issue 16): warnings that need a 说明, never a refusal by themselves ---------------


def _second_look(plan: ChangePlan) -> list[LookWarning]:
    """The warnings for the rows a commit would write (unchanged and refused rows write nothing), against
    the values in force of their targets in every period (the previous value may be years back)."""
    rows = plan.indicators_to_write
    if not rows:
        return []
    values = queries.current_values_where("AND target_id IN :targets", targets=sorted({r.target_id for r in rows}))
    return trust.second_look(rows, values)


def unexplained_warnings(draft: Draft, note: str = "") -> list[LookWarning]:
    """The draft's warnings that neither their row's 备注 nor the submission's 说明 `note` answers
    (core.second_look.unexplained decides): a commit with any of them is refused."""
    rows = draft.plan.indicators_to_write if draft.plan is not None else []
    return unexplained(draft.warnings, {(r.sheet, r.row): r.note for r in rows}, note)


def warning_where(w: LookWarning) -> str:
    """Where a warning points: the row of the file (as the preview names rows), or the city value in force."""
    if w.row is not None and w.sheet:
        return f"{w.sheet}!第{w.row}行"
    return f"{w.target_id} 全市 {w.period_code}（已入库的值）"


def warning_records(draft: Draft, note: str = "") -> list[dict]:
    """The warnings for a preview table and the CLI's JSON: where, target, district, period, kind,
    message, the row's own 备注, and whether it is answered (by that 备注 or the 说明 `note`)."""
    open_ = {id(w) for w in unexplained_warnings(draft, note)}
    rows = draft.plan.indicators_to_write if draft.plan is not None else []
    notes = {(r.sheet, r.row): r.note for r in rows}
    districts = {d.adcode: d.name for d in plan_catalogue().districts}
    return [{"where": warning_where(w), "target_id": w.target_id,
             "district": districts.get(w.district_adcode, "全市"), "period": w.period_code, "kind": w.kind,
             "message": w.message, "row_note": notes.get((w.sheet, w.row), "") if w.row is not None else "",
             "explained": id(w) not in open_} for w in draft.warnings]


def _look_refusal(draft: Draft, note: str) -> str:
    """Why the commit may not go ahead because of the second look ("" when it may)."""
    if len(note) > MAX_NOTE:
        return f"说明不能超过 {MAX_NOTE} 个字（现有 {len(note)} 个字），未写入任何数据"
    missing = unexplained_warnings(draft, note)
    if not missing:
        return ""
    shown = "；".join(f"{warning_where(w)} {w.message}" for w in missing[:5])
    more = f" 等 {len(missing)} 处" if len(missing) > 5 else ""
    return (f"以下数据需要说明（数据异常的原因）：{shown}{more}。未写入任何数据；数据无误的，请在该行“备注”中写明原因，"
            "或填写本次报送的说明后再提交")


def _writer_department(who: auth.Identity, department: str | None) -> str | None:
    """Whose lock exceptions apply: a department's account writes as its department; the office writes
    for the report's department (None: each row's own, see services.trust.closed_cells)."""
    return who.department if who.role == auth.REPORTER else department


def _value_cells(result: ImportResult) -> list[tuple[str, str, str]]:
    # Rows with a problem are never written: a change to their cells does not make the preview wrong.
    rejected = result.rejected_rows
    return [(r.target_id, r.district_adcode or "", r.period_code) for r in result.indicators
            if (r.sheet, r.row) not in rejected]


def _progress_cells(result: ImportResult) -> list[tuple[int, str, str]]:
    rejected = result.rejected_rows
    return [(int(r.task_id), r.department, r.period_code) for r in result.tasks if (r.sheet, r.row) not in rejected]


def _in_force_for(result: ImportResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values and task reports in force for the targets, tasks and periods the report names (by key:
    a province's whole set is ~300,000 rows a one-department file never needs)."""
    targets = sorted({r.target_id for r in result.indicators}) or [""]
    periods = sorted({r.period_code for r in (*result.indicators, *result.tasks)}) or [""]
    tasks = sorted({int(r.task_id) for r in result.tasks}) or [-1]
    values = queries.current_values_where("AND target_id IN :targets AND period_code IN :periods",
                                          targets=targets, periods=periods)
    progress = queries.current_progress_where("AND p.task_id IN :tasks AND p.period_code IN :periods",
                                              tasks=tasks, periods=periods)
    return values, progress


# --- Writes -----------------------------------------------------------------------------------------


def commit(identity: Caller | auth.Identity, draft: Draft, note: str = "",
           after: Callable[[Session, int], None] | None = None) -> Outcome:
    """Write the draft's new and changed rows as one submission, or nothing (Outcome.refused says why).
    `note`: the submission's 说明, needed when a warned row has no 备注 of its own (second look).
    `after(session, submission_id)`: more writes in the same transaction (services.report_evidence)."""
    caller = as_caller(identity)
    if draft.refused:
        return Outcome(refused=draft.refused)
    if caller.username != draft.username:
        return Outcome(refused="该预览不是由当前账号生成的，未写入任何数据；请重新预览")
    note = (note or "").strip()
    look = _look_refusal(draft, note)
    if look:
        return Outcome(refused=look)
    who = caller.identity

    def guard(session: Session) -> None:
        now = authorise(session, caller, auth.may_upload, "报送数据")
        _refuse_if_outside(session, draft, now)
        _refuse_if_closed(session, draft, now)
        _refuse_if_changed(session, draft)

    try:
        out = imports.commit_import(
            draft.result, draft.plan, user=who.username, source=draft.source, file_bytes=draft.content,
            mime=draft.mime, department=draft.department, period=draft.period, state=new_state(who),
            scope=auth.write_scope(who, plan_catalogue(), trust.assignments()), guard=guard, after=after,
            note=note)
    except CellsChanged as exc:
        return Outcome(refused=str(exc), changed_cells=exc.cells)
    except CommitRefused as exc:
        return Outcome(refused=str(exc))
    return Outcome(**out)


class OutsideScope(CommitRefused):
    """Rows the account may no longer write (e.g. the target's assignment was removed); nothing written."""


class PeriodClosed(CommitRefused):
    """A row writes a period that is closed now (closed after the preview); nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        shown = "；".join(f"{p.where} {p.message}" for p in problems[:5]) + (
            f" 等 {len(problems)} 处" if len(problems) > 5 else "")
        super().__init__(f"报告期已关闭：{shown}。未写入任何数据；{problems[0].fix}")


def _refuse_if_outside(session: Session, draft: Draft, now: auth.Identity) -> None:
    """The account's write scope as the write transaction sees it (the targets assigned to its department
    read in `session`): an assignment removed after the preview refuses the rows it allowed."""
    scope = auth.write_scope(now, plan_catalogue(), trust.assignments(session))
    outside = scope.refusals(draft.plan) if scope is not None and draft.plan is not None else []
    if outside:
        raise OutsideScope(f"您的账号无权报送：{'、'.join(outside[:5])}{' 等' if len(outside) > 5 else ''}。"
                           "未写入任何数据；请重新预览")


def _refuse_if_closed(session: Session, draft: Draft, now: auth.Identity) -> None:
    """PeriodClosed when a row to write touches a period closed now (the office's actions and lock
    exceptions read in `session`), though the preview found it open."""
    if draft.plan is None:
        return
    closed = trust.closed_at_write(session, [*draft.plan.indicators_to_write, *draft.plan.tasks_to_write],
                                   _writer_department(now, draft.department))
    if closed:
        raise PeriodClosed(closed)


def _refuse_if_changed(session: Session, draft: Draft) -> None:
    """CellsChanged when a cell the preview showed has another row in force now (read in the write)."""
    periods = sorted({c[2] for c in (*draft.seen_values, *draft.seen_progress)})
    now_values = current.value_ids(session, sorted({c[0] for c in draft.seen_values}), periods)
    now_progress = current.progress_ids(session, sorted({c[0] for c in draft.seen_progress}), periods)
    catalogue = plan_catalogue()
    targets = {t.id: t.name for t in catalogue.targets}
    districts = {d.adcode: d.name for d in catalogue.districts}
    changed = [f"{t} {targets.get(t, '')}·{districts.get(d, '全市')}·{p}"
               for (t, d, p), seen in draft.seen_values.items() if now_values.get((t, d, p)) != seen]
    changed += [f"任务{k}·{dept}·{p}" for (k, dept, p), seen in draft.seen_progress.items()
                if now_progress.get((k, dept, p)) != seen]
    if changed:
        raise CellsChanged(changed)


def review(identity: Caller | auth.Identity, submission_id: int, decision: str | bool, reason: str = "") -> dict:
    """The office approves ("approve") or returns ("return", with a reason) a pending submission.
    Raises Refused (nothing written) when the account may not, or the submission is not pending."""
    caller = as_caller(identity)
    approve = decision in (True, "approve")
    if not approve and decision not in (False, "return"):
        raise Refused(f"未知的审核决定“{decision}”")
    reason = _bounded_reason(reason)
    return imports.review_submission(
        int(submission_id), caller.username, approve, reason,
        guard=lambda session: authorise(session, caller, auth.may_administer, "审核报送"))


def undo(identity: Caller | auth.Identity, submission_id: int, reason: str = "") -> dict:
    """Withdraw a submission. A 填报员: only its department's, and only while it waits for review.
    The office (管理员): any; withdrawing counted data needs a reason, kept in the audit log."""
    caller = as_caller(identity)
    reason = _bounded_reason(reason)

    def guard(session: Session, sub: m.Submission) -> None:
        who = authorise(session, caller, auth.may_upload, "撤销报送")
        if sub.state in COUNTED_STATES:
            if not auth.may_administer(who):
                raise Refused(f"提交编号 {sub.id} 已计入各页面，只能由督查办撤销；如需更正请重新报送")
            if not reason:
                raise Refused("撤销已计入的数据须填写原因（记入审计日志）")

    department = None if auth.may_administer(caller.identity) else (caller.identity.department or "")
    return imports.undo_submission(int(submission_id), caller.username, department, reason=reason, guard=guard)


def _bounded_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise Refused(f"原因不能超过 {MAX_REASON} 个字（现有 {len(reason)} 个字）")
    return reason


def original_file(submission_id: int) -> tuple[str, bytes, str] | None:
    """The original file of a submission as (filename, bytes, mime); None when none was kept."""
    return imports.submission_file(submission_id)
