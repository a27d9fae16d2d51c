"""bell sets per shift, grades and variant; the class's shift; shortened days

The school enters its own bells (issue 10, item 1): the rows there are become the 1st shift's,
for every grade, on a normal day.

Revision ID: e5b1c7d2a940
Revises: e3b8c5d21f47
Create Date: 2026-11-29 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b1c7d2a940'
down_revision = 'e3b8c5d21f47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bell_schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shift', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('grade_from', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('grade_to', sa.Integer(), server_default='11', nullable=False))
        batch_op.add_column(sa.Column('variant', sa.String(length=10), server_default='normal', nullable=False))
        batch_op.drop_constraint('uq_bell_schedule_school_id_lesson_number', type_='unique')
        batch_op.create_unique_constraint(
            'uq_bell_schedule_set_lesson',
            ['school_id', 'shift', 'grade_from', 'grade_to', 'variant', 'lesson_number'],
        )
        batch_op.create_check_constraint(op.f('ck_bell_schedule_shift_known'), 'shift IN (1, 2)')
        batch_op.create_check_constraint(
            op.f('ck_bell_schedule_grades_range'), 'grade_from BETWEEN 1 AND 11 AND grade_to BETWEEN grade_from AND 11'
        )
        batch_op.create_check_constraint(op.f('ck_bell_schedule_variant_known'), "variant IN ('normal', 'short')")

    with op.batch_alter_table('class_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shift', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_class_group_shift_known'), 'shift IN (1, 2)')

    op.create_table(
        'shortened_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_shortened_day_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shortened_day')),
        sa.UniqueConstraint('school_id', 'date', name=op.f('uq_shortened_day_school_id_date')),
    )
    with op.batch_alter_table('shortened_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shortened_day_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('shortened_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shortened_day_school_id'))
    op.drop_table('shortened_day')

    with op.batch_alter_table('class_group', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_class_group_shift_known'), type_='check')
        batch_op.drop_column('shift')

    # Only the 1st shift's normal bells for every grade fit the old one-set table.
    op.execute(
        "DELETE FROM bell_schedule WHERE shift <> 1 OR grade_from <> 1 OR grade_to <> 11 OR variant <> 'normal'"
    )
    with op.batch_alter_table('bell_schedule', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_bell_schedule_variant_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_bell_schedule_grades_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_bell_schedule_shift_known'), type_='check')
        batch_op.drop_constraint('uq_bell_schedule_set_lesson', type_='unique')
        batch_op.create_unique_constraint('uq_bell_schedule_school_id_lesson_number', ['school_id', 'lesson_number'])
        batch_op.drop_column('variant')
        batch_op.drop_column('grade_to')
        batch_op.drop_column('grade_from')
        batch_op.drop_column('shift')
