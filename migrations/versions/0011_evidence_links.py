"""佐证材料 on task reports and indicator values (issue 16): each evidence file may name the cell it backs
(task, department, period — or target, district, period) and the submission it came with; the office's
完成核验 records the ids of the files it looked at instead of free text.

Revision ID: 0011_evidence_links
Revises: 0008_trustworthy
Create Date: 2026-11-27

New nullable columns on evidencefile (existing 督办 reply files keep NULL); taskverification's
free-text evidence_ref becomes evidence_ids (comma-separated evidencefile ids; an old free-text
reference cannot name a stored file, so it is not carried over). SQLite rebuilds both tables in batch mode.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_evidence_links"
down_revision = "0008_trustworthy"
branch_labels = None
depends_on = None

_LINKS = (
    ("submission_id", sa.Integer(), "submission", "id", True),
    ("task_id", sa.Integer(), "task", "id", True),
    ("target_id", sa.String(), "target", "id", True),
    ("district_adcode", sa.String(), "district", "adcode", False),
    ("period_code", sa.String(), "period", "code", False),
)


def upgrade() -> None:
    with op.batch_alter_table("evidencefile", schema=None) as batch_op:
        for name, type_, table, column, indexed in _LINKS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
            batch_op.create_foreign_key(f"fk_evidencefile_{name}", table, [name], [column])
            if indexed:
                batch_op.create_index(f"ix_evidencefile_{name}", [name], unique=False)
    with op.batch_alter_table("taskverification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_ids", sa.String(), nullable=False, server_default=""))
        batch_op.drop_column("evidence_ref")


def downgrade() -> None:
    with op.batch_alter_table("taskverification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_ref", sa.String(), nullable=False, server_default=""))
        batch_op.drop_column("evidence_ids")
    # Dropping a column drops its foreign key too (PostgreSQL; SQLite rebuilds the table without it).
    with op.batch_alter_table("evidencefile", schema=None) as batch_op:
        for name, _type, _table, _column, indexed in reversed(_LINKS):
            if indexed:
                batch_op.drop_index(f"ix_evidencefile_{name}")
            batch_op.drop_column(name)
