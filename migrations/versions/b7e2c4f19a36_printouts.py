"""printouts: certified printed documents with their verification codes (issue 12, item 4; REP-4)

Revision ID: b7e2c4f19a36
Revises: c4e7a1f90b36
Create Date: 2026-11-29 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c4f19a36'
down_revision = 'c4e7a1f90b36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'printout',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('period', sa.String(length=200), nullable=False),
        sa.Column('of', sa.JSON(), nullable=False),
        sa.Column('printed_by_id', sa.Integer(), nullable=True),
        sa.Column('printed_by_name', sa.String(length=200), nullable=False),
        sa.Column('printed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['printed_by_id'], ['user.id'], name=op.f('fk_printout_printed_by_id_user')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_printout_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_printout')),
        sa.UniqueConstraint('code', name=op.f('uq_printout_code')),
    )
    with op.batch_alter_table('printout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_printout_printed_by_id'), ['printed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_printout_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('printout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_printout_school_id'))
        batch_op.drop_index(batch_op.f('ix_printout_printed_by_id'))
    op.drop_table('printout')
