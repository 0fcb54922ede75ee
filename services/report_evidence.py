"""佐证材料 of task reports and indicator values (issue 16), for 进度填报 (upload and online entry), the
office's 完成核验 and `manage.py evidence`.

Two ways in, one store (db.evidence, checked by core.evidence):
- with a report: `commit(caller, draft, uploads)` checks every file before the write transaction opens,
  then writes the report and the files in one transaction (services.submissions.commit's `after`),
  where the account is checked again;
- to a task report already in force (补充佐证材料, e.g. after the office returned it): `attach(...)`.
Files of a task cell whose check was returned (退回) put the cell back to 待核验 in the same transaction.
Downloads: services.evidence.download (the office and the owning department only, as attachments).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from core import auth
from core.evidence import CheckedFile, EvidenceRefused
from core.importer.model import IndicatorRow, Problem, TaskRow
from core.report_evidence import (
    TASK,
    RowKey,
    accepted_rows,
    completion_flags,
    is_complete,
    key_of,
    unknown_keys,
)
from core.status import RETURNED
from db import evidence as evidence_db
from db.imports import CommitRefused
from services import submissions
from services.evidence import check_uploads
from services.identity import Caller, as_caller, authorise

__all__ = ["EvidenceRefused", "Row", "attach", "commit", "flags", "rows_for", "task_files"]

Uploads = Mapping[RowKey, Sequence[tuple[str, bytes]]]


@dataclass(frozen=True)
class Row:
    """A kept row of a draft that may carry files, as the page lists it."""

    key: RowKey
    where: str  # 任务进展!A12
    label: str  # 任务5 推进质量… · 市市场监管局 · 2020Q4
    complete: bool
    writes: bool  # new or changed: the commit writes it (unchanged rows may still take files)

    @property
    def needs_files(self) -> bool:
        return self.complete and self.writes


def rows_for(draft: submissions.Draft) -> list[Row]:
    """The draft's kept rows, complete task reports first (they need files), then the other rows."""
    cat = submissions.plan_catalogue()
    tasks = {t.id: t.title for t in cat.tasks}
    targets = {t.id: t.name for t in cat.targets}
    districts = {d.adcode: d.name for d in cat.districts}
    written = {key_of(r) for r in _written(draft)}
    out = []
    for r in accepted_rows(draft.result):
        if isinstance(r, TaskRow):
            label = f"任务{r.task_id} {tasks.get(r.task_id, '')} · {r.department} · {r.period_code}（{r.status}）"
            complete = is_complete(r)
        else:
            label = f"{r.target_id} {targets.get(r.target_id, '')} · {districts.get(r.district_adcode or '', '全市')}" \
                    f" · {r.period_code}"
            complete = False
        out.append(Row(key_of(r), f"{r.sheet}!A{r.row}", label, complete, key_of(r) in written))
    return sorted(out, key=lambda x: not x.needs_files)


def flags(draft: submissions.Draft, chosen: set[RowKey]) -> list[Problem]:
    """Cell-level flags of the preview: a complete task report the commit writes without a percent, or
    without files (neither chosen now nor stored for its cell already)."""
    rows = _written(draft)
    if not rows:
        return []
    stored = report_evidence_keys({r.task_id for r in rows if isinstance(r, TaskRow)})
    return completion_flags(rows, set(chosen) | stored)


def report_evidence_keys(task_ids: set[int]) -> set[RowKey]:
    """Task cells that already have live files."""
    if not task_ids:
        return set()
    files = evidence_db.report_evidence()
    files = files[files["live"] & files["task_id"].isin(list(task_ids))]
    return {RowKey(TASK, str(int(t)), d, p) for t, d, p in zip(files["task_id"], files["department"],
                                                              files["period_code"])}


def _written(draft: submissions.Draft) -> list[TaskRow | IndicatorRow]:
    plan = draft.plan
    return [] if plan is None else [*plan.tasks_to_write, *plan.indicators_to_write]


def check(draft: submissions.Draft, uploads: Uploads) -> dict[RowKey, list[CheckedFile]]:
    """Every file checked (type by content, size, count per row) before any transaction; EvidenceRefused
    names the row and the file. Files for a row the report does not keep are refused too."""
    wanted = {k: list(v) for k, v in uploads.items() if v}
    stray = unknown_keys(draft.result, wanted)
    if stray:
        raise EvidenceRefused(f"佐证材料所附的行不在本次可入库的报送中：{_shown(stray[0])}；请重新预览")
    checked = {}
    for key, files in wanted.items():
        try:
            checked[key] = check_uploads(files)
        except EvidenceRefused as exc:
            raise EvidenceRefused(f"{_shown(key)}：{exc}") from None
    return checked


def commit(caller: Caller | auth.Identity, draft: submissions.Draft,
           uploads: Uploads | None = None) -> tuple[submissions.Outcome, int]:
    """The report and its files in one transaction: (outcome, files stored). Files that fail their check
    refuse the whole commit before it starts (outcome.refused says which file and why)."""
    caller = as_caller(caller)
    try:
        checked = check(draft, uploads or {})
    except EvidenceRefused as exc:
        return submissions.Outcome(refused=str(exc)), 0
    if not checked:
        return submissions.commit(caller, draft), 0
    rows = {key_of(r): r for r in accepted_rows(draft.result)}

    def write_files(session: Session, submission_id: int) -> None:
        who = authorise(session, caller, auth.may_upload, "上传佐证材料")
        for key, files in checked.items():
            _store(session, who, key, files, submission_id, _department_of(rows[key], draft, who))

    outcome = submissions.commit(caller, draft, after=write_files)
    stored = sum(len(f) for f in checked.values()) if outcome.written else 0
    return outcome, stored


def attach(caller: Caller | auth.Identity, task_id: int, department: str, period_code: str,
           files: Sequence[tuple[str, bytes]]) -> list[int]:
    """补充佐证材料 to the task report in force of (task, department, period): the office, or a 填报员 of
    that department. Raises EvidenceRefused (file) or CommitRefused (who, which report); nothing written."""
    caller = as_caller(caller)
    if not files:
        raise EvidenceRefused("请选择要上传的佐证材料")
    checked = check_uploads(list(files))
    key = RowKey(TASK, str(int(task_id)), department, period_code)

    def write(session: Session, submission_id: int | None) -> list[int]:
        who = authorise(session, caller, auth.may_upload, "上传佐证材料")
        if not auth.may_administer(who) and who.department != department:
            raise CommitRefused(f"只能为本部门（{who.department or '无'}）的报送补充佐证材料，未写入")
        if submission_id is None:
            raise CommitRefused(f"任务{task_id}（{department}）{period_code} 没有已计入的报送，无处补充佐证材料；"
                                "请先报送进展")
        return _store(session, who, key, checked, submission_id, department)

    return evidence_db.with_report_in_force(int(task_id), department, period_code, write)


def task_files(task_id: int | None = None, department: str | None = None, period_code: str | None = None,
               submission_id: int | None = None) -> pd.DataFrame:
    """Files of task reports and values (without bytes), live ones and those of returned or withdrawn
    submissions (column live)."""
    return evidence_db.report_evidence(task_id, department, period_code, submission_id)


def _department_of(row: TaskRow | IndicatorRow, draft: submissions.Draft, who: auth.Identity) -> str | None:
    if isinstance(row, TaskRow):
        return row.department
    return row.department or draft.department or who.department


def _store(session: Session, who: auth.Identity, key: RowKey, files: list[CheckedFile], submission_id: int,
           department: str | None) -> list[int]:
    """Store the files of one cell (inside the caller's transaction); a 填报员 only for its department."""
    if not auth.may_administer(who) and department != who.department:
        raise CommitRefused(f"{_shown(key)} 不是本部门（{who.department or '无'}）的报送，不能附佐证材料，未写入")
    if key.kind == TASK:
        cell = {"task_id": int(key.item)}
    else:
        cell = {"target_id": key.item, "district_adcode": key.place or None}
    return evidence_db.add_cell_files(session, files, by=who.username, submission_id=submission_id,
                                      department=department, period_code=key.period, token=key.token,
                                      reopen_state=RETURNED, **cell)


def _shown(key: RowKey) -> str:
    if key.kind == TASK:
        return f"任务{key.item}（{key.place}，{key.period}）"
    districts = {d.adcode: d.name for d in submissions.plan_catalogue().districts}
    return f"{key.item}（{districts.get(key.place, '全市')}，{key.period}）"
