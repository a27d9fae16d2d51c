"""server-side sessions and login throttling

Sessions are records on the server (user_session), so logout, switch, password change, block
and compromise end them for good; the session_version of the user is no longer needed. The
account lock after failed logins (failed_logins, locked_until) is replaced by throttling counted
in the login log, which gets an index by login and time and the browser's device id.

Revision ID: c3a91d5e7f20
Revises: c4e8a1f0d2b7
Create Date: 2026-11-29 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a91d5e7f20'
down_revision = 'c4e8a1f0d2b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('login_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=32), nullable=False, server_default=''))
        batch_op.create_index('ix_login_event_login_at', ['login', 'at'], unique=False)

    # SQLite: batch mode rebuilds the user table, which other tables refer to (migrations/env.py
    # turns foreign keys off for the rebuild and checks them before the commit).
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_failed_logins_nonnegative'), type_='check')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('session_version')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_check_constraint(batch_op.f('ck_user_failed_logins_nonnegative'), 'failed_logins >= 0')

    with op.batch_alter_table('login_event', schema=None) as batch_op:
        batch_op.drop_index('ix_login_event_login_at')
        batch_op.drop_column('device')

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
