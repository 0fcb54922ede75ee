"""Write the plan catalogue into the database: insert new rows, update changed ones.

Rows that vanished from the CSVs are kept (values may refer to them) and reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from core import catalogue_versions as versions
from core.catalogue import Catalogue
from core.periods import period_range
from core.settings import load_settings
from db import catalogue_versions as db_versions
from db import models as m
from db.engine import bump_data_version, create_schema, session_scope


@dataclass
class SyncReport:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    only_in_database: dict[str, list[str]] = field(default_factory=dict)
    version: tuple[int, str] | None = None  # (number, applies_from) of a catalogue version recorded by this sync

    @property
    def changed(self) -> bool:
        return any(self.inserted.values()) or any(self.updated.values())

    def summary(self) -> str:
        parts = [f"{t}: 新增 {self.inserted.get(t, 0)}，更新 {self.updated.get(t, 0)}，未变 {self.unchanged.get(t, 0)}"
                 for t in self.inserted]
        for t, keys in self.only_in_database.items():
            if keys:
                parts.append(f"{t}: 目录中已无但数据库保留 {len(keys)} 条（{'、'.join(keys[:5])}）")
        if self.version:
            parts.append(f"目录版本: 记录第 {self.version[0]} 版，自 {self.version[1]} 起适用"
                         "（此前的报告期仍按原目录判定）")
        return "\n".join(parts)


def _upsert(session: Session, report: SyncReport, table: str, model, key: str, rows: list[dict]) -> None:
    existing = {getattr(o, key): o for o in session.exec(select(model)).all()}
    ins = upd = same = 0
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            session.add(model(**row))
            ins += 1
        elif any(getattr(obj, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(obj, k, v)
            upd += 1
        else:
            same += 1
    report.inserted[table], report.updated[table], report.unchanged[table] = ins, upd, same
    wanted = {r[key] for r in rows}
    report.only_in_database[table] = sorted(str(k) for k in existing if k not in wanted)


def sync_catalogue(catalogue: Catalogue, plan_dir: Path | None = None, by: str = "系统") -> SyncReport:
    """plan_dir: the plan's folder, for plan.toml's [catalogue] revised_from (None: applies from today's
    quarter when the catalogue changed). by: who loaded it (the audit log's name)."""
    create_schema()
    report = SyncReport()
    settings = load_settings()
    # Slow work before the write transaction: the snapshot, its digest, plan.toml.
    snap = versions.snapshot(catalogue)
    given = versions.revised_from(plan_dir)
    span = versions.plan_periods(plan_dir, (settings.first_period, settings.last_period))
    with session_scope() as session:
        _record_version(session, report, snap, given, span, by)
        _upsert(session, report, "部门", m.Department, "name", [
            {"name": d.name, "kind": d.kind, "aliases": "|".join(d.aliases), "sort_order": d.order}
            for d in catalogue.departments
        ])
        session.flush()
        dept_id = {d.name: d.id for d in session.exec(select(m.Department)).all()}
        _upsert(session, report, "任务", m.Task, "id", [
            {"id": t.id, "title": t.title, "measure": t.measure, "content": t.content} for t in catalogue.tasks
        ])
        _sync_task_departments(session, report, catalogue, dept_id)
        _upsert(session, report, "区县", m.District, "adcode", [
            {"adcode": d.adcode, "name": d.name, "kind": d.kind, "sort_order": d.order} for d in catalogue.districts
        ])
        session.flush()
        adcode = {d.name: d.adcode for d in catalogue.districts}
        _upsert(session, report, "指标", m.Target, "id", [
            {"id": t.id, "category": t.category, "name": t.name, "unit": t.unit, "comparator": t.comparator,
             "target_value": t.target_value, "target_max": t.target_max, "target_year": t.target_year,
             "kind": t.kind, "task_id": t.task_id, "lead_department_id": dept_id[t.lead_department],
             "lead_basis": t.lead_basis, "district_breakdown": t.district_breakdown, "baseline": t.baseline,
             "source_clause": t.source_clause, "sort_order": t.order}
            for t in catalogue.targets
        ])
        _sync_target_meta(session, report, catalogue)
        _upsert(session, report, "地点", m.Place, "id", [
            {"id": p.id, "name": p.name, "district_adcode": adcode[p.district], "task_id": p.task_id,
             "lon": p.lon, "lat": p.lat, "approximate": p.approximate, "source_clause": p.source_clause}
            for p in catalogue.places
        ])
        _upsert(session, report, "报告期", m.Period, "code", [
            {"code": p.code, "year": p.year, "quarter": p.quarter, "start_date": p.start, "end_date": p.end,
             "deadline": p.deadline(settings.deadline_days)}
            for p in period_range(settings.first_period, settings.last_period)
        ])
        if report.changed:
            bump_data_version(session)
    return report


def _record_version(session: Session, report: SyncReport, snap: dict, given: str, span: tuple[str, str],
                    by: str) -> None:
    """A catalogue that differs from the newest version becomes a new version (issue 15, item 6), applying
    from plan.toml's revised_from, else from today's quarter; the first one from the plan's first period.
    Recorded in the sync's transaction, before the rows change: an invalid revised_from writes nothing."""
    newest = db_versions.newest_version(session)
    if newest is not None and newest.digest == versions.digest(snap):
        return
    start = versions.applies_from(*span, newest, given)
    note = "首次载入的目录（第1版）" if newest is None else f"修订的目录，自 {start} 起适用"
    row = db_versions.record(session, snap, start, by, note, audit=newest is not None)
    report.version = (row.id, start)


def _sync_target_meta(session: Session, report: SyncReport, catalogue: Catalogue) -> None:
    """Indicator metadata (超过/左右, 口径, data source, frequency; issue 16)."""
    session.flush()
    _upsert(session, report, "指标说明", m.TargetMeta, "target_id", [
        {"target_id": t.id, "qualifier": t.qualifier, "definition": t.definition, "data_source": t.data_source,
         "frequency": t.frequency}
        for t in catalogue.targets
    ])


def _sync_task_departments(session: Session, report: SyncReport, catalogue: Catalogue, dept_id: dict[str, int]) -> None:
    wanted = {}
    for t in catalogue.tasks:
        wanted[(t.id, dept_id[t.lead_department])] = ("牵头", 0)
        for i, p in enumerate(t.participants, 1):
            wanted[(t.id, dept_id[p])] = ("参与", i)
    existing = {(o.task_id, o.department_id): o for o in session.exec(select(m.TaskDepartment)).all()}
    ins = upd = same = 0
    for key, (role, order) in wanted.items():
        obj = existing.pop(key, None)
        if obj is None:
            session.add(m.TaskDepartment(task_id=key[0], department_id=key[1], role=role, sort_order=order))
            ins += 1
        elif (obj.role, obj.sort_order) != (role, order):
            obj.role, obj.sort_order = role, order
            upd += 1
        else:
            same += 1
    # A department dropped from a task in the plan no longer answers for it.
    for obj in existing.values():
        session.delete(obj)
        upd += 1
    report.inserted["任务分工"], report.updated["任务分工"], report.unchanged["任务分工"] = ins, upd, same
    report.only_in_database["任务分工"] = []
