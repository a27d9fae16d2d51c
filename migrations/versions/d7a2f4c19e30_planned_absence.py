"""planned_absence: the class teacher's attendance for a whole day or a range of days

Carried into each lesson of those days when it is opened (issue 9, item 4).

Revision ID: d7a2f4c19e30
Revises: c3a91d5e7f20
Create Date: 2026-11-29 06:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a2f4c19e30'
down_revision = 'c3a91d5e7f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'planned_absence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('date_from', sa.Date(), nullable=False),
        sa.Column('date_to', sa.Date(), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('absence_note_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('is_deleted', sa.Boolean(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deleted_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("code IN ('absent', 'ill', 'excused', 'unexcused')", name=op.f('ck_planned_absence_code_known')),
        sa.CheckConstraint('date_from <= date_to', name=op.f('ck_planned_absence_dates_ordered')),
        sa.ForeignKeyConstraint(['absence_note_id'], ['absence_note.id'], name=op.f('fk_planned_absence_absence_note_id_absence_note')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_planned_absence_created_by_id_user')),
        sa.ForeignKeyConstraint(['deleted_by_id'], ['user.id'], name=op.f('fk_planned_absence_deleted_by_id_user')),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_planned_absence_school_id_school')),
        sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_planned_absence_student_id_student')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_absence')),
    )
    with op.batch_alter_table('planned_absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planned_absence_absence_note_id'), ['absence_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_absence_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_planned_absence_student_dates', ['student_id', 'date_from', 'date_to'], unique=False)


def downgrade():
    with op.batch_alter_table('planned_absence', schema=None) as batch_op:
        batch_op.drop_index('ix_planned_absence_student_dates')
        batch_op.drop_index(batch_op.f('ix_planned_absence_school_id'))
        batch_op.drop_index(batch_op.f('ix_planned_absence_absence_note_id'))
    op.drop_table('planned_absence')
