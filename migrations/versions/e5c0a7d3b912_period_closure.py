"""period_closure: a study period closed for one class or the whole school, and reopened

Issue 10, item 4 (JRN-8: a closed period is read-only).

Revision ID: e5c0a7d3b912
Revises: e5b1c7d2a940
Create Date: 2026-11-29 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5c0a7d3b912'
down_revision = 'e5b1c7d2a940'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'period_closure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reopened_by_id', sa.Integer(), nullable=True),
        sa.Column('reopen_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['class_group.id'], name=op.f('fk_period_closure_class_id_class_group')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_period_closure_closed_by_id_user')),
        sa.ForeignKeyConstraint(['period_id'], ['study_period.id'], name=op.f('fk_period_closure_period_id_study_period')),
        sa.ForeignKeyConstraint(['reopened_by_id'], ['user.id'], name=op.f('fk_period_closure_reopened_by_id_user')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_period_closure_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_period_closure')),
    )
    with op.batch_alter_table('period_closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_closure_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_period_closure_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_period_closure_period_class', ['period_id', 'class_id'], unique=False)


def downgrade():
    with op.batch_alter_table('period_closure', schema=None) as batch_op:
        batch_op.drop_index('ix_period_closure_period_class')
        batch_op.drop_index(batch_op.f('ix_period_closure_school_id'))
        batch_op.drop_index(batch_op.f('ix_period_closure_class_id'))
    op.drop_table('period_closure')
