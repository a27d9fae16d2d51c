"""Use cases of the additional-education groups' journal (JRN-9) that change data: a session's
attendance (through the journal's own cell, so the history, the deadlines and the closed
periods apply as everywhere), the group's form of results, a member's result of a period, an
achievement. They flush; the view commits."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from blueprints.journal import operations as journal_ops
from blueprints.journal import queries
from domain import club_results as rules
from domain.messages import N_
from domain.settings import school_settings
from extensions import db
from models import ClubAchievement, ClubResult, ClubResultForm, Lesson, Student, StudyPeriod, TeachingAssignment, User
from models.base import utcnow
from utils import audit


def take_attendance(lesson: Lesson, user: User, absent_ids: set[int], reason: str | None = "") -> int:
    """Mark the members in `absent_ids` absent («Н») and the others present; returns how many
    cells changed. Refuses an id that is not a member on the session's date. `reason`: the
    teacher's reason for a change after the deadline (asked as in the grid)."""
    members = list(db.session.scalars(queries.roster_query(lesson.assignment, lesson.date, lesson.date)))
    member_ids = {m.id for m in members}
    if not absent_ids <= member_ids:
        raise rules.ClubRefusal(N_("Этот обучающийся не занимается в группе в день занятия."), 403)
    absent = school_settings(lesson.assignment.school.settings)["notations"]["absent"]
    changed = 0
    for member in members:
        state, _attendance, _marks = journal_ops.load_cell(lesson, member.id)
        is_absent = state.attendance is not None
        if (member.id in absent_ids) == is_absent:
            continue
        _state, did = journal_ops.save_cell(lesson, member, user, absent if member.id in absent_ids else "",
                                            key="", base=None, reason=reason)
        changed += int(did)
    lesson.attendance_taken = True
    db.session.flush()
    return changed


def set_result_form(assignment: TeachingAssignment, user: User, form: str, levels_text: str) -> ClubResultForm:
    levels = rules.parse_levels(levels_text)
    rules.check_form(form, levels)
    row = db.session.scalar(select(ClubResultForm).where(ClubResultForm.group_id == assignment.class_id))
    before = {"form": row.form, "levels": row.levels} if row else None
    if row is None:
        row = ClubResultForm(group_id=assignment.class_id)
        db.session.add(row)
    row.form, row.levels = form, "\n".join(levels)
    row.updated_at, row.updated_by_id = utcnow(), user.id
    db.session.flush()
    audit.record("club_result_form", row.id, "update", before=before, after={"form": form, "levels": row.levels},
                 school_id=assignment.school_id)
    return row


def save_results(assignment: TeachingAssignment, user: User, period: StudyPeriod, values: dict[int, str]) -> int:
    """Put the members' results of the period (student id → value; '' clears). All or nothing."""
    saved = db.session.scalar(select(ClubResultForm).where(ClubResultForm.group_id == assignment.class_id))
    form, levels = (saved.form, saved.level_list) if saved else ("pass_fail", [])
    members = {m.id for m in db.session.scalars(
        queries.roster_query(assignment, period.start_date, period.end_date))}
    if not set(values) <= members:
        raise rules.ClubRefusal(N_("Этот обучающийся не занимается в группе в этом периоде."), 403)
    cleaned = {sid: rules.clean_value(form, levels, value) for sid, value in values.items()}
    rows = {r.student_id: r for r in db.session.scalars(
        select(ClubResult).where(ClubResult.group_id == assignment.class_id, ClubResult.period_id == period.id))}
    changed = 0
    for sid, value in cleaned.items():
        row = rows.get(sid)
        if row is None and not value:
            continue
        if row is not None and row.value == value and row.form == form:
            continue
        before = {"form": row.form, "value": row.value} if row else None
        if row is None:
            row = ClubResult(group_id=assignment.class_id, student_id=sid, period_id=period.id)
            db.session.add(row)
        row.form, row.value, row.updated_at, row.updated_by_id = form, value, utcnow(), user.id
        db.session.flush()
        audit.record("club_result", row.id, "update", before=before, after={"form": form, "value": value},
                     school_id=assignment.school_id)
        changed += 1
    return changed


def add_achievement(assignment: TeachingAssignment, user: User, student: Student, event: str, day: date | None,
                    level: str, result: str) -> ClubAchievement:
    year = assignment.year
    rules.check_achievement(event, day, level, result, year.start_date, year.end_date)
    if not db.session.scalar(queries.roster_query(assignment, year.start_date, year.end_date)
                             .where(Student.id == student.id)):
        raise rules.ClubRefusal(N_("Этот обучающийся не занимается в группе."), 403)
    row = ClubAchievement(group_id=assignment.class_id, student_id=student.id, event=event.strip(), date=day,
                          level=level, result=result.strip(), created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    audit.record("club_achievement", row.id, "create",
                 after={"event": row.event, "date": day.isoformat(), "level": level, "result": row.result},
                 school_id=assignment.school_id)
    return row


def delete_achievement(row: ClubAchievement, user: User) -> None:
    row.is_deleted = True
    db.session.flush()
    audit.record("club_achievement", row.id, "delete", before={"event": row.event}, school_id=row.student.school_id)
