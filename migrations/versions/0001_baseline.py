"""Baseline: the schema exactly as SQLModel.metadata.create_all built it before migrations existed.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-26

Written by autogenerate, then reviewed by hand and reshaped into one MetaData so that
db.migrations can also compare a database made by the old create_all path against the
baseline (and add tables it predates) before stamping it. The tables are frozen here:
they never change with db/models.py. sqlmodel's AutoString/UTCDateTime appear as the plain
types they emit (VARCHAR, TIMESTAMP WITH TIME ZONE), so the file does not depend on sqlmodel.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def baseline_metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "appmeta", md,
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    sa.Table(
        "auditlog", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_auditlog_action", "action"),
        sa.Index("ix_auditlog_at", "at"),
    )
    sa.Table(
        "department", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("aliases", sa.String(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_department_name", "name", unique=True),
    )
    sa.Table(
        "district", md,
        sa.Column("adcode", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("adcode"),
        sa.UniqueConstraint("name"),
    )
    sa.Table(
        "period", md,
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    sa.Table(
        "task", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("measure", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    sa.Table(
        "app_user", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_app_user_username", "username", unique=True),
    )
    sa.Table(
        "meetingsnapshot", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("period_code", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["period_code"], ["period.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_meetingsnapshot_meeting_date", "meeting_date"),
    )
    sa.Table(
        "place", md,
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("district_adcode", sa.String(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("source_clause", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["district_adcode"], ["district.adcode"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    sa.Table(
        "submission", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("period_code", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("reviewed_by", sa.String(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.String(), nullable=False),
        sa.Column("undone_by", sa.String(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["period_code"], ["period.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_submission_created_at", "created_at"),
        sa.Index("ix_submission_department_id", "department_id"),
        sa.Index("ix_submission_sha256", "sha256"),
        sa.Index("ix_submission_state", "state"),
    )
    sa.Table(
        "target", md,
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("comparator", sa.String(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_max", sa.Float(), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("lead_department_id", sa.Integer(), nullable=False),
        sa.Column("lead_basis", sa.String(), nullable=False),
        sa.Column("district_breakdown", sa.Boolean(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("source_clause", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lead_department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    sa.Table(
        "taskdepartment", md,
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("task_id", "department_id"),
    )
    sa.Table(
        "decision", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_snapshot_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_snapshot_id"], ["meetingsnapshot.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_decision_meeting_snapshot_id", "meeting_snapshot_id"),
        sa.Index("ix_decision_task_id", "task_id"),
    )
    sa.Table(
        "indicatorvalue", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.Column("district_adcode", sa.String(), nullable=True),
        sa.Column("period_code", sa.String(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("data_source", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["district_adcode"], ["district.adcode"]),
        sa.ForeignKeyConstraint(["period_code"], ["period.code"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.ForeignKeyConstraint(["target_id"], ["target.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_indicatorvalue_submission_id", "submission_id"),
        sa.Index("ix_value_cell", "target_id", "period_code", "district_adcode"),
    )
    sa.Table(
        "submissionfile", md,
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("mime", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    sa.Table(
        "taskprogress", md,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("period_code", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["period_code"], ["period.code"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_progress_cell", "task_id", "period_code", "department_id"),
        sa.Index("ix_taskprogress_submission_id", "submission_id"),
    )
    sa.Table(
        "usersession", md,
        sa.Column("token_digest", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("token_digest"),
        sa.Index("ix_usersession_user_id", "user_id"),
    )
    return md


def upgrade() -> None:
    for table in baseline_metadata().sorted_tables:
        op.get_context().impl.create_table(table)  # the table and its indexes, as create_all emits them


def downgrade() -> None:
    for table in reversed(baseline_metadata().sorted_tables):
        op.drop_table(table.name)
