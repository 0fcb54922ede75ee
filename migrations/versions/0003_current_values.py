"""Values in force kept on write: current_value and current_progress, filled from the log.

Revision ID: 0003_current_values
Revises: 0002_auditlog_user_at
Create Date: 2026-11-27

One row per cell in force (the newest row of a counted submission), maintained by db.current in
the transaction of every commit, undo, review and demo load/clear. Tables written by autogenerate;
the fill below is frozen here (it does not import db.current, which may change with later revisions)
and computes what db.current.rebuild computes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_current_values"
down_revision = "0002_auditlog_user_at"
branch_labels = None
depends_on = None

_FILL_VALUES = """
    INSERT INTO current_value (target_id, period_code, district_adcode, value_id, value, data_source, note,
                               submission_id, created_at, is_demo, user_name)
    SELECT v.target_id, v.period_code, COALESCE(v.district_adcode, ''), v.id, v.value, v.data_source, v.note,
           v.submission_id, v.created_at, s.is_demo, s.user_name
    FROM indicatorvalue v JOIN submission s ON s.id = v.submission_id
    WHERE v.id IN (
        SELECT MAX(iv.id) FROM indicatorvalue iv JOIN submission s0 ON s0.id = iv.submission_id
        WHERE s0.state IN ('committed', 'approved')
        GROUP BY iv.target_id, iv.period_code, iv.district_adcode)
"""
_FILL_PROGRESS = """
    INSERT INTO current_progress (task_id, department_id, period_code, progress_id, status, percent, narrative,
                                  problems, next_steps, submission_id, created_at, is_demo, user_name)
    SELECT p.task_id, p.department_id, p.period_code, p.id, p.status, p.percent, p.narrative, p.problems,
           p.next_steps, p.submission_id, p.created_at, s.is_demo, s.user_name
    FROM taskprogress p JOIN submission s ON s.id = p.submission_id
    WHERE p.id IN (
        SELECT MAX(tp.id) FROM taskprogress tp JOIN submission s0 ON s0.id = tp.submission_id
        WHERE s0.state IN ('committed', 'approved')
        GROUP BY tp.task_id, tp.period_code, tp.department_id)
"""


def upgrade() -> None:
    op.create_table(
        "current_progress",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("period_code", sa.String(), nullable=False),
        sa.Column("progress_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", "department_id", "period_code"),
    )
    with op.batch_alter_table("current_progress", schema=None) as batch_op:
        batch_op.create_index("ix_current_progress_department", ["department_id", "period_code"], unique=False)
        batch_op.create_index("ix_current_progress_period", ["period_code"], unique=False)

    op.create_table(
        "current_value",
        sa.Column("target_id", sa.String(), nullable=False),
        sa.Column("period_code", sa.String(), nullable=False),
        sa.Column("district_adcode", sa.String(), nullable=False),
        sa.Column("value_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("data_source", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("target_id", "period_code", "district_adcode"),
    )
    with op.batch_alter_table("current_value", schema=None) as batch_op:
        batch_op.create_index("ix_current_value_period", ["period_code"], unique=False)

    op.execute(_FILL_VALUES)
    op.execute(_FILL_PROGRESS)


def downgrade() -> None:
    with op.batch_alter_table("current_value", schema=None) as batch_op:
        batch_op.drop_index("ix_current_value_period")
    op.drop_table("current_value")
    with op.batch_alter_table("current_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_current_progress_period")
        batch_op.drop_index("ix_current_progress_department")
    op.drop_table("current_progress")
