"""The statistics of study and their dynamics (REP-2, issue 12 item 2): the figures equal an
independent computation from the raw rows; the charts are SVG without a script and their table
holds the same numbers; a class teacher sees only their own class; the statements of a page do
not grow with the school; the family sees the student's own chart in the diary."""
from __future__ import annotations

import base64
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from domain import statistics as rules
from domain.grading import WeightedMark, weighted_average
from extensions import db
from models import Attendance, ClassGroup, Mark, PeriodMark, TeachingAssignment, WorkKind
from tests.clock import school_date

QUARTER_2 = school_date(2026, 11, 5)
BUDGET = 20


@pytest.fixture
def world(app, small_school):
    """5А: maths with marks of two kinds of work, Russian with a few marks; absences; the first
    quarter's period marks of maths and Russian (one «2», one «зач» kept out of quality)."""
    s = small_school()
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.lessons = []
    for n in range(4):
        lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, QUARTER_2 + timedelta(days=n), 2, f"Тема {n}",
                                          [s.kinds["test"], s.kinds["oral"]])
        s.lessons.append(lesson)
    r_lesson = operations.create_lesson(s.russian_5a, s.russian_teacher, QUARTER_2, 3, "Орфография", [s.kinds["oral"]])
    db.session.flush()
    petrov, alekseeva, borisov, vasilieva = s.pupils_5a
    marks = {  # maths: (lesson index, kind, value)
        petrov: [(0, "test", "5"), (1, "oral", "4"), (2, "oral", "5"), (3, "oral", "4")],
        alekseeva: [(0, "test", "2"), (1, "oral", "3"), (2, "oral", "2")],
        borisov: [(0, "test", "4"), (1, "oral", "4")],
        vasilieva: [(0, "test", "3"), (1, "oral", "5"), (2, "oral", "4"), (3, "test", "4")],
    }
    for pupil, rows in marks.items():
        for index, kind, value in rows:
            db.session.add(Mark(school_id=s.school.id, lesson_id=s.lessons[index].id, student_id=pupil.id,
                                work_kind_id=s.kinds[kind].id, value=value))
    db.session.add(Mark(school_id=s.school.id, lesson_id=s.lessons[3].id, student_id=borisov.id,
                        work_kind_id=s.kinds["oral"].id, value="5", is_deleted=True))  # removed: does not count
    for pupil, value in [(petrov, "5"), (alekseeva, "3"), (borisov, "4")]:
        db.session.add(Mark(school_id=s.school.id, lesson_id=r_lesson.id, student_id=pupil.id,
                            work_kind_id=s.kinds["oral"].id, value=value))
    for index, pupil, code in [(0, borisov, "ill"), (1, borisov, "ill"), (2, alekseeva, "unexcused"),
                               (3, alekseeva, "unexcused"), (3, borisov, "late")]:
        db.session.add(Attendance(school_id=s.school.id, lesson_id=s.lessons[index].id, student_id=pupil.id, code=code))
    s.q1 = s.quarters[0]
    period_marks = [  # (pupil, assignment, value) of the first quarter
        (petrov, s.maths_5a, "5"), (petrov, s.russian_5a, "4"),
        (alekseeva, s.maths_5a, "2"), (alekseeva, s.russian_5a, "3"),
        (borisov, s.maths_5a, "4"), (borisov, s.russian_5a, "зач"),
        (vasilieva, s.maths_5a, "3"), (vasilieva, s.russian_5a, "4"),
    ]
    for pupil, assignment, value in period_marks:
        db.session.add(PeriodMark(school_id=s.school.id, student_id=pupil.id, subject_id=assignment.subject_id,
                                  period_id=s.q1.id, assignment_id=assignment.id, value=value))
    db.session.commit()
    s.raw_marks = marks
    s.period_marks = period_marks
    return s


def _cells(html: str, key) -> dict[str, str]:
    """The figures of the row `data-key=key` of the first table holding it."""
    row = re.search(rf'<tr data-key="{key}">(.*?)</tr>', html, re.DOTALL)
    assert row, key
    return dict(re.findall(r'data-figure="([a-z-]+)">([^<]*)<', row.group(1)))


def _percent(part: int, whole: int) -> str:
    value = (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}".replace(".", ",") + " %"


def test_class_figures_equal_an_independent_count_of_the_period_marks(client, auth, world):
    """Performance: students with no «2» and no «н/а»; quality: of those with a graded mark,
    only 4 and 5 («зач» neither helps nor spoils); by subject: marks, «зач» out of quality."""
    auth.login("deputy")
    html = client.get(f"/reports/statistics?period={world.q1.id}").get_data(as_text=True)
    by_pupil: dict[int, list[str]] = {}
    for pupil, _a, value in world.period_marks:
        by_pupil.setdefault(pupil.id, []).append(value)
    performing = sum(all(v == "зач" or int(v) >= 3 for v in values) for values in by_pupil.values())
    good = sum(all(v == "зач" or int(v) >= 4 for v in values) for values in by_pupil.values())
    figures = _cells(html, f"class-{world.class_5a.id}")
    assert figures["performance"] == _percent(performing, 4) == "75,0 %"
    assert figures["quality"] == _percent(good, 4) == "50,0 %"
    russian = [v for _p, a, v in world.period_marks if a is world.russian_5a]
    maths = _cells(html, f"subject-{world.maths.id}")
    assert maths["performance"] == _percent(3, 4) and maths["quality"] == _percent(2, 4)
    graded = [v for v in russian if v != "зач"]
    row = _cells(html, f"subject-{world.russian.id}")
    assert row["performance"] == "100,0 %"
    assert row["quality"] == _percent(sum(int(v) >= 4 for v in graded), len(graded))


def test_averages_marks_per_week_and_attendance_equal_the_raw_rows(client, auth, world, app):
    auth.login("director")
    html = client.get(f"/reports/statistics?period={world.quarters[1].id}").get_data(as_text=True)
    weights = {k: world.kinds[k].weight for k in world.kinds}
    averages = [
        weighted_average([WeightedMark(Decimal(v), weights[k]) for _i, k, v in rows])
        for rows in world.raw_marks.values()
    ]
    row = _cells(html, f"subject-{world.maths.id}")
    expected_mean = (sum(averages) / len(averages)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert row["average"] == f"{expected_mean}".replace(".", ",")
    assert row["missed"] == "4" and row["ill"] == "2" and row["unexcused"] == "2"  # a late student was there
    total_marks = sum(len(rows) for rows in world.raw_marks.values())
    until = min(world.quarters[1].end_date, _today(world))
    weeks = rules.weeks_between(world.quarters[1].start_date, until)
    students = len(world.pupils_5a) + len(world.pupils_5b)  # maths is taught in 5А and 5Б
    per_week = (Decimal(total_marks) / students / weeks).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert row["per-week"] == f"{per_week}".replace(".", ",")
    # no period marks of the second quarter yet: said so, and the estimate is labelled
    assert "Итоговых отметок за «2 четверть» ещё нет" in html
    assert "По текущим отметкам" in html
    # Алексеева: maths average below 2.65 and a link to the maths grid of the period
    alekseeva_avg = averages[1]
    assert alekseeva_avg < Decimal("2.65")
    assert f"/journal/assignments/{world.maths_5a.id}?period={world.quarters[1].id}" in html
    assert f"средний балл {alekseeva_avg}".replace(".", ",") in html
    # Васильева has no Russian mark yet: fewer than the minimum in proportion to the days gone
    q2 = world.quarters[1]
    expected = rules.marks_expected_by(3, q2.start_date, q2.end_date, until)
    assert expected >= 1
    at_risk = html.split('id="at-risk"')[1]
    assert "Васильева Вера" in at_risk
    assert f"/journal/assignments/{world.russian_5a.id}?period={q2.id}" in at_risk
    assert f"отметок 0, к этому дню нужно не меньше {expected}" in at_risk


def _today(world):
    from utils.timeutil import school_today

    return school_today(world.school.timezone)


def _svg(html: str) -> str:
    match = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert match, "no chart"
    return base64.b64decode(match.group(1)).decode("utf-8")


def test_the_chart_is_svg_without_script_and_its_table_holds_the_same_numbers(client, auth, world):
    auth.login("methodist")
    html = client.get(f"/reports/statistics?period={world.q1.id}").get_data(as_text=True)
    svg = _svg(html)
    assert svg.startswith("<svg") and "<script" not in svg.lower()
    table = re.search(r'<table class="table stat-chart-table">(.*?)</table>', html, re.DOTALL).group(1)
    numbers = re.findall(r'<td class="num">([^<]+)</td>', table)
    assert numbers and all(n in svg for n in numbers if n != "—"), (numbers, "values missing in the SVG")
    assert "75,0 %" in numbers and "50,0 %" in numbers
    assert 'onload' not in svg and "javascript:" not in svg


def test_a_class_teacher_sees_their_own_class_only(client, auth, world):
    auth.login("maths")  # class teacher of 5А
    assert client.get("/reports/statistics").status_code == 200
    assert client.get(f"/reports/statistics?class={world.class_5a.id}").status_code == 200
    assert client.get(f"/reports/statistics?class={world.class_5b.id}").status_code == 403
    assert client.get(f"/reports/statistics/dynamics?class={world.class_5b.id}").status_code == 403
    assert client.get(f"/reports/statistics/dynamics?student={world.pupils_5b[0].id}").status_code == 403
    assert client.get(f"/reports/statistics/dynamics?teacher={world.russian_teacher.id}").status_code == 403
    html = client.get("/reports/statistics").get_data(as_text=True)
    assert "5Б" not in html
    auth.logout()
    auth.login("primary")  # class teacher of 1А only
    assert client.get(f"/reports/statistics?class={world.class_5a.id}").status_code == 403
    auth.logout()
    auth.login("russian")  # a subject teacher, no class
    assert client.get("/reports/statistics").status_code == 403
    auth.logout()
    auth.login("admin")  # the journal administrator does not read the statistics
    assert client.get("/reports/statistics").status_code == 403


def test_filters_narrow_the_figures(client, auth, world):
    auth.login("deputy")
    html = client.get(f"/reports/statistics?period={world.q1.id}&subject={world.russian.id}").get_data(as_text=True)
    assert _cells(html, f"subject-{world.russian.id}")["performance"] == "100,0 %"
    assert f'<tr data-key="subject-{world.maths.id}">' not in html
    html = client.get(f"/reports/statistics?period={world.q1.id}&teacher={world.russian_teacher.id}").get_data(as_text=True)
    assert "Числова" not in html.split("По учителям")[1].split("По журналам")[0]
    assert client.get("/reports/statistics?period=abc").status_code == 400


def test_student_dynamics_is_the_weighted_average_by_week(client, auth, world):
    auth.login("deputy")
    petrov = world.pupils_5a[0]
    start, end = QUARTER_2, QUARTER_2 + timedelta(days=20)
    html = client.get(f"/reports/statistics/dynamics?student={petrov.id}&from={start}&to={end}").get_data(as_text=True)
    assert "<script" not in _svg(html).lower()
    weights = {k: world.kinds[k].weight for k in world.kinds}
    maths = [(world.lessons[i].date, k, v) for i, k, v in world.raw_marks[petrov]]
    mondays = rules.week_starts(start, end)
    expected = []
    for monday in mondays:
        upto = [WeightedMark(Decimal(v), weights[k]) for d, k, v in maths if d <= monday + timedelta(days=6)]
        expected.append(weighted_average(upto))
    table = re.search(r'<table class="table stat-chart-table">(.*?)</table>', html, re.DOTALL).group(1)
    header = re.findall(r'<th scope="col" class="num">([^<]+)</th>', table)
    assert header == [m.strftime("%d.%m") for m in mondays]
    subjects = re.findall(r'<tr><th scope="row">([^<]+)</th>', table)
    assert subjects == ["Математика", "Русский язык"]
    row = re.search(r'<tr><th scope="row">Математика</th>(.*?)</tr>', table, re.DOTALL).group(1)
    cells = re.findall(r'<td class="num">([^<]+)</td>', row)
    assert cells == [f"{v}".replace(".", ",") if v is not None else "—" for v in expected]
    svg = _svg(html)
    assert all(c in svg for c in cells if c != "—")


def test_class_quality_by_period_and_teacher_side_by_side(client, auth, world):
    auth.login("director")
    html = client.get(f"/reports/statistics/dynamics?class={world.class_5a.id}").get_data(as_text=True)
    table = re.search(r'<table class="table stat-chart-table">(.*?)</table>', html, re.DOTALL).group(1)
    first = re.search(r"<th scope=\"row\">1 четверть</th>(.*?)</tr>", table, re.DOTALL).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', first) == ["75,0 %", "50,0 %"]
    second = re.search(r"<th scope=\"row\">2 четверть</th>(.*?)</tr>", table, re.DOTALL).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', second) == ["—", "—"]  # no period marks yet
    html = client.get(f"/reports/statistics/dynamics?teacher={world.maths_teacher.id}&period={world.q1.id}").get_data(as_text=True)
    assert "5А · Математика" in html and "5А · Английский язык (2 группа)" in html
    assert client.get("/reports/statistics/dynamics").status_code == 400


def test_the_family_sees_the_childs_chart_in_the_diary(client, auth, world):
    petrov = world.pupils_5a[0]
    auth.login("parent_a")
    response = client.get(f"/diary/students/{petrov.id}/dynamics?period={world.quarters[1].id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script" not in _svg(html).lower() and "Математика" in html
    auth.logout()
    auth.login("parent_b")
    assert client.get(f"/diary/students/{petrov.id}/dynamics").status_code == 403


def _grow(world, create_student, classes: int = 3, students: int = 12, lessons: int = 8) -> None:
    """More classes of the fifth grade, each with students, maths lessons with marks and
    absences, and period marks of the first quarter."""
    for c in range(classes):
        group = ClassGroup(school=world.school, year=world.year, name=f"5{'ВГДЕ'[c]}", grade=5, letter="ВГДЕ"[c],
                           class_teacher=None)
        db.session.add(group)
        db.session.flush()
        assignment = TeachingAssignment(school=world.school, year=world.year, teacher=world.russian_teacher,
                                        class_group=group, subject=world.maths, scale=world.five)
        db.session.add(assignment)
        db.session.flush()
        pupils = [create_student(world.school, group, f"Новиков{c}-{i}", "Никита", with_login=False) for i in range(students)]
        for n in range(lessons):
            lesson = operations.create_lesson(assignment, world.russian_teacher, QUARTER_2 + timedelta(days=n), 1 + c,
                                              f"Тема {n}", [world.kinds["oral"]])
            db.session.flush()
            for i, pupil in enumerate(pupils):
                if (i + n) % 5 == 0:
                    db.session.add(Attendance(school_id=world.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                              code="unexcused"))
                else:
                    db.session.add(Mark(school_id=world.school.id, lesson_id=lesson.id, student_id=pupil.id,
                                        work_kind_id=world.kinds["oral"].id, value=str(2 + (i + n) % 4)))
        for pupil in pupils:
            db.session.add(PeriodMark(school_id=world.school.id, student_id=pupil.id, subject_id=world.maths.id,
                                      period_id=world.q1.id, assignment_id=assignment.id, value="4"))
    db.session.commit()


def _count(client, count_queries, path: str) -> int:
    db.session.commit()
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


@pytest.mark.parametrize("page", ["school", "teacher", "class", "diary"])
def test_statements_do_not_grow_with_the_school(client, auth, world, create_student, count_queries, page):
    auth.login("parent_a" if page == "diary" else "deputy")
    paths = {
        "school": f"/reports/statistics?period={world.quarters[1].id}",
        "teacher": f"/reports/statistics/dynamics?teacher={world.russian_teacher.id}&period={world.quarters[1].id}",
        "class": f"/reports/statistics/dynamics?class={world.class_5a.id}",
        "diary": f"/diary/students/{world.pupils_5a[0].id}/dynamics",
    }
    small = _count(client, count_queries, paths[page])
    _grow(world, create_student)
    big = _count(client, count_queries, paths[page])
    assert big == small, f"{page}: {small} statements, then {big} with three more classes"
    assert big <= BUDGET


def test_average_of_sums_rounds_as_the_weighted_average():
    marks = [WeightedMark(Decimal("5"), Decimal("2")), WeightedMark(Decimal("4"), Decimal("1.5")),
             WeightedMark(Decimal("3"), Decimal("1"))]
    total = sum(m.value * m.weight for m in marks)
    weights = sum(m.weight for m in marks)
    assert rules.average_of_sums(total, weights) == weighted_average(marks)
    assert rules.average_of_sums(None, None) is None and rules.average_of_sums(Decimal(0), Decimal(0)) is None
    assert rules.low_average_threshold({}, "five") == Decimal("2.65")
    assert rules.low_average_threshold({}, "pass_fail") is None
    assert rules.per_week(10, 4, Decimal(2)) == Decimal("1.3")


def test_the_minimum_of_marks_is_asked_in_proportion_to_the_days_gone():
    start, end = school_date(2026, 11, 5), school_date(2026, 11, 5) + timedelta(days=59)
    assert rules.marks_expected_by(3, start, end, start) == 0
    assert rules.marks_expected_by(3, start, end, start + timedelta(days=29)) == 1
    assert rules.marks_expected_by(3, start, end, end - timedelta(days=1)) == 2
    assert rules.marks_expected_by(3, start, end, end) == 3
    assert rules.marks_expected_by(3, start, end, start - timedelta(days=1)) == 0


def test_many_unexcused_absences_put_a_student_at_risk(client, auth, world):
    borisov = world.pupils_5a[2]
    for n in range(rules.UNEXCUSED_AT_RISK):
        lesson = operations.create_lesson(world.russian_5a, world.russian_teacher, QUARTER_2 + timedelta(days=n), 5,
                                          f"Урок {n}", [world.kinds["oral"]])
        db.session.flush()
        db.session.add(Attendance(school_id=world.school.id, lesson_id=lesson.id, student_id=borisov.id, code="unexcused"))
    db.session.commit()
    auth.login("deputy")
    html = client.get(f"/reports/statistics?period={world.quarters[1].id}").get_data(as_text=True)
    at_risk = html.split('id="at-risk"')[1]
    assert f"без уважительной причины пропущено уроков: {rules.UNEXCUSED_AT_RISK}" in at_risk
