"""The summary sheet's building (blueprints/reports/summary_sheet_queries.py) without HTTP: one
column per subject with a subgroup's marks under it, the alphabetical book's order, a student
who left the class shown and not counted, missed lessons with illness, the year sheet, the
ten-point scale counted by standing."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from blueprints.journal import operations
from blueprints.reports import summary_sheet_queries as queries
from extensions import db
from models import Attendance, ClassMembership, MarkingScale, PeriodMark, StudyPeriod
from tests.clock import school_date


@pytest.fixture
def s(small_school):
    return small_school()


def _mark(s, student, subject, assignment, period, value):
    db.session.add(PeriodMark(school_id=s.school.id, student_id=student.id, subject_id=subject.id,
                              period_id=period.id, assignment_id=assignment.id, value=value))


def test_one_column_per_subject_with_each_subgroups_marks(s):
    q2 = s.quarters[1]
    petrov, alekseeva, borisov, vasilieva = s.pupils_5a  # groups 1, 2, 1, 2
    _mark(s, petrov, s.english, s.english_5a_g1, q2, "5")
    _mark(s, alekseeva, s.english, s.english_5a_g2, q2, "3")
    _mark(s, borisov, s.english, s.english_5a_g1, q2, "осв")
    _mark(s, vasilieva, s.english, s.english_5a_g2, q2, "н/а")
    db.session.commit()
    sheet = queries.build_sheet(s.class_5a, str(q2.id))
    assert [c.name for c in sheet.columns] == ["Английский язык", "Математика", "Русский язык"]
    english = sheet.columns[0]
    assert {row.name: row.marks[s.english.id] for row in sheet.rows} == {
        petrov.full_name: ["5"], alekseeva.full_name: ["3"], borisov.full_name: ["осв"], vasilieva.full_name: ["н/а"]}
    # «осв» left out: 3 counted, 2 performing, 3 graded, 1 good
    assert (english.shares.counted, english.shares.performing, english.shares.good) == (3, 2, 1)
    assert english.shares.performance == Decimal("66.7") and english.shares.quality == Decimal("33.3")
    assert sheet.exempt_notes == [f"{borisov.full_name}: Английский язык"]
    by_name = {row.name: row for row in sheet.rows}
    assert by_name[vasilieva.full_name].counts == {"н/а": 1}
    assert by_name[borisov.full_name].counts == {}


def test_rows_follow_the_alphabetical_book(s):
    for pupil, number in zip(s.pupils_5a, ["Б-10", "А-2", "Б-9", "А-11"], strict=True):
        pupil.book_number = number
    db.session.commit()
    sheet = queries.build_sheet(s.class_5a, str(s.quarters[1].id))
    assert [row.book_number for row in sheet.rows] == ["А-2", "А-11", "Б-9", "Б-10"]
    assert [row.number for row in sheet.rows] == [1, 2, 3, 4]


def test_a_student_who_left_is_shown_with_the_date_and_not_counted(s):
    q2 = s.quarters[1]
    left = s.pupils_5a[3]
    membership = db.session.query(ClassMembership).filter_by(student_id=left.id).one()
    membership.until = q2.start_date + timedelta(days=10)
    for pupil, value in zip(s.pupils_5a, ["5", "4", "3", "2"], strict=True):
        _mark(s, pupil, s.maths, s.maths_5a, q2, value)
    db.session.commit()
    sheet = queries.build_sheet(s.class_5a, str(q2.id))
    row = next(r for r in sheet.rows if r.student_id == left.id)
    assert row.left_on == membership.until and row.marks[s.maths.id] == ["2"]
    maths = next(c for c in sheet.columns if c.subject_id == s.maths.id)
    assert maths.shares.performance == Decimal("100.0") and maths.shares.quality == Decimal("66.7")
    assert sheet.overall.counted == 3 and len(sheet.counted_rows) == 3
    # a student who left before the period is not on its sheet at all
    membership.until = q2.start_date - timedelta(days=1)
    db.session.commit()
    assert left.id not in {r.student_id for r in queries.build_sheet(s.class_5a, str(q2.id)).rows}


def test_missed_lessons_of_the_period_with_illness(s):
    day = school_date(2026, 11, 20)
    lessons = [operations.create_lesson(s.maths_5a, s.maths_teacher, day, n, "Тема", []) for n in (1, 2, 3)]
    lessons.append(operations.create_lesson(s.russian_5a, s.russian_teacher, day, 4, "Тема", []))
    db.session.flush()
    pupil = s.pupils_5a[0]
    for lesson, code in zip(lessons, ["ill", "unexcused", "late", "ill"], strict=True):
        db.session.add(Attendance(school_id=s.school.id, lesson_id=lesson.id, student_id=pupil.id, code=code))
    db.session.add(Attendance(school_id=s.school.id, lesson_id=lessons[0].id, student_id=s.pupils_5a[1].id,
                              code="absent", is_deleted=True))
    db.session.commit()
    sheet = queries.build_sheet(s.class_5a, str(s.quarters[1].id))
    by_id = {row.student_id: row for row in sheet.rows}
    assert (by_id[pupil.id].missed, by_id[pupil.id].missed_ill) == (3, 2)  # late is no absence
    assert by_id[s.pupils_5a[1].id].missed == 0  # a cleared absence
    assert queries.build_sheet(s.class_5a, str(s.quarters[0].id)).rows[0].missed == 0


def test_year_sheet_shows_each_period_and_counts_the_year_mark(s):
    year = StudyPeriod(year=s.year, scheme="year", number=1, name="Год", start_date=s.year.start_date,
                       end_date=s.year.end_date)
    db.session.add(year)
    db.session.flush()
    pupil = s.pupils_5a[0]
    _mark(s, pupil, s.maths, s.maths_5a, s.quarters[0], "3")
    _mark(s, pupil, s.maths, s.maths_5a, s.quarters[1], "5")
    _mark(s, pupil, s.maths, s.maths_5a, year, "4")
    db.session.commit()
    sheet = queries.build_sheet(s.class_5a, queries.YEAR)
    assert sheet.mark_headers == ["1", "2", "3", "4", "Год"]
    assert sheet.legend[-1] == ("Год", "Год") and sheet.legend[0] == ("1", "1 четверть")
    row = next(r for r in sheet.rows if r.student_id == pupil.id)
    assert row.marks[s.maths.id] == ["3", "5", "", "", "4"]
    assert row.counts == {"4": 1}
    assert queries.build_sheet(s.class_5a, "999999") is None


def test_ten_point_marks_count_by_standing(s):
    ten = MarkingScale(school=s.school, code="ten", name="Десятибалльная")
    db.session.add(ten)
    s.russian_5a.scale = ten
    q2 = s.quarters[1]
    for pupil, value in zip(s.pupils_5a, ["9", "5", "3", "зач"], strict=True):
        _mark(s, pupil, s.russian, s.russian_5a, q2, value)
    db.session.commit()
    sheet = queries.build_sheet(s.class_5a, str(q2.id))
    assert sheet.other_scales
    counts = [row.counts for row in sorted(sheet.rows, key=lambda r: r.student_id)]
    assert counts == [{"good": 1}, {"satisfactory": 1}, {"failed": 1}, {"зач": 1}]
    russian = next(c for c in sheet.columns if c.subject_id == s.russian.id)
    assert (russian.shares.performance, russian.shares.quality) == (Decimal("75.0"), Decimal("33.3"))
