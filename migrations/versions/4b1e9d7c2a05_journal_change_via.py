"""journal change: where a change came from (a distance assignment, an electronic test)

Revision ID: 4b1e9d7c2a05
Revises: 8547ca316e06
Create Date: 2026-11-29 19:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '4b1e9d7c2a05'
down_revision = '8547ca316e06'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journal_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=20), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('journal_change', schema=None) as batch_op:
        batch_op.drop_column('via')
