"""Use cases of the school's structure: academic years and periods, holidays, classes and
subgroups, subjects and curriculum, kinds of work, marking scales, teaching assignments and the
movement of students (ADM-1, ADM-2, ADM-5, ADM-8).

Every function checks all of its input before it changes anything, raises StructureError with a
Russian message when the input is bad, and only flushes: the view commits."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import exists, select

import policy
from blueprints.admin.structure import club_operations
from domain.closing import may_close
from domain.messages import N_, Refusal
from domain.settings_rules import MAX_WEIGHT
from extensions import db
from models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    CurriculumItem,
    EnrolmentEvent,
    Holiday,
    MarkingScale,
    PeriodClosure,
    School,
    Student,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    User,
    WorkKind,
)
from models.school import PERIOD_SCHEMES, SCALE_CODES, SHIFTS
from models.year_closing import ensure_year_open
from utils import audit
from utils.credentials import transliterate
from utils.timeutil import school_today

PERIODS_PER_SCHEME = {"quarter": 4, "trimester": 3, "half_year": 2, "year": 1}
CLASS_KINDS = ("class", "extra")
MAX_HOURS = Decimal(40)


class StructureError(Refusal):
    """Bad input for a use case: a N_-marked message for the administrator; answered with 400."""


def _d(day: date) -> str:
    return format_date(day, "dd.MM.yyyy")


def _require_open(year: AcademicYear) -> None:
    ensure_year_open(year)  # the one guard of a closed year (ARC-1): 409 with the reason


def _require_in_year(day: date, year: AcademicYear, what: str) -> None:
    if not (year.start_date <= day <= year.end_date):
        raise StructureError(
            N_("%(what)s должна лежать внутри учебного года %(name)s (%(start)s — %(end)s)."),
            what=what, name=year.name, start=_d(year.start_date), end=_d(year.end_date),
        )


def _require_ordered(start: date, end: date) -> None:
    if start > end:
        raise StructureError(N_("Дата начала не может быть позже даты окончания."))


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


# Academic year ---------------------------------------------------------------------------------


def open_year(school: School, name: str, start: date, end: date) -> AcademicYear:
    """Open a new academic year. The first year of a school becomes its current year."""
    name = name.strip()
    match = re.fullmatch(r"(\d{4})/(\d{4})", name)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise StructureError(N_("Название учебного года — два года подряд через косую черту, например 2026/2027."))
    if start >= end:
        raise StructureError(N_("Дата начала учебного года должна быть раньше даты окончания."))
    if start.year != int(match.group(1)) or end.year != int(match.group(2)):
        raise StructureError(N_("Даты начала и окончания должны лежать в годах %(name)s."), name=name)
    others = db.session.scalars(select(AcademicYear).where(AcademicYear.school_id == school.id)).all()
    for other in others:
        if other.name == name:
            raise StructureError(N_("Учебный год %(name)s уже есть."), name=name)
        if _overlaps(start, end, other.start_date, other.end_date):
            raise StructureError(N_("Даты пересекаются с учебным годом %(name)s."), name=other.name)
    year = AcademicYear(
        school_id=school.id,
        name=name,
        start_date=start,
        end_date=end,
        is_current=not any(o.is_current for o in others),
        is_closed=False,
    )
    db.session.add(year)
    db.session.flush()
    audit.record(
        "academic_year",
        year.id,
        "create",
        after={"name": name, "start": start.isoformat(), "end": end.isoformat()},
        school_id=school.id,
    )
    return year


def make_current(year: AcademicYear) -> None:
    _require_open(year)
    for other in db.session.scalars(
        select(AcademicYear).where(AcademicYear.school_id == year.school_id, AcademicYear.is_current.is_(True))
    ):
        other.is_current = False
    year.is_current = True
    db.session.flush()
    from blueprints.admin.structure.new_year_operations import follow_current_year  # it builds on this module

    follow_current_year(year)
    audit.record("academic_year", year.id, "make_current", school_id=year.school_id)


def year_closable(year: AcademicYear) -> bool:
    """Marks and attendance of its last days are entered until the year is over (ADM-1): the
    same rule as a period's (domain/closing.py), on the school's own date."""
    return may_close(year.end_date, school_today(year.school.timezone))


# Study periods and holidays --------------------------------------------------------------------


def default_period_name(scheme: str, number: int) -> str:
    names = {
        "quarter": _("%(n)s четверть", n=number),
        "trimester": _("%(n)s триместр", n=number),
        "half_year": _("%(n)s полугодие", n=number),
        "year": _("Учебный год"),
    }
    return names[scheme]


def _check_period(
    year: AcademicYear,
    scheme: str,
    number: int,
    start: date,
    end: date,
    *,
    period: StudyPeriod | None = None,
    pending: tuple[tuple[int, date, date], ...] = (),
) -> None:
    """Dates inside the year, start <= end, a free number and no overlap with another period of
    the same scheme (003:1.6). `pending` are periods about to be added in the same call."""
    _require_open(year)
    if scheme not in PERIOD_SCHEMES:
        raise StructureError(N_("Неизвестная схема периодов."))
    limit = PERIODS_PER_SCHEME[scheme]
    if not 1 <= number <= limit:
        raise StructureError(N_("Номер периода этой схемы — от 1 до %(n)s."), n=limit)
    _require_ordered(start, end)
    _require_in_year(start, year, _("Дата начала периода"))
    _require_in_year(end, year, _("Дата окончания периода"))
    siblings = [
        (p.number, p.start_date, p.end_date, p.name)
        for p in year.periods
        if p.scheme == scheme and (period is None or p.id != period.id)
    ]
    siblings += [(n, s, e, default_period_name(scheme, n)) for n, s, e in pending]
    for other_number, other_start, other_end, other_name in siblings:
        if other_number == number:
            raise StructureError(N_("Период «%(name)s» с этим номером уже есть."), name=other_name)
        if _overlaps(start, end, other_start, other_end):
            raise StructureError(N_("Даты пересекаются с периодом «%(name)s»."), name=other_name)


def add_period(year: AcademicYear, scheme: str, number: int, name: str, start: date, end: date) -> StudyPeriod:
    _check_period(year, scheme, number, start, end)
    period = StudyPeriod(
        year=year,
        scheme=scheme,
        number=number,
        name=name.strip() or default_period_name(scheme, number),
        start_date=start,
        end_date=end,
        is_closed=False,
    )
    db.session.add(period)
    db.session.flush()
    return period


def update_period(period: StudyPeriod, number: int, name: str, start: date, end: date) -> None:
    if period.is_closed:
        raise StructureError(N_("Период «%(name)s» закрыт: изменения невозможны."), name=period.name)
    closure = db.session.scalar(
        select(PeriodClosure).where(PeriodClosure.period_id == period.id, PeriodClosure.reopened_at.is_(None)).limit(1)
    )
    if closure is not None:
        # moving its dates would take days out of the closure (or put others in) unseen
        raise StructureError(
            N_(
                "Период «%(name)s» закрыт для класса %(class_name)s: изменения "
                "невозможны, пока директор не откроет его снова."
            ),
            name=period.name, class_name=closure.class_group.name if closure.class_group else "—",
        )
    _check_period(period.year, period.scheme, number, start, end, period=period)
    before = {"number": period.number, "start": period.start_date.isoformat(), "end": period.end_date.isoformat()}
    period.number = number
    period.name = name.strip() or default_period_name(period.scheme, number)
    period.start_date = start
    period.end_date = end
    db.session.flush()
    audit.record(
        "study_period",
        period.id,
        "update",
        before=before,
        after={"number": number, "start": start.isoformat(), "end": end.isoformat()},
        school_id=period.year.school_id,
    )


def standard_quarters(year: AcademicYear) -> tuple[list[tuple[int, date, date]], list[tuple[str, date, date]]]:
    """Quarters and holidays on the single holiday dates the Ministry of Enlightenment has
    recommended since 2023/24: autumn holidays at the turn of October and November (school
    resumes after 4 November), winter from 29 December to 11 January, spring in the last ten days
    of March. The administrator corrects them where the region's order differs."""
    y = year.start_date.year
    quarters = [
        (1, year.start_date, date(y, 10, 25)),
        (2, date(y, 11, 5), date(y, 12, 28)),
        (3, date(y + 1, 1, 12), date(y + 1, 3, 21)),
        (4, date(y + 1, 4, 1), year.end_date),
    ]
    holidays = [
        (_("Осенние каникулы"), date(y, 10, 26), date(y, 11, 4)),
        (_("Зимние каникулы"), date(y, 12, 29), date(y + 1, 1, 11)),
        (_("Весенние каникулы"), date(y + 1, 3, 22), date(y + 1, 3, 31)),
    ]
    return quarters, holidays


def fill_standard_quarters(year: AcademicYear) -> list[StudyPeriod]:
    """Add the four quarters and the holidays between them; only into a year without quarters.
    Holidays that would overlap ones already entered are left out."""
    _require_open(year)
    if any(p.scheme == "quarter" for p in year.periods):
        raise StructureError(N_("Четверти этого учебного года уже заданы; исправьте их по одной."))
    quarters, holidays = standard_quarters(year)
    pending: list[tuple[int, date, date]] = []
    for number, start, end in quarters:
        _check_period(year, "quarter", number, start, end, pending=tuple(pending))
        pending.append((number, start, end))
    added = [
        StudyPeriod(
            year=year,
            scheme="quarter",
            number=number,
            name=default_period_name("quarter", number),
            start_date=start,
            end_date=end,
            is_closed=False,
        )
        for number, start, end in pending
    ]
    db.session.add_all(added)
    existing = [(h.start_date, h.end_date) for h in year.holidays]
    for name, start, end in holidays:
        start, end = max(start, year.start_date), min(end, year.end_date)
        if start <= end and not any(_overlaps(start, end, s, e) for s, e in existing):
            db.session.add(Holiday(year=year, name=name, start_date=start, end_date=end))
    db.session.flush()
    audit.record("academic_year", year.id, "fill_quarters", school_id=year.school_id)
    return added


def add_holiday(year: AcademicYear, name: str, start: date, end: date) -> Holiday:
    _require_open(year)
    name = name.strip()
    if not name:
        raise StructureError(N_("Укажите название каникул."))
    _require_ordered(start, end)
    _require_in_year(start, year, _("Дата начала каникул"))
    _require_in_year(end, year, _("Дата окончания каникул"))
    for other in year.holidays:
        if _overlaps(start, end, other.start_date, other.end_date):
            raise StructureError(N_("Даты пересекаются с каникулами «%(name)s»."), name=other.name)
    holiday = Holiday(year=year, name=name, start_date=start, end_date=end)
    db.session.add(holiday)
    db.session.flush()
    return holiday


def delete_holiday(holiday: Holiday) -> None:
    _require_open(holiday.year)
    audit.record(
        "holiday",
        holiday.id,
        "delete",
        before={"name": holiday.name, "start": holiday.start_date.isoformat(), "end": holiday.end_date.isoformat()},
        school_id=holiday.year.school_id,
    )
    db.session.delete(holiday)
    db.session.flush()


# Classes and subgroups -------------------------------------------------------------------------


def is_teacher_of_school(user: User | None, school_id: int) -> bool:
    return user is not None and user.school_id == school_id and user.is_active and user.has_role(*policy.TEACHING_ROLES)


def _check_class(
    school_id: int,
    year: AcademicYear,
    name: str,
    grade: int,
    kind: str,
    period_scheme: str,
    class_teacher: User | None,
    class_group: ClassGroup | None = None,
) -> None:
    _require_open(year)
    if year.school_id != school_id:
        raise StructureError(N_("Учебный год не найден."))
    if not 1 <= grade <= 11:
        raise StructureError(N_("Класс (параллель) — от 1 до 11."))
    if kind not in CLASS_KINDS:
        raise StructureError(N_("Неизвестный вид объединения."))
    if period_scheme not in PERIOD_SCHEMES:
        raise StructureError(N_("Неизвестная схема периодов."))
    if not name:
        raise StructureError(N_("Укажите название класса."))
    if class_teacher is not None and not is_teacher_of_school(class_teacher, school_id):
        raise StructureError(N_("Классным руководителем можно назначить только учителя школы."))
    duplicate = select(ClassGroup.id).where(ClassGroup.year_id == year.id, ClassGroup.name == name)
    if class_group is not None:
        duplicate = duplicate.where(ClassGroup.id != class_group.id)
    if db.session.scalar(duplicate) is not None:
        raise StructureError(N_("Класс %(name)s уже есть в учебном году %(year)s."), name=name, year=year.name)


def create_class(
    school: School,
    year: AcademicYear,
    *,
    name: str,
    grade: int,
    letter: str,
    kind: str,
    period_scheme: str,
    attendance_only: bool | None,
    class_teacher: User | None,
    shift: int = 1,
) -> ClassGroup:
    """A class or an additional-education group. First grade records attendance only unless
    told otherwise (003 Положение 1.3)."""
    if shift not in SHIFTS:
        raise StructureError(N_("Смена — первая или вторая."))
    letter = letter.strip().upper()
    name = name.strip() or f"{grade}{letter}"
    _check_class(school.id, year, name, grade, kind, period_scheme, class_teacher)
    class_group = ClassGroup(
        school_id=school.id,
        year=year,
        name=name,
        grade=grade,
        letter=letter,
        kind=kind,
        period_scheme=period_scheme,
        attendance_only=(grade == 1) if attendance_only is None else attendance_only,
        class_teacher=class_teacher,
        shift=shift,
    )
    db.session.add(class_group)
    db.session.flush()
    audit.record("class_group", class_group.id, "create", after={"name": name, "year": year.name}, school_id=school.id)
    return class_group


def update_class(
    class_group: ClassGroup,
    *,
    name: str,
    grade: int,
    letter: str,
    kind: str,
    period_scheme: str,
    attendance_only: bool | None,
    class_teacher: User | None,
    shift: int | None = None,
) -> None:
    letter = letter.strip().upper()
    name = name.strip() or f"{grade}{letter}"
    _check_class(class_group.school_id, class_group.year, name, grade, kind, period_scheme, class_teacher, class_group)
    if shift is not None and shift not in SHIFTS:
        raise StructureError(N_("Смена — первая или вторая."))
    before = {"name": class_group.name, "grade": class_group.grade, "class_teacher_id": class_group.class_teacher_id,
              "shift": class_group.shift}
    if shift is not None:
        class_group.shift = shift
    class_group.name = name
    class_group.grade = grade
    class_group.letter = letter
    class_group.kind = kind
    class_group.period_scheme = period_scheme
    class_group.attendance_only = (grade == 1) if attendance_only is None else attendance_only
    class_group.class_teacher = class_teacher
    db.session.flush()
    audit.record(
        "class_group",
        class_group.id,
        "update",
        before=before,
        after={"name": name, "grade": grade, "class_teacher_id": class_teacher.id if class_teacher else None,
               "shift": class_group.shift},
        school_id=class_group.school_id,
    )


def class_students(class_group: ClassGroup) -> list[Student]:
    """The students now in the class, in the order of the class list."""
    return list(
        db.session.scalars(
            select(Student)
            .where(Student.current_class_id == class_group.id, Student.is_withdrawn.is_(False))
            .order_by(Student.last_name, Student.first_name, Student.middle_name, Student.id)
        )
    )


def _check_subgroup_name(class_group: ClassGroup, name: str, subgroup: Subgroup | None = None) -> str:
    name = name.strip()
    if not name:
        raise StructureError(N_("Укажите название подгруппы."))
    for other in class_group.subgroups:
        if other.name == name and (subgroup is None or other.id != subgroup.id):
            raise StructureError(N_("Подгруппа «%(name)s» уже есть в классе."), name=name)
    return name


def add_subgroup(class_group: ClassGroup, name: str) -> Subgroup:
    """A class split for languages, IT or labour; each teacher keeps their own subgroup's
    records (ADM-8, 001:2.5.5)."""
    _require_open(class_group.year)
    name = _check_subgroup_name(class_group, name)
    subgroup = Subgroup(class_group=class_group, name=name)
    db.session.add(subgroup)
    db.session.flush()
    return subgroup


def update_subgroup(subgroup: Subgroup, name: str, students: list[Student]) -> None:
    class_group = subgroup.class_group
    _require_open(class_group.year)
    name = _check_subgroup_name(class_group, name, subgroup)
    allowed = {s.id for s in class_students(class_group)}
    if any(s.id not in allowed for s in students):
        raise StructureError(N_("В подгруппу можно включить только обучающихся этого класса."))
    wanted = {s.id for s in students}
    current = {m.student_id: m for m in subgroup.members}
    for student_id, member in current.items():
        if student_id not in wanted:
            db.session.delete(member)
    for student in students:
        if student.id not in current:
            db.session.add(SubgroupMember(subgroup=subgroup, student=student))
    before = sorted(current)
    subgroup.name = name
    db.session.flush()
    audit.record(
        "subgroup",
        subgroup.id,
        "update",
        before={"members": before},
        after={"name": name, "members": sorted(wanted)},
        school_id=class_group.school_id,
    )


# Subjects, curriculum, kinds of work, scales ---------------------------------------------------


def _check_subject_name(school_id: int, name: str, subject: Subject | None = None) -> str:
    name = name.strip()
    if not name:
        raise StructureError(N_("Укажите название предмета."))
    # Compared in Python: SQLite's lower() leaves Cyrillic letters as they are.
    for other_id, other_name in db.session.execute(
        select(Subject.id, Subject.name).where(Subject.school_id == school_id)
    ):
        if other_name.casefold() == name.casefold() and (subject is None or other_id != subject.id):
            raise StructureError(N_("Предмет «%(name)s» уже есть."), name=other_name)
    return name


def create_subject(school: School, name: str, short_name: str) -> Subject:
    name = _check_subject_name(school.id, name)
    subject = Subject(school_id=school.id, name=name, short_name=short_name.strip(), is_active=True)
    db.session.add(subject)
    db.session.flush()
    return subject


def update_subject(subject: Subject, name: str, short_name: str) -> None:
    subject.name = _check_subject_name(subject.school_id, name, subject)
    subject.short_name = short_name.strip()
    db.session.flush()


def set_subject_active(subject: Subject, active: bool) -> None:
    """Subjects are never deleted: old journals and reports still name them."""
    subject.is_active = active
    db.session.flush()
    audit.record("subject", subject.id, "activate" if active else "deactivate", school_id=subject.school_id)


def set_curriculum_hours(class_group: ClassGroup, subject: Subject, hours: Decimal) -> CurriculumItem:
    """Hours per week of a subject in a class; a second entry for the same subject replaces
    the hours of the first."""
    _require_open(class_group.year)
    if subject.school_id != class_group.school_id or not subject.is_active:
        raise StructureError(N_("Предмет не найден или отключён."))
    if not Decimal(0) < hours <= MAX_HOURS:
        raise StructureError(N_("Часов в неделю — больше нуля и не больше %(n)s."), n=MAX_HOURS)
    item = db.session.scalar(
        select(CurriculumItem).where(CurriculumItem.class_id == class_group.id, CurriculumItem.subject_id == subject.id)
    )
    if item is None:
        item = CurriculumItem(class_group=class_group, subject=subject, hours_per_week=hours)
        db.session.add(item)
    else:
        item.hours_per_week = hours
    db.session.flush()
    return item


def remove_curriculum_item(item: CurriculumItem) -> None:
    _require_open(item.class_group.year)
    audit.record(
        "curriculum_item",
        item.id,
        "delete",
        before={"class_id": item.class_id, "subject_id": item.subject_id, "hours": str(item.hours_per_week)},
        school_id=item.class_group.school_id,
    )
    db.session.delete(item)
    db.session.flush()


def _check_weight(weight: Decimal) -> None:
    if weight is None or not Decimal(0) < weight <= MAX_WEIGHT:
        raise StructureError(N_("Вес вида работы должен быть больше нуля (не больше %(n)s)."), n=str(MAX_WEIGHT))


def create_work_kind(school: School, name: str, code: str, weight: Decimal) -> WorkKind:
    """A kind of work with its weight in the weighted average (004:3.7)."""
    name = name.strip()
    if not name:
        raise StructureError(N_("Укажите название вида работы."))
    code = (code.strip().lower() or transliterate(name))[:30]
    if not re.fullmatch(r"[a-z0-9_]+", code):
        raise StructureError(N_("Код — латинские буквы, цифры и знак подчёркивания."))
    _check_weight(weight)
    for other_code, other_name in db.session.execute(
        select(WorkKind.code, WorkKind.name).where(WorkKind.school_id == school.id)
    ):
        if other_code == code:
            raise StructureError(N_("Код «%(code)s» уже занят видом работы «%(name)s»."), code=code, name=other_name)
        if other_name.casefold() == name.casefold():
            raise StructureError(N_("Вид работы «%(name)s» уже есть."), name=other_name)
    kind = WorkKind(school_id=school.id, code=code, name=name, weight=weight, is_active=True)
    db.session.add(kind)
    db.session.flush()
    audit.record("work_kind", kind.id, "create", after={"code": code, "weight": str(weight)}, school_id=school.id)
    return kind


def update_work_kind(kind: WorkKind, name: str, weight: Decimal, is_active: bool) -> None:
    name = name.strip()
    if not name:
        raise StructureError(N_("Укажите название вида работы."))
    _check_weight(weight)
    for other_id, other_name in db.session.execute(
        select(WorkKind.id, WorkKind.name).where(WorkKind.school_id == kind.school_id)
    ):
        if other_id != kind.id and other_name.casefold() == name.casefold():
            raise StructureError(N_("Вид работы «%(name)s» уже есть."), name=other_name)
    before = {"name": kind.name, "weight": str(kind.weight), "is_active": kind.is_active}
    kind.name, kind.weight, kind.is_active = name, weight, is_active
    db.session.flush()
    audit.record(
        "work_kind",
        kind.id,
        "update",
        before=before,
        after={"name": name, "weight": str(weight), "is_active": is_active},
        school_id=kind.school_id,
    )


def scale_names() -> dict[str, str]:
    return {
        "five": _("Пятибалльная"),
        "pass_fail": _("Зачёт / незачёт"),
        "ten": _("Десятибалльная"),
        "hundred": _("Стобалльная"),
        "none": _("Без отметок"),
    }


def ensure_scales(school: School) -> list[MarkingScale]:
    """Make sure the school has every marking scale (003:1.6); returns the ones added."""
    present = set(db.session.scalars(select(MarkingScale.code).where(MarkingScale.school_id == school.id)))
    names = scale_names()
    added = [
        MarkingScale(school_id=school.id, code=code, name=names[code]) for code in SCALE_CODES if code not in present
    ]
    db.session.add_all(added)
    db.session.flush()
    return added


# Teaching assignments --------------------------------------------------------------------------


def create_assignment(
    school: School,
    teacher: User,
    class_group: ClassGroup,
    subgroup: Subgroup | None,
    subject: Subject,
    scale: MarkingScale,
) -> TeachingAssignment:
    """Teacher × class or subgroup × subject: what the teacher will see and record (004:3.6)."""
    if not is_teacher_of_school(teacher, school.id):
        raise StructureError(N_("Назначить можно только учителя школы."))
    if class_group.school_id != school.id or subject.school_id != school.id or scale.school_id != school.id:
        raise StructureError(N_("Класс, предмет или шкала не найдены."))
    _require_open(class_group.year)
    if not subject.is_active:
        raise StructureError(N_("Предмет «%(name)s» отключён."), name=subject.name)
    if subgroup is not None and subgroup.class_id != class_group.id:
        raise StructureError(N_("Подгруппа «%(name)s» не из класса %(cls)s."), name=subgroup.name, cls=class_group.name)
    if class_group.attendance_only and scale.code != "none":
        # First grade: attendance only, no marks (003 Положение 1.3).
        raise StructureError(
            N_("В классе %(cls)s отметки не ставятся: выберите шкалу «Без отметок»."),
            cls=class_group.name,
        )
    duplicate = db.session.scalar(
        select(TeachingAssignment).where(
            TeachingAssignment.teacher_id == teacher.id,
            TeachingAssignment.class_id == class_group.id,
            TeachingAssignment.subject_id == subject.id,
            TeachingAssignment.subgroup_id.is_(None)
            if subgroup is None
            else TeachingAssignment.subgroup_id == subgroup.id,
        )
    )
    if duplicate is not None:
        if duplicate.is_active:
            raise StructureError(
                N_("Такое назначение уже есть: %(title)s — %(teacher)s."),
                title=duplicate.title, teacher=teacher.short_name,
            )
        raise StructureError(
            N_("Такое назначение уже есть, но отключено: %(title)s — %(teacher)s. Включите его в списке."),
            title=duplicate.title, teacher=teacher.short_name,
        )
    assignment = TeachingAssignment(
        school_id=school.id,
        year_id=class_group.year_id,
        teacher=teacher,
        class_group=class_group,
        subgroup=subgroup,
        subject=subject,
        scale=scale,
        is_active=True,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "teaching_assignment",
        assignment.id,
        "create",
        after={
            "teacher_id": teacher.id,
            "class_id": class_group.id,
            "subgroup_id": subgroup.id if subgroup else None,
            "subject_id": subject.id,
            "scale": scale.code,
        },
        school_id=school.id,
    )
    return assignment


def set_assignment_active(assignment: TeachingAssignment, active: bool) -> None:
    """Assignments are switched off, never deleted: the journal keeps its teacher."""
    if active:
        _require_open(assignment.class_group.year)
    assignment.is_active = active
    db.session.flush()
    audit.record(
        "teaching_assignment", assignment.id, "activate" if active else "deactivate", school_id=assignment.school_id
    )


# Movement of students (ADM-5) ------------------------------------------------------------------


def _order_number(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise StructureError(N_("Укажите номер приказа директора."))
    if len(value) > 40:
        raise StructureError(N_("Номер приказа — не длиннее 40 символов."))
    return value


def _open_membership(student: Student) -> ClassMembership | None:
    return db.session.scalar(
        select(ClassMembership)
        .where(ClassMembership.student_id == student.id, ClassMembership.until.is_(None))
        .order_by(ClassMembership.since.desc())
        .limit(1)
    )


def _require_after_membership_start(day: date, membership: ClassMembership | None, what: str) -> None:
    if membership is not None and day <= membership.since:
        raise StructureError(
            N_("%(what)s должна быть позже %(since)s — даты прихода в класс %(name)s."),
            what=what, since=_d(membership.since), name=membership.class_group.name,
        )


def _require_real_class(class_group: ClassGroup) -> None:
    """A student's one class is a class; clubs take students of any class on their own page."""
    if class_group.kind != "class":
        raise StructureError(
            N_("%(name)s — объединение доп. образования: записывайте в него на странице состава."),
            name=class_group.name,
        )


def _leave_subgroups(student: Student, class_group: ClassGroup) -> None:
    for member in db.session.scalars(
        select(SubgroupMember)
        .join(Subgroup, Subgroup.id == SubgroupMember.subgroup_id)
        .where(SubgroupMember.student_id == student.id, Subgroup.class_id == class_group.id)
    ):
        db.session.delete(member)


def enrol_student(
    class_group: ClassGroup,
    *,
    last_name: str,
    first_name: str,
    middle_name: str,
    birth_date: date | None,
    book_number: str,
    day: date,
    order_number: str,
    user: User,
) -> Student:
    """Enrol a new student by the director's order, with their number in the alphabetical
    book (001:2.6.2)."""
    last_name, first_name, middle_name = last_name.strip(), first_name.strip(), (middle_name or "").strip()
    book_number = (book_number or "").strip()
    if not last_name or not first_name:
        raise StructureError(N_("Укажите фамилию и имя обучающегося."))
    if not book_number:
        raise StructureError(N_("Укажите номер в алфавитной книге."))
    _require_real_class(class_group)
    order_number = _order_number(order_number)
    _require_open(class_group.year)
    _require_in_year(day, class_group.year, _("Дата зачисления"))
    if birth_date is not None and birth_date >= day:
        raise StructureError(N_("Дата рождения должна быть раньше даты зачисления."))
    taken = db.session.scalar(
        select(exists().where(Student.school_id == class_group.school_id, Student.book_number == book_number))
    )
    if taken:
        raise StructureError(N_("Номер %(n)s в алфавитной книге уже занят."), n=book_number)
    student = Student(
        school_id=class_group.school_id,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=birth_date,
        book_number=book_number,
        current_class=class_group,
        is_withdrawn=False,
    )
    db.session.add(student)
    db.session.add(ClassMembership(student=student, class_group=class_group, since=day))
    db.session.add(
        EnrolmentEvent(student=student, kind="enrol", date=day, order_number=order_number, to_class=class_group)
    )
    db.session.flush()
    audit.record(
        "student",
        student.id,
        "enrol",
        after={"class": class_group.name, "date": day.isoformat(), "order": order_number, "book_number": book_number},
        school_id=class_group.school_id,
        user_id=user.id,
    )
    return student


def transfer_student(
    student: Student, to_class: ClassGroup, day: date, order_number: str, user: User
) -> EnrolmentEvent:
    """Transfer to another class from `day` by the director's order (001:2.6.6): the old stay
    ends the day before, the new one starts on `day`."""
    from_class = student.current_class
    if student.is_withdrawn or from_class is None:
        raise StructureError(N_("Обучающийся выбыл из школы: перевести его нельзя."))
    if to_class.school_id != student.school_id:
        raise StructureError(N_("Класс не найден."))
    if to_class.id == from_class.id:
        raise StructureError(N_("Обучающийся уже в классе %(name)s."), name=to_class.name)
    _require_real_class(to_class)
    order_number = _order_number(order_number)
    _require_open(to_class.year)
    _require_in_year(day, to_class.year, _("Дата перевода"))
    membership = _open_membership(student)
    _require_after_membership_start(day, membership, _("Дата перевода"))
    if membership is not None:
        membership.until = day - timedelta(days=1)
    db.session.add(ClassMembership(student=student, class_group=to_class, since=day))
    _leave_subgroups(student, from_class)
    student.current_class = to_class
    event = EnrolmentEvent(
        student=student, kind="transfer", date=day, order_number=order_number, from_class=from_class, to_class=to_class
    )
    db.session.add(event)
    db.session.flush()
    audit.record(
        "student",
        student.id,
        "transfer",
        before={"class": from_class.name},
        after={"class": to_class.name, "date": day.isoformat(), "order": order_number},
        school_id=student.school_id,
        user_id=user.id,
    )
    return event


def withdraw_student(student: Student, day: date, order_number: str, reason: str, user: User) -> EnrolmentEvent:
    """Withdrawal (выбытие) by the director's order (001:2.6.10): the stay in the class ends the
    day before; the record and its history stay."""
    from_class = student.current_class
    if student.is_withdrawn or from_class is None:
        raise StructureError(N_("Обучающийся уже выбыл из школы."))
    order_number = _order_number(order_number)
    reason = (reason or "").strip()
    if not reason:
        raise StructureError(N_("Укажите причину выбытия."))
    _require_in_year(day, from_class.year, _("Дата выбытия"))
    membership = _open_membership(student)
    _require_after_membership_start(day, membership, _("Дата выбытия"))
    if membership is not None:
        membership.until = day - timedelta(days=1)
    _leave_subgroups(student, from_class)
    club_operations.leave_clubs(student, day - timedelta(days=1))
    student.current_class = None
    student.is_withdrawn = True
    event = EnrolmentEvent(
        student=student, kind="withdraw", date=day, order_number=order_number, from_class=from_class, note=reason[:300]
    )
    db.session.add(event)
    db.session.flush()
    audit.record(
        "student",
        student.id,
        "withdraw",
        before={"class": from_class.name},
        after={"date": day.isoformat(), "order": order_number},
        reason=reason,
        school_id=student.school_id,
        user_id=user.id,
    )
    return event
