"""enrolment_event: the kind "graduate" (выпуск)

The eleventh grade leaves the school at the end of the year by the director's order when the
next year is opened from the current one (issue 10, item 5). Graduation is its own kind, not a
withdrawal (выбытие) with a note: the alphabetical book and the reports count them apart.

Revision ID: e3b9d51a7c08
Revises: d7a2f4c19e30
Create Date: 2026-11-29 09:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3b9d51a7c08'
down_revision = 'd7a2f4c19e30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolment_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_enrolment_event_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', "kind IN ('enrol', 'transfer', 'withdraw', 'graduate')")


def downgrade():
    op.execute("DELETE FROM enrolment_event WHERE kind = 'graduate'")
    with op.batch_alter_table('enrolment_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_enrolment_event_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', "kind IN ('enrol', 'transfer', 'withdraw')")
