"""Period and year marks (JRN-7): what the grid shows in its "Итог" and "Год" columns, and the
use case that sets a mark. Like operations.py, the use case flushes and the view commits; the
history row is written in the same transaction (JRN-8)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import policy
from blueprints.journal import closing_queries, queries
from blueprints.journal.operations import Conflict, JournalError, record_change
from domain import closing, deadlines, grading
from domain.messages import N_
from domain.settings import school_settings
from extensions import db
from models import PeriodMark, Student, StudyPeriod, TeachingAssignment, User
from models.base import utcnow
from models.year_closing import ensure_year_open

MAX_REASON = 1000
# What a teacher may type for the special values, read as the stored spelling.
SPELLINGS = {"зачёт": "зач", "незачёт": "незач", "н/а": "н/а", "на": "н/а", "осв.": "осв"}
NOT_ASSESSED = "н/а"


@dataclass
class Suggestion:
    value: str | None
    average: Decimal | None
    enough_marks: bool = True
    count: int | None = None


def from_forecast(forecast) -> Suggestion:
    """The suggestion of a period mark from the period's current marks: with fewer marks than
    the school's minimum (min_marks_per_period) the student is not assessed, «н/а» (JRN-7),
    whatever the average of the few marks would round to."""
    if forecast is None:
        return Suggestion(None, None)
    if not forecast.enough_marks:
        return Suggestion(NOT_ASSESSED, forecast.average, False, forecast.count)
    return Suggestion(forecast.suggested, forecast.average, True, forecast.count)


@dataclass
class PeriodMarkColumn:
    """One column of period marks in the grid: the shown period ("Итог") or the year ("Год")."""

    period: StudyPeriod
    is_year: bool
    editable: bool
    marks: dict[int, PeriodMark] = field(default_factory=dict)
    suggestions: dict[int, Suggestion] = field(default_factory=dict)
    # The first day of the period's last week while it is still ahead (001:2.5.6): the cell
    # says from when the mark can be set instead of offering a form that would be refused.
    opens_on: date | None = None
    choices: list[str] = field(default_factory=list)  # what the cell's form offers (choices())


def choices(assignment: TeachingAssignment) -> list[str]:
    """The values a teacher may pick: the scale's, highest first, then н/а, зач, незач, осв."""
    values = list(reversed(grading.SCALES[assignment.marks_scale].values))
    return values + [v for v in grading.PERIOD_MARK_SPECIAL if v not in values]


def year_period_of(assignment: TeachingAssignment) -> StudyPeriod | None:
    return db.session.scalar(
        select(StudyPeriod).where(StudyPeriod.year_id == assignment.year_id, StudyPeriod.scheme == "year")
    )


def is_year_mark(period: StudyPeriod) -> bool:
    return period.scheme == "year"


def period_is_open(assignment: TeachingAssignment, period: StudyPeriod) -> bool:
    """Whether the period (and the year) is open for the assignment's class (one statement)."""
    return closing_queries.is_period_closed_for(period, assignment.class_group) is None


def marks_open_from(assignment: TeachingAssignment, period: StudyPeriod, settings) -> date:
    return deadlines.period_marks_open_from(period.end_date, settings["period_marks_window_days"])


def _school_today(assignment: TeachingAssignment, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(assignment.school.timezone)).date()


def new_column(assignment: TeachingAssignment, period: StudyPeriod, user: User, settings,
               may_set: bool | None = None, now: datetime | None = None, is_open: bool | None = None) -> PeriodMarkColumn:
    """An empty column: editable for the subject's teacher while the period and the year are
    open and the period's last week has come. `is_open`: already known (the grid's closures)."""
    if may_set is None:
        may_set = policy.can_set_period_marks(user, assignment)
    opens = marks_open_from(assignment, period, settings)
    waiting = _school_today(assignment, now) < opens
    if is_open is None:
        is_open = period_is_open(assignment, period) if may_set else False
    editable = may_set and is_open and not waiting
    return PeriodMarkColumn(
        period=period,
        is_year=is_year_mark(period),
        editable=editable,
        opens_on=opens if waiting and may_set and is_open else None,
        choices=choices(assignment) if editable else [],
    )


def student_column(assignment: TeachingAssignment, period: StudyPeriod, student_id: int, user: User,
                   forecast: grading.Forecast | None = None, settings=None) -> PeriodMarkColumn:
    """One student's cell of a period-mark column, as the grid would show it: after a period
    mark is saved (the suggestion worked out anew), or after a cell of the grid is saved (the
    suggestion from the row's new `forecast`). The one builder the views call (two queries, and
    one more for a suggestion without a forecast)."""
    settings = settings if settings is not None else school_settings(assignment.school.settings)
    column = new_column(assignment, period, user, settings)
    mark = load_mark(assignment, period, student_id)
    if mark is not None:
        column.marks[student_id] = mark
    if forecast is not None:
        column.suggestions[student_id] = from_forecast(forecast)
    else:
        column.suggestions[student_id] = suggestion_for(assignment, period, student_id, settings)
    return column


def _open_in_grid(grid, period: StudyPeriod) -> bool | None:
    closed = getattr(grid, "closed", None)
    if closed is None or period.id not in closed:
        return None
    return closed[period.id] is None


def marks_suggestion(assignment: TeachingAssignment, period: StudyPeriod, student_id: int, settings) -> Suggestion:
    """The mark the weighted average of the period rounds to (one query)."""
    return from_forecast(queries.forecast_for_student(assignment, period, student_id, settings))


def year_suggestion(period_values: list[str], assignment: TeachingAssignment, settings) -> Suggestion:
    """The year mark from the period marks: their plain average, rounded by the school's
    thresholds (the same rule as a period mark, domain/grading.py)."""
    scale_code = assignment.marks_scale
    marks = grading.numeric_marks([(v, Decimal(1)) for v in period_values], scale_code)
    average = grading.weighted_average(marks, use_weights=False)
    return Suggestion(grading.suggest_mark(average, grading.thresholds_for(settings, scale_code)), average)


def _year_suggestions(assignment: TeachingAssignment, student_ids: list[int], settings) -> dict[int, Suggestion]:
    """Year suggestions of many students in one query: the marks of the class's periods."""
    scheme_periods = select(StudyPeriod.id).where(
        StudyPeriod.year_id == assignment.year_id, StudyPeriod.scheme == assignment.class_group.period_scheme
    )
    values: dict[int, list[str]] = {sid: [] for sid in student_ids}
    rows = db.session.execute(
        select(PeriodMark.student_id, PeriodMark.value).where(
            PeriodMark.subject_id == assignment.subject_id,
            PeriodMark.period_id.in_(scheme_periods),
            PeriodMark.student_id.in_(student_ids),
        )
    )
    for student_id, value in rows:
        values.setdefault(student_id, []).append(value)
    return {sid: year_suggestion(v, assignment, settings) for sid, v in values.items()}


def suggestion_for(assignment: TeachingAssignment, period: StudyPeriod, student_id: int, settings) -> Suggestion:
    if is_year_mark(period) and assignment.class_group.period_scheme != "year":
        return _year_suggestions(assignment, [student_id], settings)[student_id]
    return marks_suggestion(assignment, period, student_id, settings)


def grid_columns(grid: queries.Grid, user: User) -> list[PeriodMarkColumn]:
    """The period-mark columns of a grid, in a fixed number of queries: "Итог" of the shown
    period from the data the grid already holds, and "Год" when the school has a year period
    and the shown period is not the year itself."""
    assignment, period = grid.assignment, grid.period
    if period is None or not assignment.carries_marks:
        return []
    may_set = policy.can_set_period_marks(user, assignment)
    student_ids = [s.id for s in grid.students]
    shown = new_column(assignment, period, user, grid.settings, may_set, is_open=_open_in_grid(grid, period))
    shown.marks = dict(grid.period_marks)
    if shown.is_year and assignment.class_group.period_scheme != "year":
        shown.suggestions = _year_suggestions_from(grid, assignment, student_ids)
    else:
        for sid in student_ids:
            shown.suggestions[sid] = from_forecast(grid.forecasts.get(sid))
    columns = [shown]
    if not shown.is_year:
        year = grid.year_period  # loaded with the grid: no statement here
        if year is not None:
            column = new_column(assignment, year, user, grid.settings, may_set, is_open=_open_in_grid(grid, year))
            if student_ids:
                column.marks = dict(grid.year_marks)
                column.suggestions = _year_suggestions_from(grid, assignment, student_ids)
            columns.append(column)
    return columns


def _year_suggestions_from(grid: queries.Grid, assignment: TeachingAssignment, student_ids: list[int]):
    return {
        sid: year_suggestion(grid.scheme_period_values.get(sid, []), assignment, grid.settings) for sid in student_ids
    }


def periods_for_marks(assignment: TeachingAssignment) -> list[StudyPeriod]:
    """The periods whose marks this assignment's teacher sets: the class's periods and the year."""
    periods = queries.periods_of(assignment)
    year = year_period_of(assignment)
    if year is not None and all(p.id != year.id for p in periods):
        periods.append(year)
    return periods


def load_mark(assignment: TeachingAssignment, period: StudyPeriod, student_id: int, lock: bool = False):
    query = select(PeriodMark).where(
        PeriodMark.student_id == student_id,
        PeriodMark.subject_id == assignment.subject_id,
        PeriodMark.period_id == period.id,
    )
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def normalise(value: str) -> str:
    value = (value or "").strip().lower()
    return SPELLINGS.get(value, value)


def _snapshot(mark: PeriodMark | None) -> dict | None:
    if mark is None:
        return None
    return {
        "value": mark.value,
        "suggested": mark.suggested,
        "average": str(mark.average) if mark.average is not None else None,
        "period_id": mark.period_id,
        "subject_id": mark.subject_id,
    }


def set_period_mark(
    assignment: TeachingAssignment,
    period: StudyPeriod,
    student: Student,
    user: User,
    value: str,
    reason: str = "",
    base: str | None = None,
    now: datetime | None = None,
    correction: bool = False,
) -> tuple[PeriodMark, bool]:
    """Set a student's period or year mark. Returns the mark and whether anything changed.

    A value other than the one the average rounds to needs a reason (REQUIREMENTS,
    Conventions); changing a year mark always needs a written explanation (001:2.6.8);
    a closed period or year is read-only (JRN-8). `base` is the version the teacher saw
    ("0": no mark yet): a newer one is refused as a conflict instead of being overwritten."""
    now = now or utcnow()
    settings = school_settings(assignment.school.settings)
    if period.year_id != assignment.year_id:
        raise JournalError(N_("Этот период относится к другому учебному году."), 404)
    ensure_year_open(assignment.year)  # a closed year: the one guard's refusal (ARC-1)
    closed = closing_queries.is_period_closed_for(period, assignment.class_group)
    if correction:
        # The academic office's reasoned correction of a closed period (JRN-8), not of a closed year.
        if closed is None:
            raise JournalError(N_("Период не закрыт: отметки за период ставит учитель журнала."), 409)
        if closed.is_year or not closing.may_correct_closed(user.roles):
            raise JournalError(closed.message, 409, **closed.params)
        if not (reason or "").strip():
            raise JournalError(N_("Исправление в закрытом периоде вносится с указанием причины."), 400)
    elif closed is not None:
        raise JournalError(closed.message, 409, **closed.params)
    opens = marks_open_from(assignment, period, settings)
    if _school_today(assignment, now) < opens:
        raise JournalError(
            N_("Отметки за «%(name)s» выставляются в последнюю неделю периода: с %(date)s."),
            409, name=period.name, date=opens.strftime("%d.%m.%Y"),
        )
    if student.school_id != assignment.school_id or db.session.scalar(
        queries.roster_query(assignment, period.start_date, period.end_date).where(Student.id == student.id)
    ) is None:
        raise JournalError(N_("Этот обучающийся не числится в классе или группе этого журнала."), 403)
    scale_code = assignment.marks_scale
    if not assignment.carries_marks:
        raise JournalError(N_("В этом классе отметки не ставятся — только посещаемость."))
    value = normalise(value)
    reason = (reason or "").strip()
    if not value:
        raise JournalError(N_("Выберите отметку."))
    if not grading.valid_period_mark(value, scale_code):
        allowed = choices(assignment)
        shown = ", ".join(allowed) if len(allowed) <= 16 else f"{allowed[-5]}–{allowed[0]}, " + ", ".join(allowed[-4:])
        raise JournalError(N_("«%(value)s» — не итоговая отметка (допустимо: %(values)s)."), value=value[:12], values=shown)
    if len(reason) > MAX_REASON:
        raise JournalError(N_("Причина слишком длинная (не больше %(n)s знаков)."), n=MAX_REASON)
    current = load_mark(assignment, period, student.id, lock=True)
    current_version = str(current.version) if current is not None else "0"
    if base is not None and base != "" and base != current_version:
        raise Conflict(
            N_("Эту отметку только что изменил другой пользователь. Проверьте значение и выберите снова."),
            current.value if current is not None else "",
        )
    if current is not None and current.value == value:
        return current, False
    suggestion = suggestion_for(assignment, period, student.id, settings)
    if not suggestion.enough_marks and grading.SCALES[scale_code].is_valid(value):
        # Too few marks to assess (JRN-7): «н/а», or «осв» for an exempt student — not a number.
        raise JournalError(
            N_("За «%(name)s» у обучающегося %(count)s отм. при минимуме %(min)s: он не аттестован — "
               "ставится «н/а» (или «осв», если освобождён)."),
            409, name=period.name, count=suggestion.count or 0,
            min=settings["min_marks_per_period"].get(period.scheme, 3),
        )
    if current is not None and is_year_mark(period) and not reason:
        raise JournalError(N_("Изменение годовой отметки требует письменного объяснения: укажите причину."))
    # Not assessed for too few marks: «осв», «зач»/«незач» state the student's status, no reason needed.
    special_instead_of_na = not suggestion.enough_marks and value in grading.PERIOD_MARK_SPECIAL
    if suggestion.value is not None and value != suggestion.value and not reason and not special_instead_of_na:
        raise JournalError(
            N_("Отметка отличается от рассчитанной по среднему баллу (%(s)s): укажите причину."), s=suggestion.value
        )
    before = _snapshot(current)
    if current is None:
        current = PeriodMark(
            school_id=assignment.school_id,
            student_id=student.id,
            subject_id=assignment.subject_id,
            period_id=period.id,
            assignment_id=assignment.id,
            version=1,
        )
        db.session.add(current)
    else:
        current.version = (current.version or 1) + 1
    current.value = value
    current.average = suggestion.average
    current.suggested = suggestion.value
    current.reason = reason
    current.assignment_id = assignment.id
    current.set_by_id = user.id
    current.set_at = now
    try:
        db.session.flush()
    except IntegrityError:
        # another save created the same mark at the same moment: it won
        db.session.rollback()
        existing = load_mark(assignment, period, student.id)
        raise Conflict(
            N_("Эту отметку только что изменил другой пользователь. Проверьте значение и выберите снова."),
            existing.value if existing is not None else "",
        ) from None
    record_change(
        assignment.school_id,
        user,
        "period_mark",
        current.id,
        "create" if before is None else "update",
        before,
        _snapshot(current),
        student_id=student.id,
        period_mark_id=current.id,
        reason=reason,
    )
    return current, True


def column_after_cell_save(lesson, period: StudyPeriod | None, student_id: int, forecast,
                           user: User) -> PeriodMarkColumn | None:
    """After a cell of the grid is saved, its row's "Итог" cell is re-rendered out of band so the
    suggestion follows the new average: none in a class without marks or outside any period."""
    assignment = lesson.assignment
    if period is None or forecast is None or not assignment.carries_marks:
        return None
    return student_column(assignment, period, student_id, user, forecast)
