"""A new academic year opened from the current one (ADM-1, issue 10 item 5): its periods with
the dates moved a year on, the classes one grade up with their students, subgroups, curriculum
and the teaching assignments the administrator confirms; the eleventh grade graduates.

`plan_new_year` only reads: it is the preview. `open_new_year` checks everything first and then
writes in the request's one transaction (it only flushes, the view commits), so a refusal stores
nothing. Students move by `promote_students`, which takes one decision per student (promoted by
default): the teachers' council's decisions (перевод, условный перевод, оставление на повторное
обучение) plug in there once they are recorded. `follow_current_year` moves
`Student.current_class` when the new year becomes the current one."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from blueprints.admin.structure import operations
from blueprints.admin.structure.operations import StructureError
from domain.messages import N_, Refusal
from extensions import db
from models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    CurriculumItem,
    EnrolmentEvent,
    Student,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
    User,
)
from models.school import PERIOD_SCHEMES
from utils import audit

LAST_GRADE = 11
PROMOTED, REPEAT = "promoted", "repeat"
# The council's decisions this step understands; «условный перевод» moves the student up like a
# promotion (the academic debt is the council's record, not a class of its own).
DECISIONS = (PROMOTED, REPEAT)
# Copied as they are; the rest is set by the step (the year, the name and grade one up, the
# class teacher from the preview) or by the database.
_NOT_COPIED = {"id", "year_id", "name", "grade", "class_teacher_id", "created_at"}


class NewYearRefused(Refusal):
    """The new year cannot be opened as asked; nothing was stored."""


@dataclass
class ClassStep:
    """What happens to one class or group of the source year."""

    source: ClassGroup
    new_name: str | None  # None: the class graduates
    new_grade: int
    teacher_id: int | None
    students: list[Student] = field(default_factory=list)

    @property
    def graduates(self) -> bool:
        return self.new_name is None

    @property
    def is_extra(self) -> bool:
        return self.source.kind == "extra"


@dataclass
class NewYearPlan:
    source: AcademicYear
    name: str
    start: date
    end: date
    periods: list[tuple[str, int, str, date, date]]
    steps: list[ClassStep]
    assignments: list[TeachingAssignment]  # active ones of classes that go on

    @property
    def graduating(self) -> list[ClassStep]:
        return [s for s in self.steps if s.graduates]

    @property
    def going_on(self) -> list[ClassStep]:
        return [s for s in self.steps if not s.graduates]

    def step_of(self, class_id: int) -> ClassStep | None:
        return next((s for s in self.steps if s.source.id == class_id), None)


def next_year_name(source: AcademicYear) -> str:
    first = source.start_date.year + 1
    return f"{first}/{first + 1}"


def default_dates(source: AcademicYear) -> tuple[date, date]:
    """1 September (the next day when it is a Sunday) to 31 May (the Friday before when it is a
    weekend) of the next year: the usual frame of the school year; the administrator corrects it."""
    first = source.start_date.year + 1
    start = date(first, 9, 1)
    if start.isoweekday() == 7:
        start += timedelta(days=1)
    end = date(first + 1, 5, 31)
    while end.isoweekday() > 5:
        end -= timedelta(days=1)
    return start, end


def _a_year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def shifted_periods(source: AcademicYear, start: date, end: date) -> list[tuple[str, int, str, date, date]]:
    """The source's periods a calendar year on (the Ministry's holidays are calendar dates), the
    first of each scheme from the new start, the last to the new end."""
    by_scheme: dict[str, list[StudyPeriod]] = defaultdict(list)
    for period in sorted(source.periods, key=lambda p: (PERIOD_SCHEMES.index(p.scheme), p.number)):
        by_scheme[period.scheme].append(period)
    result = []
    for scheme, periods in by_scheme.items():
        shifted = []
        for i, period in enumerate(periods):
            p_start = start if i == 0 else max(_a_year_on(period.start_date), start)
            p_end = end if i == len(periods) - 1 else min(_a_year_on(period.end_date), end)
            if p_start > p_end or (shifted and shifted[-1][4] >= p_start):
                raise NewYearRefused(
                    N_("Период «%(name)s» не помещается в даты нового года: выберите другие даты "
                       "или исправьте периоды текущего года."),
                    name=period.name,
                )
            shifted.append((scheme, period.number, period.name, p_start, p_end))
        result += shifted
    return result


def promoted_name(class_group: ClassGroup) -> str:
    """5А -> 6А: the grade at the start of the name goes one up, the rest stays."""
    new_grade = str(class_group.grade + 1)
    if re.match(rf"{class_group.grade}(?!\d)", class_group.name):
        return new_grade + class_group.name[len(str(class_group.grade)):]
    return f"{new_grade}{class_group.letter}"


def _require_source(source: AcademicYear) -> None:
    if not source.is_current:
        raise NewYearRefused(
            N_("Новый учебный год открывается на основе текущего, а %(name)s — не текущий."), name=source.name
        )
    name = next_year_name(source)
    exists = db.session.scalar(
        select(AcademicYear.id).where(AcademicYear.school_id == source.school_id, AcademicYear.name == name)
    )
    if exists:
        raise NewYearRefused(
            N_("Учебный год %(name)s уже открыт; повторно перевести классы нельзя."), name=name, status=409
        )


def plan_new_year(source: AcademicYear, start: date | None = None, end: date | None = None) -> NewYearPlan:
    """What opening the next year would create; reads only."""
    _require_source(source)
    default_start, default_end = default_dates(source)
    start, end = start or default_start, end or default_end
    if start >= end:
        raise NewYearRefused(N_("Дата начала учебного года должна быть раньше даты окончания."))
    if start <= source.end_date:
        raise NewYearRefused(
            N_("Новый учебный год должен начинаться после окончания текущего (%(end)s)."),
            end=source.end_date.strftime("%d.%m.%Y"),
        )
    classes = db.session.scalars(
        select(ClassGroup)
        .where(ClassGroup.year_id == source.id)
        .options(selectinload(ClassGroup.class_teacher), selectinload(ClassGroup.subgroups).selectinload(Subgroup.members))
        .order_by(ClassGroup.kind, ClassGroup.grade, ClassGroup.name)
    ).all()
    steps = []
    for group in classes:
        if group.kind == "extra":
            steps.append(ClassStep(group, group.name, group.grade, group.class_teacher_id))
        elif group.grade >= LAST_GRADE:
            steps.append(ClassStep(group, None, group.grade, None))
        else:
            steps.append(ClassStep(group, promoted_name(group), group.grade + 1, group.class_teacher_id))
    names = [s.new_name for s in steps if s.new_name is not None]
    for name in names:
        if names.count(name) > 1:
            raise NewYearRefused(N_("Два класса получили бы одно имя %(name)s: переименуйте один из них."), name=name)
    by_id = {s.source.id: s for s in steps}
    for student in db.session.scalars(
        select(Student)
        .where(Student.current_class_id.in_(list(by_id) or [-1]), Student.is_withdrawn.is_(False))
        .order_by(Student.last_name, Student.first_name, Student.id)
    ):
        by_id[student.current_class_id].students.append(student)
    going_on = {s.source.id for s in steps if not s.graduates}
    assignments = db.session.scalars(
        select(TeachingAssignment)
        .where(
            TeachingAssignment.year_id == source.id,
            TeachingAssignment.is_active.is_(True),
            TeachingAssignment.class_id.in_(list(going_on) or [-1]),
        )
        .options(
            selectinload(TeachingAssignment.teacher),
            selectinload(TeachingAssignment.subject),
            selectinload(TeachingAssignment.subgroup),
            selectinload(TeachingAssignment.scale),
        )
    ).all()
    order = {s.source.id: i for i, s in enumerate(steps)}
    assignments = sorted(
        assignments,
        key=lambda a: (order[a.class_id], a.subject.name, a.subgroup.name if a.subgroup else "", a.id),
    )
    return NewYearPlan(
        source=source,
        name=next_year_name(source),
        start=start,
        end=end,
        periods=shifted_periods(source, start, end),
        steps=steps,
        assignments=list(assignments),
    )


def repeat_target(plan: NewYearPlan, step: ClassStep) -> ClassStep:
    """The new year's class of the same grade, the same letter first, for a student kept down."""
    same_grade = [s for s in plan.going_on if not s.is_extra and s.new_grade == step.source.grade]
    if not same_grade:
        raise NewYearRefused(
            N_("В новом учебном году нет классов %(grade)s-й параллели: оставить обучающегося "
               "на повторное обучение в %(grade)s классе нельзя. Откройте год без этого решения, "
               "добавьте класс и переведите обучающегося в него."),
            grade=step.source.grade,
        )
    same_letter = [s for s in same_grade if s.source.letter == step.source.letter]
    return (same_letter or same_grade)[0]


def open_new_year(
    source: AcademicYear,
    *,
    start: date,
    end: date,
    order_number: str,
    teachers: dict[int, int | None],
    assignment_ids: set[int],
    decisions: dict[int, str],
    user: User,
) -> AcademicYear:
    """Open the next year from `source` as the preview showed it. `teachers`: source class id ->
    the class teacher of its new class; `assignment_ids`: the confirmed assignments to copy;
    `decisions`: student id -> one of DECISIONS (missing: promoted)."""
    plan = plan_new_year(source, start, end)
    teacher_ids = _check_teachers(source, teachers)
    bad = set(decisions.values()) - set(DECISIONS)
    if bad:
        raise NewYearRefused(N_("Неизвестное решение о переводе."))
    known = {s.id for step in plan.steps for s in step.students}
    if set(decisions) - known:
        raise NewYearRefused(N_("Решение указано для обучающегося, которого нет в классах этого года."))
    listed = {a.id for a in plan.assignments}
    if assignment_ids - listed:
        raise NewYearRefused(N_("Нагрузка для переноса не найдена среди нагрузки этого года."))
    graduates = [s for step in plan.graduating for s in step.students if decisions.get(s.id, PROMOTED) == PROMOTED]
    if graduates:
        try:
            order_number = operations._order_number(order_number)
        except StructureError as error:
            raise NewYearRefused(N_("Укажите номер приказа о выпуске обучающихся 11 классов.")) from error
    for step in plan.steps:
        if not step.is_extra:
            for student in step.students:
                if decisions.get(student.id, PROMOTED) == REPEAT:
                    repeat_target(plan, step)  # refuses before anything is written

    try:
        year = operations.open_year(source.school, plan.name, plan.start, plan.end)
    except StructureError as error:
        raise NewYearRefused(error.message, **error.params) from error
    db.session.add_all(
        StudyPeriod(year=year, scheme=scheme, number=number, name=name, start_date=p_start, end_date=p_end,
                    is_closed=False)
        for scheme, number, name, p_start, p_end in plan.periods
    )
    new_classes: dict[int, ClassGroup] = {}
    new_subgroups: dict[int, Subgroup] = {}
    for step in plan.going_on:
        new_classes[step.source.id] = _copy_class(step, year, teacher_ids.get(step.source.id, step.teacher_id))
        for subgroup in step.source.subgroups:
            new_subgroups[subgroup.id] = _copy_row(subgroup, Subgroup, {"id", "class_id"},
                                                   class_group=new_classes[step.source.id])
    db.session.flush()
    _copy_curriculum(plan, new_classes)
    for assignment in plan.assignments:
        if assignment.id in assignment_ids:
            _copy_row(assignment, TeachingAssignment, {"id", "year_id", "class_id", "subgroup_id", "created_at"},
                      year=year, class_group=new_classes[assignment.class_id],
                      subgroup=new_subgroups.get(assignment.subgroup_id) if assignment.subgroup_id else None)
    promote_students(plan, year, new_classes, new_subgroups, decisions, order_number, user)
    db.session.flush()
    audit.record(
        "academic_year",
        year.id,
        "open_from",
        before={"year": source.name},
        after={
            "classes": len(new_classes),
            "graduates": len(graduates),
            "assignments": len(assignment_ids),
            "repeat": sorted(sid for sid, d in decisions.items() if d == REPEAT),
        },
        school_id=source.school_id,
        user_id=user.id,
    )
    return year


def _check_teachers(source: AcademicYear, teachers: dict[int, int | None]) -> dict[int, int | None]:
    wanted = {t for t in teachers.values() if t is not None}
    if not wanted:
        return teachers
    found = db.session.scalars(select(User).where(User.id.in_(wanted))).all()
    ok = {u.id for u in found if u.school_id == source.school_id and u.is_active_account
          and u.has_role(*policy.TEACHING_ROLES)}
    if wanted - ok:
        raise NewYearRefused(N_("Классным руководителем можно назначить только учителя своей школы."))
    return teachers


def _copy_row(row, model, skip: set[str], **values):
    """A copy of `row` with every column except `skip` (columns added later come along)."""
    data = {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key not in skip}
    data.update(values)
    copy = model(**data)
    db.session.add(copy)
    return copy


def _copy_class(step: ClassStep, year: AcademicYear, teacher_id: int | None) -> ClassGroup:
    values = {"year": year, "name": step.new_name, "grade": step.new_grade, "class_teacher_id": teacher_id}
    if step.new_grade > 1 and not step.is_extra:
        values["attendance_only"] = False  # marks begin after the first grade (003 Положение 1.3)
    return _copy_row(step.source, ClassGroup, _NOT_COPIED, **values)


def _copy_curriculum(plan: NewYearPlan, new_classes: dict[int, ClassGroup]) -> None:
    items = db.session.scalars(select(CurriculumItem).where(CurriculumItem.class_id.in_(list(new_classes) or [-1])))
    for item in items:
        _copy_row(item, CurriculumItem, {"id", "class_id"}, class_group=new_classes[item.class_id])


def promote_students(
    plan: NewYearPlan,
    year: AcademicYear,
    new_classes: dict[int, ClassGroup],
    new_subgroups: dict[int, Subgroup],
    decisions: dict[int, str],
    order_number: str,
    user: User,
) -> None:
    """Every student of the source year's classes by their decision (default: promoted): the
    stay in the old class ends with the old year; a promoted student starts the new year in the
    class one grade up and its subgroups, one kept down (оставлен на повторное обучение) in the
    new class of the same grade, and an eleventh-grader graduates with an enrolment event by the
    director's order (001:2.6.10). Additional-education groups are copied without members.
    `Student.current_class` stays until the new year becomes the current one."""
    old_end = plan.source.end_date
    students = [s for step in plan.steps if not step.is_extra for s in step.students]
    memberships = {
        (m.student_id, m.class_id): m
        for m in db.session.scalars(
            select(ClassMembership).where(
                ClassMembership.student_id.in_([s.id for s in students] or [-1]), ClassMembership.until.is_(None)
            )
        )
    }
    subgroup_of: dict[int, list[int]] = defaultdict(list)
    for step in plan.going_on:
        for subgroup in step.source.subgroups:
            for member in subgroup.members:
                subgroup_of[member.student_id].append(subgroup.id)
    for step in plan.steps:
        if step.is_extra:
            continue
        for student in step.students:
            decision = decisions.get(student.id, PROMOTED)
            membership = memberships.get((student.id, step.source.id))
            if membership is not None:
                membership.until = max(old_end, membership.since)
            if decision == REPEAT:
                target = new_classes[repeat_target(plan, step).source.id]
                db.session.add(ClassMembership(student=student, class_group=target, since=year.start_date))
                audit.record("student", student.id, "repeat_grade", before={"class": step.source.name},
                             after={"class": target.name, "year": year.name}, school_id=student.school_id,
                             user_id=user.id)
            elif step.graduates:
                db.session.add(EnrolmentEvent(
                    student=student, kind="graduate", date=old_end, order_number=order_number,
                    from_class=step.source, note="Окончил(а) 11 классов",
                ))
            else:
                target = new_classes[step.source.id]
                db.session.add(ClassMembership(student=student, class_group=target, since=year.start_date))
                for subgroup_id in subgroup_of.get(student.id, ()):
                    if subgroup_id in new_subgroups:
                        db.session.add(SubgroupMember(subgroup=new_subgroups[subgroup_id], student=student))


def follow_current_year(year: AcademicYear) -> int:
    """When `year` becomes current, each student's current class becomes their class of that
    year, and the graduates of the year before leave the school. Returns how many moved."""
    rows = db.session.execute(
        select(ClassMembership.student_id, ClassMembership.class_id)
        .join(ClassGroup, ClassGroup.id == ClassMembership.class_id)
        .where(ClassGroup.year_id == year.id, ClassGroup.kind == "class", ClassMembership.until.is_(None))
        .order_by(ClassMembership.since)
    ).all()
    class_of = {student_id: class_id for student_id, class_id in rows}
    graduated = {
        event.student_id: event.from_class_id
        for event in db.session.scalars(
            select(EnrolmentEvent)
            .join(Student, Student.id == EnrolmentEvent.student_id)
            .where(Student.school_id == year.school_id, EnrolmentEvent.kind == "graduate",
                   EnrolmentEvent.date < year.start_date, Student.is_withdrawn.is_(False))
        )
    }
    moved = 0
    for student in db.session.scalars(
        select(Student).where(Student.id.in_(list(class_of) + list(graduated) or [-1]), Student.is_withdrawn.is_(False))
    ):
        if student.id in class_of and student.current_class_id != class_of[student.id]:
            student.current_class_id = class_of[student.id]
            moved += 1
        elif student.id not in class_of and graduated.get(student.id) == student.current_class_id:
            student.current_class_id = None
            student.is_withdrawn = True
            moved += 1
    db.session.flush()
    return moved

