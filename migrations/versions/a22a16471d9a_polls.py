"""polls: polls within the school (COM-2) — the poll, its audience and options, who has voted
(poll_vote) and, apart, the answers (poll_answer: random ids, no timestamp, no voter when anonymous)

Revision ID: a22a16471d9a
Revises: 285257274fc5
Create Date: 2026-11-29 19:33:25.531254

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a22a16471d9a'
down_revision = '285257274fc5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('per_family', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'text')", name=op.f('ck_poll_poll_kind_known')),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_poll_poll_dates_ordered')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_poll_author_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_poll_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll'))
    )
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_school_id'), ['school_id'], unique=False)

    op.create_table('poll_audience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('staff', 'teachers', 'parents', 'students', 'class_parents', 'class_students')", name=op.f('ck_poll_audience_poll_audience_kind_known')),
    sa.ForeignKeyConstraint(['class_id'], ['class_group.id'], name=op.f('fk_poll_audience_class_id_class_group')),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_audience_poll_id_poll'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_audience'))
    )
    with op.batch_alter_table('poll_audience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_audience_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_option_poll_id_poll'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_option'))
    )
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_option_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('response_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_vote_poll_id_poll'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_poll_vote_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_vote')),
    sa.UniqueConstraint('poll_id', 'key', name='poll_vote_once')
    )
    with op.batch_alter_table('poll_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_vote_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_vote_user_id'), ['user_id'], unique=False)

    op.create_table('poll_answer',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['poll_option.id'], name=op.f('fk_poll_answer_option_id_poll_option'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_answer_poll_id_poll'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_answer'))
    )
    with op.batch_alter_table('poll_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_answer_poll_id'), ['poll_id'], unique=False)



def downgrade():
    with op.batch_alter_table('poll_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_answer_poll_id'))

    op.drop_table('poll_answer')
    with op.batch_alter_table('poll_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_vote_user_id'))
        batch_op.drop_index(batch_op.f('ix_poll_vote_poll_id'))

    op.drop_table('poll_vote')
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_option_poll_id'))

    op.drop_table('poll_option')
    with op.batch_alter_table('poll_audience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_audience_poll_id'))

    op.drop_table('poll_audience')
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_school_id'))
        batch_op.drop_index(batch_op.f('ix_poll_author_id'))

    op.drop_table('poll')
