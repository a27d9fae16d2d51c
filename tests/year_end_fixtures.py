"""Shared setup of the year's end tests: the year as a period of its own with year marks of 5А
(the first student has a «2» in maths), as the summary sheet reads them."""
from __future__ import annotations

from extensions import db
from models import PeriodMark, StudyPeriod
from tests.clock import school_date


def year_marks_5a(s, failing: str = "2"):
    year = StudyPeriod(year=s.year, scheme="year", number=1, name="Год",
                       start_date=school_date(2026, 9, 1), end_date=school_date(2027, 5, 31))
    db.session.add(year)
    db.session.flush()
    for n, pupil in enumerate(s.pupils_5a):
        for assignment, value in ((s.maths_5a, failing if n == 0 else "4"), (s.russian_5a, "5" if n else "3")):
            db.session.add(PeriodMark(school_id=s.school.id, student_id=pupil.id, subject_id=assignment.subject_id,
                                      period_id=year.id, assignment_id=assignment.id, value=value))
    db.session.commit()
    return year
