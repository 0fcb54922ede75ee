"""Catalogue versions (issue 15, item 6): a revised catalogue applies from a period on, earlier periods
keep being judged by the version in force then.

Revision ID: 0010_catalogue_versions
Revises: 0008_trustworthy
Create Date: 2026-11-27

New table catalogue_version. The upgrade records the database's current catalogue as version 1,
applying from the plan's first period (the earliest period row), when the database holds targets with
their metadata (else the first catalogue sync records version 1).
The snapshot and its digest are frozen here (no import of core.catalogue_versions, which may change
later) and built exactly as core.catalogue_versions.snapshot/digest build them, so the next catalogue
sync of an unchanged catalogue finds the same digest and records nothing.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0010_catalogue_versions"
down_revision = "0008_trustworthy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("applies_from", sa.String(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("catalogue_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalogue_version_digest"), ["digest"], unique=False)
    _record_first_version(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("catalogue_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_version_digest"))
    op.drop_table("catalogue_version")


def _num(value):
    return None if value is None else float(value)


def _record_first_version(conn) -> None:
    targets = conn.execute(sa.text("""
        SELECT t.id, t.name, t.unit, t.comparator, t.target_value, t.target_max, t.target_year, t.kind,
               COALESCE(mt.qualifier, ''), d.name, t.lead_basis, t.source_clause
        FROM target t JOIN department d ON d.id = t.lead_department_id
        LEFT JOIN targetmeta mt ON mt.target_id = t.id""")).all()
    meta = conn.execute(sa.text("SELECT COUNT(*) FROM targetmeta")).scalar()
    if not targets or not meta:
        # An empty database, or one upgraded from before 0008 in one go (its 超过/左右 are not in targetmeta
        # until the next catalogue sync fills it): the first catalogue sync records version 1, from the
        # plan's first period, so no period is judged by a definition missing its qualifier.
        return
    snap_targets = {
        tid: {"name": str(name or ""), "unit": str(unit or ""), "comparator": str(comparator or ""),
              "target_value": _num(value), "target_max": _num(vmax), "target_year": int(year or 0),
              "kind": str(kind or ""), "qualifier": str(qualifier or ""), "lead_department": str(lead or ""),
              "lead_basis": str(basis or ""), "source_clause": str(clause or "")}
        for tid, name, unit, comparator, value, vmax, year, kind, qualifier, lead, basis, clause in targets}
    snap_tasks: dict[str, dict] = {}
    for tid, title in conn.execute(sa.text("SELECT id, title FROM task")).all():
        snap_tasks[str(int(tid))] = {"title": str(title), "lead_department": "", "participants": []}
    roles = conn.execute(sa.text("""
        SELECT td.task_id, d.name, td.role FROM taskdepartment td JOIN department d ON d.id = td.department_id
        ORDER BY td.task_id, td.sort_order""")).all()
    for tid, name, role in roles:
        entry = snap_tasks.get(str(int(tid)))
        if entry is None:
            continue
        if role == "牵头":
            entry["lead_department"] = entry["lead_department"] or str(name)
        else:
            entry["participants"].append(str(name))
    snap = {"targets": snap_targets, "tasks": snap_tasks}
    text = json.dumps(snap, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    first = conn.execute(sa.text("SELECT MIN(code) FROM period")).scalar() or "2018Q1"
    table = sa.table("catalogue_version", sa.column("digest"), sa.column("applies_from"),
                     sa.column("loaded_at", sa.DateTime(timezone=True)), sa.column("loaded_by"), sa.column("note"),
                     sa.column("snapshot"))
    conn.execute(table.insert().values(
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(), applies_from=first,
        loaded_at=datetime.now(timezone.utc), loaded_by="数据库升级", note="升级时数据库中的目录（第1版）",
        snapshot=json.dumps(snap, sort_keys=True, ensure_ascii=False)))
