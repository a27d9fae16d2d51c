"""The summary sheet (REP-1, issue 12 item 1) on the demo school: every student and subject of
5А for the current quarter; its counts and percentages equal a computation made here from the
raw PeriodMark and Attendance rows (never through the module under test); «н/а» for too few
marks, «зач» of a pass/fail subject and «осв» set through the journal's own operation; the
XLSX and the PDF hold the same numbers; the class teacher of another class is refused."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from blueprints.journal import period_marks_operations as pm_ops
from blueprints.journal.operations import JournalError
from extensions import db
from models import (
    Attendance,
    ClassGroup,
    CurriculumItem,
    Lesson,
    MarkingScale,
    PeriodMark,
    Student,
    StudyPeriod,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    User,
)
from models.journal import Mark

DEMO_PASSWORD = "demo2026"
# The last week of the demo's second quarter (2026-11-05 … 2026-12-28): period marks are open.
MARKS_DAY = datetime(2026, 12, 24, 9, 0, tzinfo=timezone.utc)
FIVE = {"5", "4", "3", "2"}


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    return result


def _class(name: str) -> ClassGroup:
    return db.session.scalar(select(ClassGroup).where(ClassGroup.name == name, ClassGroup.kind == "class"))


def _quarter(number: int) -> StudyPeriod:
    return db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == number))


def _students(class_group: ClassGroup) -> list[Student]:
    return list(db.session.scalars(select(Student).where(Student.current_class_id == class_group.id)))


def _assignments(class_group: ClassGroup) -> list[TeachingAssignment]:
    return list(db.session.scalars(select(TeachingAssignment).where(TeachingAssignment.class_id == class_group.id)))


def _roster_of(assignment: TeachingAssignment, students: list[Student]) -> list[Student]:
    if assignment.subgroup_id is None:
        return students
    members = set(db.session.scalars(select(SubgroupMember.student_id).where(
        SubgroupMember.subgroup_id == assignment.subgroup_id)))
    return [s for s in students if s.id in members]


def _set(assignment, period, student, value, reason=""):
    mark, _changed = pm_ops.set_period_mark(assignment, period, student, assignment.teacher, value,
                                            reason=reason, now=MARKS_DAY)
    return mark


@pytest.fixture
def sheet_5a(demo):
    """5А's second quarter with period marks set by each subject's teacher through the journal's
    operation: the mark the average rounds to; «н/а» for a student whose marks of one subject
    were removed (the operation refuses a number then); «осв» for one student in PE (or the
    first subject); «зач»/«незач» in a subject switched to the pass/fail scale."""
    class_5a = _class("5А")
    quarter = _quarter(2)
    students = _students(class_5a)
    assignments = sorted(_assignments(class_5a), key=lambda a: (a.subject.name, a.id))
    by_subject = {a.subject.name: a for a in assignments}
    marked = Counter(db.session.scalars(select(Lesson.assignment_id).join(Mark, Mark.lesson_id == Lesson.id).where(
        Lesson.assignment_id.in_([a.id for a in assignments]), Lesson.date >= quarter.start_date)))
    # the subject whose journal has the most marks becomes a pass/fail one (enough «зач» for all)
    pass_fail_assignment = max((a for a in assignments if a.subgroup_id is None), key=lambda a: marked[a.id])
    pass_fail = db.session.scalar(select(MarkingScale).where(MarkingScale.code == "pass_fail"))
    pass_fail_assignment.scale = pass_fail
    # its journal kept on the pass/fail scale: the quarter's marks are «зач»
    db.session.execute(update(Mark).where(Mark.lesson_id.in_(select(Lesson.id).where(
        Lesson.assignment_id == pass_fail_assignment.id))).values(value="зач"))
    exempt_assignment = by_subject.get("Физическая культура") or next(a for a in assignments if a is not pass_fail_assignment)
    not_attested = students[1]
    na_assignment = next(a for a in assignments if a.subgroup_id is None and a not in (pass_fail_assignment, exempt_assignment))
    lesson_ids = select(Lesson.id).where(Lesson.assignment_id == na_assignment.id)
    db.session.execute(update(Mark).where(Mark.student_id == not_attested.id, Mark.lesson_id.in_(lesson_ids))
                       .values(is_deleted=True))
    db.session.flush()
    with pytest.raises(JournalError):  # fewer than the minimum: a number is refused…
        _set(na_assignment, quarter, not_attested, "4", reason="проверка")
    settings_cache = {}
    for assignment in assignments:
        for i, student in enumerate(_roster_of(assignment, students)):
            if assignment is na_assignment and student.id == not_attested.id:
                _set(assignment, quarter, student, "н/а")  # …and «н/а» is what the journal takes
                continue
            if assignment is exempt_assignment and i == 0:
                _set(assignment, quarter, student, "осв", reason="освобождён по справке")
                continue
            if assignment is pass_fail_assignment:
                try:
                    _set(assignment, quarter, student, "незач" if i == 2 else "зач", reason="зачётный предмет")
                except JournalError:  # fewer «зач» marks than the minimum
                    _set(assignment, quarter, student, "н/а")
                continue
            from domain.settings import school_settings

            settings = settings_cache.setdefault(assignment.school_id, school_settings(assignment.school.settings))
            suggestion = pm_ops.suggestion_for(assignment, quarter, student.id, settings)
            value = suggestion.value if suggestion.enough_marks and suggestion.value else "н/а"
            if i == 3 and value in FIVE:
                value = "2"  # one failing mark, with the teacher's reason
            _set(assignment, quarter, student, value, reason="решение учителя")
    db.session.commit()
    return {"class": class_5a, "quarter": quarter, "students": students, "not_attested": not_attested,
            "na_subject": na_assignment.subject, "pass_fail_subject": pass_fail_assignment.subject}


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")


def _expected(class_group: ClassGroup, period: StudyPeriod) -> dict:
    """The sheet computed here from the raw rows: per student the counts and the missed lessons,
    per subject performance and quality, overall by students."""
    students = _students(class_group)
    subject_ids = set(db.session.scalars(select(CurriculumItem.subject_id).where(CurriculumItem.class_id == class_group.id)))
    marks: dict[tuple[int, int], str] = {}
    for row in db.session.scalars(select(PeriodMark).where(PeriodMark.period_id == period.id,
                                                           PeriodMark.student_id.in_([s.id for s in students]))):
        marks[(row.student_id, row.subject_id)] = row.value
    subjects = {}
    for subject_id in subject_ids:
        values = [marks[(s.id, subject_id)] for s in students if (s.id, subject_id) in marks]
        counted = [v for v in values if v != "осв"]
        performing = [v for v in counted if v in ("5", "4", "3", "зач")]
        graded = [v for v in counted if v != "зач"]
        good = [v for v in graded if v in ("5", "4")]
        subjects[subject_id] = (_percent(len(performing), len(counted)), _percent(len(good), len(graded)))
    per_student = {}
    counted = performing = graded = good = 0
    for s in students:
        values = [marks[(s.id, subject_id)] for subject_id in subject_ids if (s.id, subject_id) in marks]
        per_student[s.id] = Counter(values)
        mine = [v for v in values if v != "осв"]
        if not mine:
            continue
        counted += 1
        ok = all(v in ("5", "4", "3", "зач") for v in mine)
        performing += ok
        if any(v != "зач" for v in mine):
            graded += 1
            good += ok and all(v in ("5", "4") for v in mine if v != "зач")
    absences = Counter()
    ill = Counter()
    for student_id, code in db.session.execute(
        select(Attendance.student_id, Attendance.code).join(Lesson, Lesson.id == Attendance.lesson_id)
        .join(TeachingAssignment, TeachingAssignment.id == Lesson.assignment_id)
        .where(TeachingAssignment.class_id == class_group.id, Lesson.date >= period.start_date,
               Lesson.date <= period.end_date, Attendance.is_deleted.is_(False))
    ):
        if code in ("absent", "ill", "excused", "unexcused"):
            absences[student_id] += 1
            ill[student_id] += code == "ill"
    return {"students": students, "subjects": subjects, "per_student": per_student, "absences": absences, "ill": ill,
            "overall": (_percent(performing, counted), _percent(good, graded))}


def _login(client, login: str):
    response = client.post("/auth/login", data={"login": login, "password": DEMO_PASSWORD})
    assert response.status_code in (302, 303), login


def _xlsx(client, class_group, period):
    response = client.get(f"/reports/classes/{class_group.id}/summary.xlsx?period={period.id}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def test_sheet_has_every_student_and_subject_and_independent_figures(client, sheet_5a):
    class_5a, quarter = sheet_5a["class"], sheet_5a["quarter"]
    expected = _expected(class_5a, quarter)
    _login(client, "teacher")  # the class teacher of 5А
    page = client.get(f"/reports/classes/{class_5a.id}/summary?period={quarter.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Сводная ведомость учёта успеваемости обучающихся 5А класса за 2 четверть 2026/2027 учебного года" in text
    for student in expected["students"]:
        assert student.full_name in text
    subjects = db.session.scalars(select(Subject).join(CurriculumItem).where(CurriculumItem.class_id == class_5a.id)).all()
    for subject in subjects:
        assert (subject.short_name or subject.name) in text

    ws = _xlsx(client, class_5a, quarter)
    headers = {ws.cell(row=6, column=c).value: c for c in range(1, ws.max_column + 1)}
    names = {ws.cell(row=r, column=2).value: r for r in range(7, ws.max_row + 1)}
    assert len([s for s in expected["students"] if s.full_name in names]) == len(expected["students"])
    for student in expected["students"]:
        r = names[student.full_name]
        mine = expected["per_student"][student.id]
        for value in ("5", "4", "3", "2", "зач", "н/а"):
            assert ws.cell(row=r, column=headers[f"«{value}»"]).value == mine[value], (student.full_name, value)
        assert ws.cell(row=r, column=headers["всего"]).value == expected["absences"][student.id]
        assert ws.cell(row=r, column=headers["по болезни"]).value == expected["ill"][student.id]
    # the order of the alphabetical book
    rows = sorted(expected["students"], key=lambda s: names[s.full_name])
    assert [s.book_number for s in rows] == sorted((s.book_number for s in rows),
                                                   key=lambda b: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", b)])

    perf_row = names["Успеваемость, %"]
    qual_row = names["Качество, %"]
    subject_headers = {ws.cell(row=5, column=c).value: c for c in range(3, ws.max_column + 1) if ws.cell(row=5, column=c).value}
    for subject in subjects:
        c = subject_headers[subject.name]
        performance, quality = expected["subjects"][subject.id]
        shown = ws.cell(row=perf_row, column=c).value
        assert (f"{Decimal(str(shown)).quantize(Decimal('0.1'))}".replace(".", ",") if shown is not None else "—") == performance
        shown = ws.cell(row=qual_row, column=c).value
        assert (f"{Decimal(str(shown)).quantize(Decimal('0.1'))}".replace(".", ",") if shown is not None else "—") == quality
        # the page shows the same figures
        assert f">{performance}<" in text and f">{quality}<" in text
    overall_perf, overall_quality = expected["overall"]
    assert f"по классу: {overall_perf}" in text and f"по классу: {overall_quality}" in text
    assert ws.cell(row=perf_row, column=headers["«5»"]).number_format == "0.0"


def test_not_attested_pass_fail_and_exempt_count_as_the_rules_say(client, sheet_5a):
    class_5a, quarter = sheet_5a["class"], sheet_5a["quarter"]
    na = db.session.scalar(select(PeriodMark).where(
        PeriodMark.student_id == sheet_5a["not_attested"].id, PeriodMark.subject_id == sheet_5a["na_subject"].id,
        PeriodMark.period_id == quarter.id))
    assert na.value == "н/а"
    _login(client, "deputy")
    ws = _xlsx(client, class_5a, quarter)
    subject_headers = {ws.cell(row=5, column=c).value: c for c in range(3, ws.max_column + 1) if ws.cell(row=5, column=c).value}
    names = {ws.cell(row=r, column=2).value: r for r in range(7, ws.max_row + 1)}
    c = subject_headers[sheet_5a["pass_fail_subject"].name]
    # «зач» counts as performance, never as quality: with one «незач» (or «н/а») the quality's
    # base is the failed ones alone, and nobody in it is good
    values = [ws.cell(row=names[s.full_name], column=c).value for s in sheet_5a["students"]]
    assert "зач" in values and "незач" in values and set(values) <= {"зач", "незач", "н/а"}
    assert ws.cell(row=names["Качество, %"], column=c).value == 0
    expected = Decimal(values.count("зач") * 100) / len(values)
    assert Decimal(str(ws.cell(row=names["Успеваемость, %"], column=c).value)) == expected.quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)
    notes = [ws.cell(row=r, column=2).value for r in range(names["Качество, %"] + 1, ws.max_row + 1)]
    assert any("осв" in (n or "") for n in notes)
    page = client.get(f"/reports/classes/{class_5a.id}/summary?period={quarter.id}").get_data(as_text=True)
    assert "Освобождены («осв»)" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_pdf_holds_the_numbers_of_the_xlsx(client, sheet_5a, tmp_path):
    class_5a, quarter = sheet_5a["class"], sheet_5a["quarter"]
    _login(client, "director")
    ws = _xlsx(client, class_5a, quarter)
    response = client.get(f"/reports/classes/{class_5a.id}/summary.pdf?period={quarter.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Сводная ведомость учёта успеваемости обучающихся 5А класса" in " ".join(text.split())
    assert "М.П." in text and "Классный руководитель" in text and "Директор" in text
    names = {ws.cell(row=r, column=2).value: r for r in range(7, ws.max_row + 1)}
    lines = text.splitlines()
    for label in ("Успеваемость, %", "Качество, %"):
        r = names[label]
        from_xlsx = [f"{Decimal(str(ws.cell(row=r, column=c).value)).quantize(Decimal('0.1'))}".replace(".", ",")
                     for c in range(3, ws.max_column + 1)
                     if isinstance(ws.cell(row=r, column=c).value, (int, float))]
        line = next(line for line in lines if label in line)
        from_pdf = re.findall(r"\d+,\d", line)
        assert from_pdf == from_xlsx, (label, from_pdf, from_xlsx)
    # each student's line: the counts and the missed lessons as in the XLSX
    headers = {ws.cell(row=6, column=c).value: c for c in range(1, ws.max_column + 1)}
    for student in sheet_5a["students"][:5]:
        r = names[student.full_name]
        line = next(line for line in lines if student.last_name in line and student.first_name in line)
        tail = [ws.cell(row=r, column=headers[h]).value for h in ("«5»", "«4»", "«3»", "«2»", "«зач»", "«н/а»", "всего", "по болезни")]
        assert line.split()[-len(tail):] == [str(v) for v in tail], (line, tail)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_pdf_is_a_certified_printout_checked_at_verify(client, demo, tmp_path):
    """The sheet's PDF carries its verification code in the layout's footer (one footer, one
    signature block) and /verify/<code> shows its record of kind summary_sheet (REP-4)."""
    from domain.printout_codes import grouped
    from models.printouts import Printout

    class_5a = _class("5А")
    quarter = _quarter(2)
    _login(client, "director")
    response = client.get(f"/reports/classes/{class_5a.id}/summary.pdf?period={quarter.id}")
    assert response.status_code == 200
    printout = db.session.scalar(select(Printout).where(Printout.kind == "summary_sheet").order_by(Printout.id.desc()))
    assert printout is not None and printout.of == {"class_id": class_5a.id, "period_id": str(quarter.id)}
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    code = grouped(printout.code)
    assert code in text and f"/verify/{code}" in text
    assert text.count("М.П.") == 1 and text.count("Классный руководитель") == 1
    assert re.search(r"стр\. 1 из \d+", text)
    class_teacher = class_5a.class_teacher
    assert class_teacher.last_name in text.split("Классный руководитель", 1)[1]
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert code in html and "Сводная ведомость" in html and "5А" in html


def test_class_teacher_of_another_class_is_refused(client, demo):
    class_5b = _class("5Б")
    _login(client, "teacher")  # class teacher of 5А
    for suffix in ("", ".pdf", ".xlsx"):
        assert client.get(f"/reports/classes/{class_5b.id}/summary{suffix}").status_code == 403
    assert client.get(f"/reports/classes/{_class('5А').id}/summary").status_code == 200
    listing = client.get("/reports/summary").get_data(as_text=True)
    assert "5А" in listing and f"/reports/classes/{class_5b.id}/summary" not in listing


def test_class_page_links_to_the_sheet_for_those_allowed(client, demo):
    class_5a = _class("5А")
    _login(client, "teacher")
    page = client.get(f"/journal/classes/{class_5a.id}").get_data(as_text=True)
    assert f"/reports/classes/{class_5a.id}/summary" in page
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    if admin is not None and not admin.has_role("director", "deputy", "methodist"):
        client.post("/auth/logout")
        _login(client, "admin")
        page = client.get(f"/journal/classes/{class_5a.id}").get_data(as_text=True)
        assert f"/reports/classes/{class_5a.id}/summary" not in page


def test_year_sheet_shows_each_quarter_and_the_year(client, sheet_5a):
    class_5a = sheet_5a["class"]
    _login(client, "methodist")
    page = client.get(f"/reports/classes/{class_5a.id}/summary?period=year")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "за 2026/2027 учебный год" in text
    assert text.count(">Год<") >= 2  # the period button and the year's column under each subject
    assert client.get(f"/reports/classes/{class_5a.id}/summary?period=999999").status_code == 404
