"""Access rules of the state exam results (JRN-11, blueprints/reports/exams.py): the academic
office — the director, the deputy and the journal administrator — enters and imports the
protocols and reads the final marks; the families see theirs in the diary (access_rules_diary)."""
from tests.access import Rule

EXAM_OFFICE = frozenset({"admin", "director", "deputy"})


def grade_nine(s):
    """A 9А of the small school with two students, maths taught, a year period and year marks
    (Иванов 4, Кузнецова 3), made once per school for the rule's URL."""

    from extensions import db
    from models import ClassGroup, PeriodMark, Student, StudyPeriod, TeachingAssignment

    existing = getattr(s, "class_9a", None)
    if existing is not None:
        return existing
    class_9a = ClassGroup(school=s.school, year=s.year, name="9А", grade=9, letter="А")
    db.session.add(class_9a)
    db.session.flush()
    year_period = StudyPeriod(year=s.year, scheme="year", number=1, name="Год", start_date=s.year.start_date,
                              end_date=s.year.end_date)
    db.session.add(year_period)
    maths_9a = TeachingAssignment(school=s.school, year=s.year, teacher=s.maths_teacher, class_group=class_9a,
                                  subject=s.maths, scale=s.five)
    db.session.add(maths_9a)
    pupils = []
    for n, (last, first) in enumerate((("Иванов", "Иван"), ("Кузнецова", "Ксения"))):
        pupil = Student(school=s.school, last_name=last, first_name=first, book_number=f"9-{n + 1}",
                        current_class=class_9a)
        db.session.add(pupil)
        pupils.append(pupil)
    db.session.flush()
    for pupil, value in zip(pupils, ("4", "3"), strict=True):
        db.session.add(PeriodMark(school_id=s.school.id, student_id=pupil.id, subject_id=s.maths.id,
                                  period_id=year_period.id, assignment_id=maths_9a.id, value=value))
    db.session.commit()
    s.class_9a, s.pupils_9a, s.year_period, s.maths_9a = class_9a, pupils, year_period, maths_9a
    return class_9a


def kept_protocol(s):
    """A checked protocol waiting for its commit (the upload of the deputy's school)."""
    from blueprints.reports.exams import exam_uploads

    grade_nine(s)
    table = [["Номер в алфавитной книге", "Предмет", "Экзамен", "Отметка"], ["9-1", "Математика", "ОГЭ", "5"]]
    return exam_uploads.save({"school_id": s.school.id, "user_id": s.deputy.id, "filename": "protocol.csv",
                              "table": table})


RULES = [
    Rule("GET", "/reports/exams", EXAM_OFFICE, lambda s: f"/reports/exams?class_id={grade_nine(s).id}"),
    Rule("GET", "/reports/exams/classes/<int:class_id>/entry", EXAM_OFFICE,
         lambda s: f"/reports/exams/classes/{grade_nine(s).id}/entry?subject_id={s.maths.id}&kind=oge"),
    Rule("POST", "/reports/exams/classes/<int:class_id>/entry", EXAM_OFFICE,
         lambda s: f"/reports/exams/classes/{grade_nine(s).id}/entry",
         lambda s: {"subject_id": s.maths.id, "kind": "oge", f"m_{s.pupils_9a[0].id}": "5"}),
    Rule("GET", "/reports/exams/import", EXAM_OFFICE, lambda s: "/reports/exams/import"),
    Rule("POST", "/reports/exams/import", EXAM_OFFICE, lambda s: "/reports/exams/import", lambda s: {}),
    Rule("GET", "/reports/exams/import/<token>", EXAM_OFFICE, lambda s: f"/reports/exams/import/{kept_protocol(s)}"),
    Rule("POST", "/reports/exams/import/<token>", EXAM_OFFICE, lambda s: f"/reports/exams/import/{kept_protocol(s)}",
         lambda s: {}),
    Rule("POST", "/reports/exams/import/<token>/cancel", EXAM_OFFICE,
         lambda s: f"/reports/exams/import/{kept_protocol(s)}/cancel", lambda s: {}),
]
