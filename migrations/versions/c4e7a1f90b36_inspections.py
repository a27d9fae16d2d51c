"""inspections: inspections of journal keeping and their remarks (issue 12, REP-3)

Revision ID: c4e7a1f90b36
Revises: a9c41e2b7d10
Create Date: 2026-11-29 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a1f90b36'
down_revision = 'a9c41e2b7d10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'inspection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('inspector_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('scope', sa.Text(), nullable=False),
        sa.Column('correct_by', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('methodist', 'deputy', 'director')", name=op.f('ck_inspection_kind_known')),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_inspection_status_known')),
        sa.ForeignKeyConstraint(['assignment_id'], ['teaching_assignment.id'], name=op.f('fk_inspection_assignment_id_teaching_assignment')),
        sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_inspection_inspector_id_user')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_inspection_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index('ix_inspection_assignment_kind_date', ['assignment_id', 'kind', 'date'], unique=False)
    op.create_table(
        'inspection_remark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('item', sa.String(length=200), nullable=False),
        sa.Column('remark', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('corrected_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'corrected', 'confirmed')", name=op.f('ck_inspection_remark_status_known')),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_inspection_remark_confirmed_by_id_user')),
        sa.ForeignKeyConstraint(['corrected_by_id'], ['user.id'], name=op.f('fk_inspection_remark_corrected_by_id_user')),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_remark_inspection_id_inspection'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_remark')),
    )
    with op.batch_alter_table('inspection_remark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_remark_inspection_id'), ['inspection_id'], unique=False)


def downgrade():
    with op.batch_alter_table('inspection_remark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_remark_inspection_id'))
    op.drop_table('inspection_remark')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_assignment_kind_date')
        batch_op.drop_index(batch_op.f('ix_inspection_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_school_id'))
    op.drop_table('inspection')
