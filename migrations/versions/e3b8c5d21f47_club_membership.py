"""club_membership: students of additional-education groups from any class

A student stays in their one class (class_membership) and may attend any number of clubs
(issue 10, item 7).

Revision ID: e3b8c5d21f47
Revises: e3b9d51a7c08
Create Date: 2026-11-29 09:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b8c5d21f47'
down_revision = 'e3b9d51a7c08'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'club_membership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('since', sa.Date(), nullable=False),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('until IS NULL OR since <= until', name=op.f('ck_club_membership_dates_ordered')),
        sa.ForeignKeyConstraint(['group_id'], ['class_group.id'], name=op.f('fk_club_membership_group_id_class_group')),
        sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_club_membership_student_id_student')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_club_membership')),
    )
    with op.batch_alter_table('club_membership', schema=None) as batch_op:
        batch_op.create_index('ix_club_membership_group_student', ['group_id', 'student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_club_membership_student_id'), ['student_id'], unique=False)


def downgrade():
    with op.batch_alter_table('club_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_club_membership_student_id'))
        batch_op.drop_index('ix_club_membership_group_student')
    op.drop_table('club_membership')
