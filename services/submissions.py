"""Reports in: prepare (read, validate, permissions, preview) → commit; the office's review; undo.

The file upload page, online entry and `manage.py import` all go through these functions, so a report
is checked, previewed and written one way whatever screen it came from, and the rules below exist once:
- the review rule: what state a new report gets (`new_state`);
- who may write which rows (core.auth.write_scope), re-checked with the account inside the write;
- commit writes what was previewed, or nothing: the cells in force are re-read in the write transaction
  and any change since the preview refuses the commit, naming the cells (`Outcome.changed_cells`);
- a 填报员 may withdraw only its own department's report while it waits for review; withdrawing
  counted data is the office's act, with a reason, audited.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache

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
from core.reporting import COUNTED_STATES
from db import current, imports, queries, upload_reads
from db import models as m
from db.imports import CommitRefused
from db.submission_reads import live_submission_for_sha
from services import plan_choice  # the lead switches this to services.plans (plans15)
from services.cache import cached
from services.identity import Caller, as_caller, authorise, identity_of

Refused = CommitRefused  # what review and undo raise; the message is Chinese and nothing was written
XLSX_MIME = MIME_TYPES["xlsx"]
MAX_REASON = 500  # characters of an undo or return reason


@lru_cache(maxsize=1)
def plan_catalogue() -> Catalogue:
    """The plan's catalogue (data/plans/2018-2020 CSV): it changes only with a deployment, one copy per process."""
    return load_catalogue()


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
    if book is None:
        try:
            book = read_upload(name, content)
        except UploadRefused as exc:
            return Draft(who.username, source, name, content, "application/octet-stream", department, period,
                         state, refused=str(exc))
    try:  # a workbook made for another plan: refused whole, naming both plans (core.importer.plan_mark)
        check_plan(name, book, plan_choice.current_plan(), {e.plan.id: e.plan for e in plan_choice.listed()},
                   command_line=source == "cli")
    except UploadRefused as exc:
        return Draft(who.username, source, name, content, MIME_TYPES.get(book.kind, "application/octet-stream"),
                     department, period, state, refused=str(exc))
    result = validate_upload(book, plan_catalogue(), filename=name, sha256=sha256_of(content), period=period,
                             department=department, known_periods=known_periods() or None)
    return _draft(who, source, result, content, MIME_TYPES.get(book.kind, "application/octet-stream"),
                  department or result.department, period or result.period)


@cached
def online_rows(department: str, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The online-entry tables of a department and period, prefilled with the values in force
    (the grid shows them; prepare_online compares the edit's locked columns with them)."""
    catalogue = plan_catalogue()
    return (online.indicator_frame(catalogue, department, period, upload_reads.department_values(department, period)),
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
    extra = auth.permission_problems(result, who, catalogue)
    if extra:
        result.problems.extend(extra)
    values, progress = _in_force_for(result)
    plan = plan_changes(result, values, progress, catalogue)
    value_ids = {(r.target_id, r.district_adcode, r.period_code): int(r.id)
                 for r in values[["target_id", "district_adcode", "period_code", "id"]].itertuples(index=False)}
    progress_ids = {(int(r.task_id), r.department, r.period_code): int(r.id)
                    for r in progress[["task_id", "department", "period_code", "id"]].itertuples(index=False)}
    seen_values = {cell: value_ids.get(cell) for cell in _value_cells(result)}
    seen_progress = {cell: progress_ids.get(cell) for cell in _progress_cells(result)}
    return Draft(who.username, source, result.filename, content, mime, department, period, new_state(who),
                 result, plan, duplicate_of=live_submission_for_sha(result.sha256),
                 seen_values=seen_values, seen_progress=seen_progress)


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


def commit(identity: Caller | auth.Identity, draft: Draft) -> Outcome:
    """Write the draft's new and changed rows as one submission, or nothing (Outcome.refused says why)."""
    caller = as_caller(identity)
    if draft.refused:
        return Outcome(refused=draft.refused)
    if caller.username != draft.username:
        return Outcome(refused="该预览不是由当前账号生成的，未写入任何数据；请重新预览")
    who = caller.identity

    def guard(session: Session) -> None:
        authorise(session, caller, auth.may_upload, "报送数据")
        _refuse_if_changed(session, draft)

    try:
        out = imports.commit_import(
            draft.result, draft.plan, user=who.username, source=draft.source, file_bytes=draft.content,
            mime=draft.mime, department=draft.department, period=draft.period, state=new_state(who),
            scope=auth.write_scope(who, plan_catalogue()), guard=guard)
    except CellsChanged as exc:
        return Outcome(refused=str(exc), changed_cells=exc.cells)
    except CommitRefused as exc:
        return Outcome(refused=str(exc))
    return Outcome(**out)


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
