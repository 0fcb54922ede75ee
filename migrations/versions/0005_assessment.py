"""年度考核 tables: a department's year, its 加分/扣分 items, 一票否决, appeals and the history of changes.

Revision ID: 0005_assessment
Revises: 0002_auditlog_user_at
Create Date: 2026-11-27

Written by autogenerate and reviewed: five new tables, nothing existing changes, so the upgrade
keeps every row and the downgrade drops only these tables. (The lead re-chains down_revision when
merging branches.)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_assessment'
down_revision = '0004_supervision'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annualassessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('self_score', sa.Float(), nullable=True),
    sa.Column('self_narrative', sa.Text(), nullable=False),
    sa.Column('self_by', sa.String(), nullable=False),
    sa.Column('self_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('findings_by', sa.String(), nullable=False),
    sa.Column('findings_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('decided_by', sa.String(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('frozen_quarters', sa.Text(), nullable=False),
    sa.Column('frozen_items', sa.Integer(), nullable=True),
    sa.Column('frozen_rollup', sa.Float(), nullable=True),
    sa.Column('final_score', sa.Float(), nullable=True),
    sa.Column('final_grade', sa.String(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('department_id', 'year', name='uq_annualassessment_department_year')
    )
    with op.batch_alter_table('annualassessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annualassessment_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annualassessment_year'), ['year'], unique=False)

    op.create_table('assessmentadjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.String(), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('withdrawn_by', sa.String(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['annualassessment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessmentadjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessmentadjustment_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('assessmenthistory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_name', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('admin_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['annualassessment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessmenthistory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessmenthistory_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('assessmentveto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.String(), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted', sa.Boolean(), nullable=False),
    sa.Column('lifted_by', sa.String(), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['annualassessment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessmentveto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessmentveto_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('assessmentappeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('adjustment_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('filed_by', sa.String(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by', sa.String(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['adjustment_id'], ['assessmentadjustment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('adjustment_id', name='uq_assessmentappeal_adjustment')
    )


def downgrade() -> None:
    op.drop_table('assessmentappeal')
    with op.batch_alter_table('assessmentveto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessmentveto_assessment_id'))

    op.drop_table('assessmentveto')
    with op.batch_alter_table('assessmenthistory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessmenthistory_assessment_id'))

    op.drop_table('assessmenthistory')
    with op.batch_alter_table('assessmentadjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessmentadjustment_assessment_id'))

    op.drop_table('assessmentadjustment')
    with op.batch_alter_table('annualassessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annualassessment_year'))
        batch_op.drop_index(batch_op.f('ix_annualassessment_department_id'))

    op.drop_table('annualassessment')
