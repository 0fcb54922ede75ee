"""Security (issue 14): login throttle counters; withdrawn meeting decisions and snapshots.

Revision ID: 0006_security
Revises: 0002_auditlog_user_at
Create Date: 2026-11-27

loginthrottle: attempts per source, per account and source, and per account, counted by one atomic
upsert in db.users.login (it holds under concurrent wrong passwords on PostgreSQL too).
decision/meetingsnapshot: withdrawn_at/by/reason, so the office can withdraw a wrong record with a
reason while it stays in history. The new text columns get a server default "" so existing rows
are valid on both databases (SQLite rebuilds the tables in batch mode).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_security"
down_revision = "0005_assessment"
branch_labels = None
depends_on = None

_WITHDRAWN = ("decision", "meetingsnapshot")


def upgrade() -> None:
    op.create_table(
        "loginthrottle",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("loginthrottle", schema=None) as batch_op:
        batch_op.create_index("ix_loginthrottle_account", ["account"], unique=False)
    for table in _WITHDRAWN:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("withdrawn_by", sa.String(), nullable=False, server_default=""))
            batch_op.add_column(sa.Column("withdraw_reason", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    for table in _WITHDRAWN:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("withdraw_reason")
            batch_op.drop_column("withdrawn_by")
            batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("loginthrottle", schema=None) as batch_op:
        batch_op.drop_index("ix_loginthrottle_account")
    op.drop_table("loginthrottle")
