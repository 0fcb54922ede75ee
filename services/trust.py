"""Trustworthy data for the submission pipeline and the screens (issue 16): which cells a write may not
touch because their period is closed, the second look at new values, and the office's writes.

The submission pipeline (services/submissions.py) calls closed_cells() and second_look() between
checking and previewing; screens and the CLI call the writes below, which authorise inside their own
transaction (db.trust).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Sequence

import pandas as pd
from sqlmodel import Session

from core.importer.model import IndicatorRow, Problem, TaskRow
from core.period_lock import CLOSED_FIX, Closure, LockGrant, closed_reason, office_action, period_closed
from core.second_look import LookWarning, NewValue, previous_of
from core.second_look import second_look as look
from core.settings import Settings, load_settings
from core.status import TargetSpec
from db import queries
from db import trust as store

# The office's writes and the registration reads, for the screens and the CLI (each write authorises
# inside its own transaction).
from db.trust import (  # noqa: F401
    Actor,
    TrustRefused,
    baseline_history,
    baselines,
    completions_to_check,
    grant_lock_exception,
    lock_exceptions,
    progress_history,
    revoke_lock_exception,
    set_baseline,
    set_period_state,
    value_history,
    verify_task,
)


def _closures() -> list[Closure]:
    df = store.period_closures()
    return [Closure(r.period_code, r.action, r.at.to_pydatetime()) for r in df.itertuples()]


def _grants() -> list[LockGrant]:
    df = store.lock_exceptions()
    return [LockGrant(r.department, r.period_code, r.until.to_pydatetime(), revoked=not pd.isna(r.revoked_at))
            for r in df.itertuples()]


def closed_reason_for(period_code: str, department: str | None, when: datetime | None = None,
                      settings: Settings | None = None) -> str | None:
    """"2019Q4 已关闭（…）" when `department` may not write the period now; None when it may."""
    s = settings or load_settings()
    return closed_reason(period_code, department, when or datetime.now(timezone.utc), deadline_days=s.deadline_days,
                         close_days=s.close_days, closures=_closures(), exceptions=_grants())


def closed_cells(rows: Iterable[IndicatorRow | TaskRow], department: str | None, when: datetime | None = None,
                 settings: Settings | None = None, *,
                 facts: tuple[list[Closure], list[LockGrant]] | None = None) -> list[Problem]:
    """A Problem (sheet, cell, fix) for every row that writes a closed period. Task rows are judged for
    their own department, indicator rows for `department` (the writer's; for the office's file without
    one, the row's). `facts`: the office's actions and exceptions when the caller read them itself
    (closed_at_write); core.period_lock decides either way."""
    rows = list(rows)
    if not rows:  # nothing to write: no need to read the office's actions
        return []
    s = settings or load_settings()
    when = when or datetime.now(timezone.utc)
    closures, grants = facts if facts is not None else (_closures(), _grants())
    cache: dict[tuple[str, str | None], str | None] = {}
    out = []
    for r in rows:
        dept = r.department if isinstance(r, TaskRow) else (department or r.department or None)
        key = (r.period_code, dept)
        if key not in cache:
            cache[key] = closed_reason(r.period_code, dept, when, deadline_days=s.deadline_days,
                                       close_days=s.close_days, closures=closures, exceptions=grants)
        if cache[key]:
            out.append(Problem(r.sheet, f"A{r.row}", r.period_code, cache[key], CLOSED_FIX, row=r.row))
    return out


def closed_at_write(session: Session, rows: Iterable[IndicatorRow | TaskRow], department: str | None,
                    settings: Settings | None = None) -> list[Problem]:
    """closed_cells with the office's actions and lock exceptions read inside the write transaction
    `session` (services.submissions.commit): a period closed between preview and commit is still refused."""
    closures, grants = store.lock_facts_in(session)
    facts = ([Closure(p, a, at) for p, a, at in closures],
             [LockGrant(d, p, until, revoked=revoked) for d, p, until, revoked in grants])
    return closed_cells(rows, department, settings=settings, facts=facts)


def period_states(when: datetime | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """Every period with whether it is closed now and why (the 报告期管理 table and `period list`)."""
    s = settings or load_settings()
    when = when or datetime.now(timezone.utc)
    df = store.period_closures()
    closures = [Closure(r.period_code, r.action, r.at.to_pydatetime()) for r in df.itertuples()]
    # The demo's own opening of its last period is shown as such (演示数据), not as the office's act.
    demo = {(r.period_code, r.at.to_pydatetime()) for r in df.itertuples() if r.user_name == store.DEMO_USER}
    rows = []
    for code, deadline in zip(queries.periods()["code"], queries.periods()["deadline"]):
        closed, why = period_closed(code, when, deadline_days=s.deadline_days, close_days=s.close_days,
                                    closures=closures)
        action = office_action(code, when, closures)
        if action is not None and (code, action.at) in demo:
            why = store.DEMO_OPEN_REASON
        rows.append({"period_code": code, "deadline": deadline, "closed": closed, "why": why})
    return pd.DataFrame(rows, columns=["period_code", "deadline", "closed", "why"])


def second_look(rows: Sequence[IndicatorRow], values: pd.DataFrame | None = None,
                targets: pd.DataFrame | None = None, settings: Settings | None = None) -> list[LookWarning]:
    """Warnings that need a note (说明) for new indicator rows, against the values in force."""
    s = settings or load_settings()
    values = queries.current_values() if values is None else values
    targets = queries.targets() if targets is None else targets
    specs = {t["id"]: TargetSpec.from_row(t) for t in targets.to_dict("records")}
    new = [NewValue(r.target_id, r.district_adcode or "", r.period_code, r.value, r.sheet, r.row) for r in rows]
    cells = list(zip(values["target_id"], values["district_adcode"].fillna(""), values["period_code"],
                     values["value"]))
    before = {(v.target_id, v.district_adcode): v.period_code for v in new}
    known = {(t, d, p): v for t, d, p, v in cells if v is not None and not pd.isna(v)}
    return look(new, previous_of(cells, before), known, specs, s.change_warning_share)


def second_look_problems(warnings: Sequence[LookWarning]) -> list[Problem]:
    """The warnings as the importer's Problems (cell-level), for a preview that asks for a 说明."""
    return [Problem(w.sheet, f"A{w.row}" if w.row else "", w.target_id, w.message,
                    "如数据无误，请在备注（说明）中写明原因后提交", row=None) for w in warnings]


def review_frame(submission_id: int, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reviewer's view of a submission's indicator values: old value, target, change and the second
    look's warnings next to each new value (components.trust_review)."""
    from core.status import fmt, target_text
    from db.submission_reads import submission_values

    new = submission_values(submission_id)
    if new.empty:
        return pd.DataFrame(columns=["target_id", "district", "period_code", "old", "new", "change", "target",
                                     "warning"])
    targets = queries.targets()
    specs = {t["id"]: TargetSpec.from_row(t) for t in targets.to_dict("records")}
    values = queries.current_values() if values is None else values
    adcode = dict(zip(queries.districts()["name"], queries.districts()["adcode"]))  # 全市 has none
    rows = [IndicatorRow(r["target_id"], adcode.get(r["district"]), r["period_code"],
                         None if pd.isna(r["value"]) else float(r["value"]), "", "", "", i)
            for i, r in enumerate(new.to_dict("records"))]
    cells = list(zip(values["target_id"], values["district_adcode"].fillna(""), values["period_code"],
                     values["value"]))
    before = {(r.target_id, r.district_adcode or ""): r.period_code for r in rows}
    previous = previous_of(cells, before)
    warnings: dict[int, list[str]] = {}
    for w in second_look(rows, values, targets):
        warnings.setdefault(w.row, []).append(w.message)
    out = []
    for r in rows:
        spec = specs.get(r.target_id)
        unit = spec.unit if spec else ""
        old = previous.get((r.target_id, r.district_adcode or ""))
        change = None if old is None or r.value is None else r.value - old[1]
        out.append({"target_id": r.target_id, "district": new.iloc[r.row]["district"] or "全市",
                    "period_code": r.period_code,
                    "old": f"{fmt(old[1], unit)}（{old[0]}）" if old else "—", "new": fmt(r.value, unit),
                    "change": "—" if change is None else f"{change:+.2f}".rstrip("0").rstrip("."),
                    "target": target_text(spec) if spec else "", "warning": "；".join(warnings.get(r.row, []))})
    return pd.DataFrame(out)



def assignments(session: Session | None = None) -> dict[str, str]:
    """Targets 基期与责任备案 made a department responsible for (target id -> department): that
    department may report them too (core.auth.may_report_target). With `session`: read inside that
    write transaction, so an assignment removed after the preview refuses the commit."""
    return store.assignments(session)


def responsible_targets(department: str, targets: pd.DataFrame | None = None) -> frozenset[str]:
    """Targets a department answers for after 基期与责任备案 (its own leads minus those assigned away,
    plus those assigned to it): for core.auth.write_scope, so the charged department may report them."""
    targets = queries.targets() if targets is None else targets
    charged = targets["responsible_department"] if "responsible_department" in targets else targets["lead_department"]
    return frozenset(targets.loc[charged == department, "id"])
