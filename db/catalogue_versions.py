"""Catalogue versions in the database (issue 15, item 6): read them, record a new one inside the sync.

The rule of which version judges a period is core.catalogue_versions; here are the SQL and the write.
The reads that join targets or tasks to one period's values take them through targets_at / tasks_at /
roles_at, so a revised catalogue never re-judges earlier periods.
"""
from __future__ import annotations

import json

import pandas as pd
from sqlmodel import Session, select

from core.catalogue_versions import (
    Version,
    digest,
    parse_snapshot,
    roles_in_force,
    snapshot_json,
    targets_in_force,
    tasks_in_force,
)
from core.timeutil import CHINA_TZ
from db import models as m
from db import queries
from db.queries import _frame


def versions() -> tuple[Version, ...]:
    """Every recorded version, oldest first (one small select; the snapshots are parsed once per text)."""
    rows = _frame("SELECT id, digest, applies_from, loaded_at, loaded_by, note, snapshot "
                  "FROM catalogue_version ORDER BY id")
    loaded = pd.to_datetime(rows["loaded_at"], utc=True, format="mixed").dt.tz_convert(CHINA_TZ)
    return tuple(Version(int(r["id"]), r["digest"], r["applies_from"], parse_snapshot(r["snapshot"]),
                         None if pd.isna(at) else at.to_pydatetime(), r["loaded_by"] or "", r["note"] or "")
                 for r, at in zip(rows.to_dict("records"), loaded))


def targets_at(period: str) -> pd.DataFrame:
    """queries.targets() with every definition as in force at `period`."""
    return targets_in_force(queries.targets(), versions(), period)


def tasks_at(period: str) -> pd.DataFrame:
    """queries.tasks() with lead and participants as in force at `period`."""
    return tasks_in_force(queries.tasks(), versions(), period)


def roles_at(period: str) -> pd.DataFrame:
    """queries.task_departments() as in force at `period`."""
    return roles_in_force(queries.task_departments(), versions(), period)


def newest(session: Session) -> m.CatalogueVersion | None:
    return session.exec(select(m.CatalogueVersion).order_by(m.CatalogueVersion.id.desc()).limit(1)).first()


def newest_version(session: Session) -> Version | None:
    row = newest(session)
    return None if row is None else Version(row.id, row.digest, row.applies_from, parse_snapshot(row.snapshot))


def record(session: Session, snap: dict, applies_from: str, by: str, note: str = "",
           audit: bool = True) -> m.CatalogueVersion:
    """Append a version inside the caller's transaction (the catalogue sync's) and audit it (a revision;
    the first load of a catalogue is the database's set-up, not a revision)."""
    row = m.CatalogueVersion(digest=digest(snap), applies_from=applies_from, loaded_by=by, note=note,
                             snapshot=snapshot_json(snap))
    session.add(row)
    session.flush()
    if not audit:
        return row
    session.add(m.AuditLog(user_name=by, action="catalogue_version", detail=json.dumps(
        {"version": row.id, "applies_from": applies_from, "digest": row.digest, "note": note}, ensure_ascii=False)))
    return row
