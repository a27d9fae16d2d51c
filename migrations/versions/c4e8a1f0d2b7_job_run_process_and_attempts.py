"""job_run: the process that runs it (host, pid) and the number of attempts

A run left 'running' by a process that is gone is marked failed when the scheduler starts,
and its slot may be claimed again (issue 8, item 13).

Revision ID: c4e8a1f0d2b7
Revises: 7bf5b3548799
Create Date: 2026-11-29 05:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f0d2b7'
down_revision = '7bf5b3548799'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('pid')
        batch_op.drop_column('host')
