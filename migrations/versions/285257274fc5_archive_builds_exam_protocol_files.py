"""archive build requests and state exam protocol files

Revision ID: 285257274fc5
Revises: a325cd9cf1a9
Create Date: 2026-11-29 19:32:20.058025

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '285257274fc5'
down_revision = 'a325cd9cf1a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('state_exam_protocol_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('kinds', sa.String(length=60), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('destruction_act_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('kept', 'destroyed')", name=op.f('ck_state_exam_protocol_file_status_known')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_state_exam_protocol_file_school_id_school')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_state_exam_protocol_file_uploaded_by_id_user')),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_state_exam_protocol_file_year_id_academic_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_exam_protocol_file'))
    )
    with op.batch_alter_table('state_exam_protocol_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_exam_protocol_file_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_exam_protocol_file_year_id'), ['year_id'], unique=False)

    op.create_table('archive_build_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('job_run_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_archive_build_request_status_known')),
    sa.ForeignKeyConstraint(['job_run_id'], ['job_run.id'], name=op.f('fk_archive_build_request_job_run_id_job_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_archive_build_request_requested_by_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_archive_build_request_school_id_school')),
    sa.ForeignKeyConstraint(['year_id'], ['academic_year.id'], name=op.f('fk_archive_build_request_year_id_academic_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_build_request')),
    sa.UniqueConstraint('year_id', name=op.f('uq_archive_build_request_year_id'))
    )
    with op.batch_alter_table('archive_build_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_build_request_school_id'), ['school_id'], unique=False)



def downgrade():
    with op.batch_alter_table('archive_build_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_build_request_school_id'))

    op.drop_table('archive_build_request')
    with op.batch_alter_table('state_exam_protocol_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_exam_protocol_file_year_id'))
        batch_op.drop_index(batch_op.f('ix_state_exam_protocol_file_school_id'))

    op.drop_table('state_exam_protocol_file')
