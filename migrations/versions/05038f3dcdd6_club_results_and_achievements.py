"""Additional-education groups (JRN-9): the form of results, results per period, achievements

Revision ID: 05038f3dcdd6
Revises: a22a16471d9a
Create Date: 2026-11-29 19:33:21.894503

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '05038f3dcdd6'
down_revision = 'a22a16471d9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('club_result_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('levels', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("form IN ('pass_fail', 'level', 'text')", name=op.f('ck_club_result_form_form_known')),
    sa.ForeignKeyConstraint(['group_id'], ['class_group.id'], name=op.f('fk_club_result_form_group_id_class_group')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_club_result_form_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_club_result_form')),
    sa.UniqueConstraint('group_id', name=op.f('uq_club_result_form_group_id'))
    )
    op.create_table('club_achievement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=300), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('result', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.CheckConstraint("level IN ('school', 'municipal', 'regional', 'federal', 'international')", name=op.f('ck_club_achievement_level_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_club_achievement_created_by_id_user')),
    sa.ForeignKeyConstraint(['group_id'], ['class_group.id'], name=op.f('fk_club_achievement_group_id_class_group')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_club_achievement_student_id_student')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_club_achievement'))
    )
    with op.batch_alter_table('club_achievement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_club_achievement_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_club_achievement_student_id'), ['student_id'], unique=False)

    op.create_table('club_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=1000), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['class_group.id'], name=op.f('fk_club_result_group_id_class_group')),
    sa.ForeignKeyConstraint(['period_id'], ['study_period.id'], name=op.f('fk_club_result_period_id_study_period')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_club_result_student_id_student')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_club_result_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_club_result')),
    sa.UniqueConstraint('group_id', 'student_id', 'period_id', name=op.f('uq_club_result_group_id_student_id_period_id'))
    )
    with op.batch_alter_table('club_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_club_result_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_club_result_student_id'), ['student_id'], unique=False)



def downgrade():
    with op.batch_alter_table('club_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_club_result_student_id'))
        batch_op.drop_index(batch_op.f('ix_club_result_group_id'))

    op.drop_table('club_result')
    with op.batch_alter_table('club_achievement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_club_achievement_student_id'))
        batch_op.drop_index(batch_op.f('ix_club_achievement_group_id'))

    op.drop_table('club_achievement')
    op.drop_table('club_result_form')
