"""The demo school's timetable in the terms of issue 10: its rooms are in the rooms list, every
slot points at its room, and the whole week passes the editor's clash rules (domain/timetable.py),
rooms included, so a demo user editing a cell meets only real clashes."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.admin.timetable.operations import slot_entry
from domain.timetable import first_clash
from extensions import db
from models import Room, ScheduleSlot, TeachingAssignment


def test_the_demo_timetable_has_its_rooms_and_no_clash(runner):
    result = runner.invoke(args=["demo", "--password", "demo2026"])
    assert result.exit_code == 0, result.output
    slots = db.session.scalars(
        select(ScheduleSlot).options(
            joinedload(ScheduleSlot.assignment).joinedload(TeachingAssignment.class_group),
            joinedload(ScheduleSlot.assignment).joinedload(TeachingAssignment.subgroup),
            joinedload(ScheduleSlot.assignment).joinedload(TeachingAssignment.subject),
            joinedload(ScheduleSlot.assignment).joinedload(TeachingAssignment.teacher),
            joinedload(ScheduleSlot.room_record),
        )
    ).unique().all()
    assert slots and db.session.scalar(select(Room.id).limit(1)) is not None
    assert all(s.room_record is not None and s.room_record.name == s.room for s in slots if s.room)
    assert first_clash([slot_entry(s) for s in slots], []) is None
