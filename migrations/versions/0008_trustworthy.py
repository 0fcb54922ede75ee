"""Trustworthy data (issue 16): indicator metadata, 基期与责任备案 with its history, 报告期关闭 with
lock exceptions, and the office's check of complete task reports (完成核验).

Revision ID: 0008_trustworthy
Revises: 0002_auditlog_user_at
Create Date: 2026-11-27

New tables only (no existing table is rewritten). Written by autogenerate and reviewed.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_trustworthy'
down_revision = "0006_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lockexception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('period_code', sa.String(), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('granted_by', sa.String(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('revoked_by', sa.String(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['period_code'], ['period.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lockexception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lockexception_department_id'), ['department_id'], unique=False)

    op.create_table('periodclosure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_code', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_name', sa.String(), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['period_code'], ['period.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('periodclosure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_periodclosure_period_code'), ['period_code'], unique=False)

    op.create_table('taskverification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('period_code', sa.String(), nullable=False),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('evidence_ref', sa.String(), nullable=False),
    sa.Column('user_name', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['period_code'], ['period.code'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('taskverification', schema=None) as batch_op:
        batch_op.create_index('ux_taskverification_cell', ['task_id', 'department_id', 'period_code'], unique=True)

    op.create_table('targetbaseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.String(), nullable=False),
    sa.Column('district_adcode', sa.String(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('responsible_department_id', sa.Integer(), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['responsible_department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('targetbaseline', schema=None) as batch_op:
        batch_op.create_index('ux_targetbaseline_cell', ['target_id', 'district_adcode'], unique=True)

    op.create_table('targetbaselinechange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.String(), nullable=False),
    sa.Column('district_adcode', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_name', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('targetbaselinechange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targetbaselinechange_target_id'), ['target_id'], unique=False)

    op.create_table('targetmeta',
    sa.Column('target_id', sa.String(), nullable=False),
    sa.Column('qualifier', sa.String(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('data_source', sa.String(), nullable=False),
    sa.Column('frequency', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], ),
    sa.PrimaryKeyConstraint('target_id')
    )


def downgrade() -> None:
    op.drop_table('targetmeta')
    with op.batch_alter_table('targetbaselinechange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targetbaselinechange_target_id'))

    op.drop_table('targetbaselinechange')
    with op.batch_alter_table('targetbaseline', schema=None) as batch_op:
        batch_op.drop_index('ux_targetbaseline_cell')

    op.drop_table('targetbaseline')
    with op.batch_alter_table('taskverification', schema=None) as batch_op:
        batch_op.drop_index('ux_taskverification_cell')

    op.drop_table('taskverification')
    with op.batch_alter_table('periodclosure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_periodclosure_period_code'))

    op.drop_table('periodclosure')
    with op.batch_alter_table('lockexception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lockexception_department_id'))

    op.drop_table('lockexception')
