"""Use cases of the bells (ADM-1): save a bell set, remove a lesson or a whole set, make the
shortened day from the normal one, mark and unmark shortened days. They check with
domain/bells.py, change the session and flush; the view commits once. Every change writes its
AuditEntry with the set before and after, in the same transaction."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from blueprints.admin import queries
from domain.bells import (
    NORMAL,
    SHORT,
    Bell,
    BellRefusal,
    BellSetKey,
    checked_bells,
    partial_overlap,
    shortened,
)
from domain.messages import N_
from extensions import db
from models import BellSchedule, School, ShortenedDay
from utils import audit

MAX_NOTE = 200


def bell_sets(school_id: int) -> dict[BellSetKey, list[Bell]]:
    """Every set of the school, in the order the page shows them: shift, then the whole school
    before a level, then the normal day before the shortened one."""
    sets: dict[BellSetKey, list[Bell]] = {}
    for row in db.session.scalars(
        select(BellSchedule).where(BellSchedule.school_id == school_id).order_by(BellSchedule.lesson_number)
    ):
        key = BellSetKey(row.shift, row.grade_from, row.grade_to, row.variant)
        sets.setdefault(key, []).append(Bell(row.lesson_number, row.starts, row.ends))
    order = {NORMAL: 0, SHORT: 1}
    return dict(sorted(sets.items(), key=lambda kv: (kv[0].shift, -kv[0].width, kv[0].grade_from, order[kv[0].variant])))


def _rows(school_id: int, key: BellSetKey) -> list[BellSchedule]:
    return list(
        db.session.scalars(
            select(BellSchedule)
            .where(
                BellSchedule.school_id == school_id,
                BellSchedule.shift == key.shift,
                BellSchedule.grade_from == key.grade_from,
                BellSchedule.grade_to == key.grade_to,
                BellSchedule.variant == key.variant,
            )
            .order_by(BellSchedule.lesson_number)
        )
    )


def _described(key: BellSetKey) -> dict:
    return {"shift": key.shift, "grades": [key.grade_from, key.grade_to], "variant": key.variant}


def _lessons(bells) -> list[list]:
    return [[b.lesson_number, b.starts, b.ends] for b in bells]


def _replace(school: School, key: BellSetKey, bells: list[Bell], action: str) -> list[Bell]:
    """Store the set as given (inserting, changing and removing rows) with its history."""
    rows = _rows(school.id, key)
    before = _lessons(rows)
    if not rows:
        clash = partial_overlap(bell_sets(school.id), key)
        if clash is not None:
            raise BellRefusal(
                N_("Параллели %(a)s–%(b)s пересекаются с уже заданными %(c)s–%(d)s той же смены: "
                   "задайте диапазон внутри них или отдельно от них."),
                a=key.grade_from, b=key.grade_to, c=clash.grade_from, d=clash.grade_to,
            )
    by_number = {row.lesson_number: row for row in rows}
    wanted = {b.lesson_number: b for b in bells}
    for number, row in by_number.items():
        if number not in wanted:
            db.session.delete(row)
    db.session.flush()  # the removed numbers free their place before the new ones arrive
    for number, bell in wanted.items():
        row = by_number.get(number)
        if row is None:
            db.session.add(BellSchedule(
                school_id=school.id, shift=key.shift, grade_from=key.grade_from, grade_to=key.grade_to,
                variant=key.variant, lesson_number=number, starts=bell.starts, ends=bell.ends,
            ))
        else:
            row.starts, row.ends = bell.starts, bell.ends
    db.session.flush()
    after = _lessons(sorted(bells, key=lambda b: b.lesson_number))
    if before != after:
        audit.record("bell_schedule", None, action, before={**_described(key), "lessons": before},
                     after={**_described(key), "lessons": after}, school_id=school.id)
    return bells


def save_set(school: School, key: BellSetKey, rows: list[tuple]) -> list[Bell]:
    """The set as the table on the page has it: every lesson row, the blank ones left out."""
    bells = checked_bells(rows)
    if not bells:
        raise BellRefusal(N_("Укажите хотя бы один урок: номер, начало и окончание."))
    return _replace(school, key, bells, "save")


def remove_lesson(school: School, key: BellSetKey, lesson_number: int) -> None:
    rows = _rows(school.id, key)
    if not any(row.lesson_number == lesson_number for row in rows):
        raise BellRefusal(N_("Такого урока в этом расписании звонков нет."), 404)
    remaining = [Bell(r.lesson_number, r.starts, r.ends) for r in rows if r.lesson_number != lesson_number]
    _replace(school, key, remaining, "remove_lesson")


def delete_set(school: School, key: BellSetKey) -> None:
    rows = _rows(school.id, key)
    if not rows:
        raise BellRefusal(N_("Такого расписания звонков нет."), 404)
    _replace(school, key, [], "delete_set")


def copy_to_shortened(school: School, key: BellSetKey, minutes, replace: bool) -> list[Bell]:
    """The shortened day of a level from its normal day: same first bell, same breaks, every
    lesson `minutes` long. An existing shortened set is replaced only when asked."""
    if key.variant != NORMAL:
        raise BellRefusal(N_("Сокращённый день делается из обычного расписания звонков."))
    source = [Bell(r.lesson_number, r.starts, r.ends) for r in _rows(school.id, key)]
    target = key.with_variant(SHORT)
    bells = shortened(source, minutes)
    if _rows(school.id, target) and not replace:
        raise BellRefusal(N_("Сокращённый день для этой смены и параллелей уже задан: отметьте «Заменить», "
                             "чтобы записать его заново."), 409)
    return _replace(school, target, bells, "copy_to_shortened")


def shortened_days(school_id: int) -> list[ShortenedDay]:
    return list(
        db.session.scalars(
            select(ShortenedDay).where(ShortenedDay.school_id == school_id).order_by(ShortenedDay.date.desc())
        )
    )


def mark_shortened_day(school: School, day: date | None, note: str) -> ShortenedDay:
    if day is None:
        raise BellRefusal(N_("Укажите дату сокращённого дня."))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BellRefusal(N_("Примечание — не длиннее %(n)s знаков."), n=MAX_NOTE)
    year = queries.current_year(school.id)
    if year is not None and not year.start_date <= day <= year.end_date:
        raise BellRefusal(N_("Дата должна быть в пределах текущего учебного года %(name)s."), name=year.name)
    exists = db.session.scalar(
        select(ShortenedDay.id).where(ShortenedDay.school_id == school.id, ShortenedDay.date == day)
    )
    if exists is not None:
        raise BellRefusal(N_("Этот день уже отмечен как сокращённый."), 409)
    marked = ShortenedDay(school_id=school.id, date=day, note=note)
    db.session.add(marked)
    db.session.flush()
    audit.record("shortened_day", marked.id, "create", after={"date": day.isoformat(), "note": note}, school_id=school.id)
    return marked


def unmark_shortened_day(marked: ShortenedDay) -> None:
    audit.record("shortened_day", marked.id, "delete", before={"date": marked.date.isoformat(), "note": marked.note},
                 school_id=marked.school_id)
    db.session.execute(delete(ShortenedDay).where(ShortenedDay.id == marked.id))
    db.session.flush()
