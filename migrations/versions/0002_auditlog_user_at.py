"""Index auditlog(user_name, at) for the audit log filters.

Revision ID: 0002_auditlog_user_at
Revises: 0001_baseline
Create Date: 2026-11-26

The admin page filters the audit log by person and by day (db.audit.audit_log) and lists the
people in it (audit_users, SELECT DISTINCT user_name); both scanned the whole table. Written by
autogenerate; batch mode is a plain CREATE INDEX on SQLite too (no table rebuild).
"""
from __future__ import annotations

from alembic import op

revision = "0002_auditlog_user_at"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.create_index("ix_auditlog_user_at", ["user_name", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_index("ix_auditlog_user_at")
