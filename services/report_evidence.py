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
from sqlalchemy import select
from sqlmodel import Session

from core import auth
from core.evidence import CheckedFile, EvidenceRefused
from core.importer.model import IndicatorRow, Problem, TaskRow
from core.report_evidence import TASK, RowKey, accepted_rows, completion_flags, key_of, unknown_keys
from core.status import RETURNED
from db import evidence as evidence_db
from db import models as m
from db.engine import bump_data_version, session_scope
from db.imports import CommitRefused
from db.users import audit
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


def rows_for(draft: submissions.Draft) -> list[Row]:
    """The draft's kept rows, complete task reports first (they need files), then the other rows."""
    cat = submissions.plan_catalogue()
    tasks = {t.id: t.title for t in cat.tasks}
    targets = {t.id: t.name for t in cat.targets}
    districts = {d.adcode: d.name for d in cat.districts}
    out = []
    for r in accepted_rows(draft.result):
        if isinstance(r, TaskRow):
            label = f"任务{r.task_id} {tasks.get(r.task_id, '')} · {r.department} · {r.period_code}（{r.status}）"
            complete = r.status == "已完成" or (r.percent is not None and r.percent >= 100)
        else:
            label = f"{r.target_id} {targets.get(r.target_id, '')} · {districts.get(r.district_adcode or '', '全市')}" \
                    f" · {r.period_code}"
            complete = False
        out.append(Row(key_of(r), f"{r.sheet}!A{r.row}", label, complete))
    return sorted(out, key=lambda x: not x.complete)


def flags(draft: submissions.Draft, attached: set[RowKey]) -> list[Problem]:
    """Cell-level flags of the preview: a complete task report without a percent or without files."""
    return completion_flags(draft.result, attached)


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
    with session_scope() as session:
        who = authorise(session, caller, auth.may_upload, "上传佐证材料")
        if not auth.may_administer(who) and who.department != department:
            raise CommitRefused(f"只能为本部门（{who.department or '无'}）的报送补充佐证材料，未写入")
        dept_id = session.execute(select(m.Department.id).where(m.Department.name == department)).scalar()
        in_force = None if dept_id is None else session.get(m.CurrentProgress, (int(task_id), dept_id, period_code))
        if in_force is None:
            raise CommitRefused(f"任务{task_id}（{department}）{period_code} 没有已计入的报送，无处补充佐证材料；"
                                "请先报送进展")
        ids = _store(session, who, RowKey(TASK, str(int(task_id)), department, period_code), checked,
                     in_force.submission_id, department)
        bump_data_version(session)
        return ids


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
    if not auth.may_administer(who) and department != who.department:
        raise CommitRefused(f"{_shown(key)} 不是本部门（{who.department or '无'}）的报送，不能附佐证材料，未写入")
    dept_id = session.execute(select(m.Department.id).where(m.Department.name == department)).scalar() \
        if department else None
    cell = {"submission_id": submission_id, "period_code": key.period}
    if key.kind == TASK:
        cell["task_id"] = int(key.item)
        kind = evidence_db.TASK_REPORT
    else:
        cell["target_id"], cell["district_adcode"] = key.item, key.place or None
        kind = evidence_db.INDICATOR_VALUE
    ids = evidence_db.add_files(session, files, owner_kind=kind, owner_id=submission_id, by=who.username,
                                department_id=dept_id, **cell)
    audit(session, who.username, "evidence_add", submission_id=submission_id, cell=key.token,
          files=[{"id": i, "name": f.filename, "sha256": f.sha256} for i, f in zip(ids, files)])
    if key.kind == TASK and dept_id is not None:
        _reopen_returned(session, who, int(key.item), dept_id, key.period)
    return ids


def _reopen_returned(session: Session, who: auth.Identity, task_id: int, dept_id: int, period_code: str) -> None:
    """New files for a report the office returned: it waits for the office's check again (待核验)."""
    check_row = session.execute(select(m.TaskVerification).where(
        m.TaskVerification.task_id == task_id, m.TaskVerification.department_id == dept_id,
        m.TaskVerification.period_code == period_code)).scalar()
    if check_row is not None and check_row.state == RETURNED:
        check_row.state = ""
        audit(session, who.username, "task_verify_reopen", task=task_id, period=period_code,
              returned_reason=check_row.reason)


def _shown(key: RowKey) -> str:
    if key.kind == TASK:
        return f"任务{key.item}（{key.place}，{key.period}）"
    districts = {d.adcode: d.name for d in submissions.plan_catalogue().districts}
    return f"{key.item}（{districts.get(key.place, '全市')}，{key.period}）"
