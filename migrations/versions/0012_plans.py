"""Plans (issue 15): a database says which plan (方案) it holds and whether that plan is archived.

Revision ID: 0012_plans
Revises: 0011_evidence_links
Create Date: 2026-11-27

One database per plan (db.engine): a database from before plans existed holds the 2018–2020 plan, so it
is recorded as that plan (appmeta plan_id, unless one is there already) and active (appmeta plan_status).
No table changes and no existing row is changed: two appmeta rows are added where missing.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_plans"
down_revision = "0011_evidence_links"
branch_labels = None
depends_on = None

FIRST_PLAN = "2018-2020"  # core.paths.DEFAULT_PLAN_ID, frozen here as migrations are
_FACTS = (("plan_id", FIRST_PLAN), ("plan_status", "active"))


def upgrade() -> None:
    conn = op.get_bind()
    for key, value in _FACTS:
        present = conn.execute(sa.text("SELECT 1 FROM appmeta WHERE key = :key"), {"key": key}).first()
        if present is None:
            conn.execute(sa.text("INSERT INTO appmeta (key, value) VALUES (:key, :value)"),
                         {"key": key, "value": value})


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM appmeta WHERE key IN ('plan_id', 'plan_status')"))
