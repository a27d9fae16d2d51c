"""rooms: the school's list of rooms; the timetable's slots point at them

The room names already typed into the timetable become the first rooms of each school
(issue 10, item 1).

Revision ID: a9c41e2b7d10
Revises: e5c0a7d3b912
Create Date: 2026-11-29 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c41e2b7d10'
down_revision = 'e5c0a7d3b912'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'room',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=20), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_room_school_id_school')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room')),
        sa.UniqueConstraint('school_id', 'name', name=op.f('uq_room_school_id_name')),
    )
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_school_id'), ['school_id'], unique=False)
    with op.batch_alter_table('schedule_slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_schedule_slot_room_id'), ['room_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_schedule_slot_room_id_room'), 'room', ['room_id'], ['id'])

    # The typed room names become rooms, one per distinct name of each school.
    bind = op.get_bind()
    slot = sa.table('schedule_slot', sa.column('school_id', sa.Integer), sa.column('room', sa.String),
                    sa.column('room_id', sa.Integer))
    room = sa.table('room', sa.column('id', sa.Integer), sa.column('school_id', sa.Integer),
                    sa.column('name', sa.String), sa.column('note', sa.String), sa.column('is_active', sa.Boolean))
    pairs = bind.execute(
        sa.select(slot.c.school_id, slot.c.room).where(slot.c.room != '').distinct()
    ).all()
    seen = set()
    for school_id, name in pairs:
        name = (name or '').strip()[:20]
        if name and (school_id, name) not in seen:
            seen.add((school_id, name))
            bind.execute(room.insert().values(school_id=school_id, name=name, note='', is_active=True))
    bind.execute(
        slot.update()
        .where(slot.c.room != '')
        .values(
            room_id=sa.select(room.c.id)
            .where(room.c.school_id == slot.c.school_id, room.c.name == sa.func.trim(slot.c.room))
            .scalar_subquery()
        )
    )


def downgrade():
    with op.batch_alter_table('schedule_slot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_schedule_slot_room_id_room'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_schedule_slot_room_id'))
        batch_op.drop_column('room_id')
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_school_id'))
    op.drop_table('room')
