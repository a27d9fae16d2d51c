"""Subjects on the 10-point, 100-point and pass/fail scales (ADM-2, JRN-7, DIA-2): the journal
suggests the period mark of the subject's own scale and accepts it without a reason, the diary's
forecast counts that scale's top marks, the low marks are the scale's own, and the weekly report
and the printed journal say the same. Expectations are worked out here, not read from the app."""
from __future__ import annotations

import math
import re
import subprocess
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import MarkingScale, PeriodMark, StudyPeriod, Subject, WorkKind
from tests.clock import school_date

TOPS = {"ten": 10, "hundred": 100}
# The marks of the first pupil in each subject, and of the second (a different average).
MARKS = {"ten": ["9", "9", "8"], "hundred": ["73", "74", "80"], "pass_fail": ["зач", "зач", "незач"]}
NAMES = {"ten": "Физика", "hundred": "Информатика", "pass_fail": "Физическая культура"}


def printed(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def shown(value: Decimal) -> str:
    """An average as the pages and the paper print it: «8,67»."""
    return f"{value}".replace(".", ",")


def average(values: list[str]) -> Decimal:
    return printed(Decimal(sum(int(v) for v in values)) / len(values))


def rounded(avg: Decimal, up: Decimal = Decimal("0.5")) -> int:
    """The school's rule for the 10- and 100-point scales: the fractional part from `up` on
    rounds up (8.50 -> 9, 8.49 -> 8)."""
    whole = math.floor(avg)
    return whole + (1 if avg - whole >= up else 0)


def tops_to_next(values: list[str], top: int) -> tuple[int, int]:
    """(the next mark, the fewest top marks of weight 1 that make the printed average round to
    it), by adding one top mark at a time."""
    target = rounded(average(values)) + 1
    n = 0
    while True:
        n += 1
        if rounded(average(values + [str(top)] * n)) >= target:
            return target, n


@pytest.fixture
def school(app, small_school):
    s = small_school()
    s.quarter2 = db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == 2))
    oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    s.subjects, s.lessons = {}, {}
    for number, (code, name) in enumerate(NAMES.items(), start=1):
        scale = MarkingScale(school=s.school, code=code, name={"ten": "Десятибалльная", "hundred": "Стобалльная",
                                                               "pass_fail": "Зачёт/незачёт"}[code])
        subject = Subject(school=s.school, name=name, short_name=name[:4])
        db.session.add_all([scale, subject])
        s.subjects[code] = s.assign(s.maths_teacher, s.class_5a, subject, scale=scale)
        db.session.flush()
        # three lessons in the second quarter, an oral answer (weight 1) each
        s.lessons[code] = [
            operations.create_lesson(s.subjects[code], s.maths_teacher, school_date(2026, 11, 9 + n), number,
                                     "Урок", [oral])
            for n in range(3)
        ]
    db.session.commit()
    return s


def give(s, code, pupil, values):
    for lesson, value in zip(s.lessons[code], values, strict=False):
        operations.save_cell(lesson, pupil, s.maths_teacher, value, key="", base=None)
    db.session.commit()


def td(page: str, element_id: str) -> str:
    match = re.search(rf'<td id="{re.escape(element_id)}"[^>]*>.*?</td>', page, re.S)
    assert match, element_id
    return match.group(0)


def grid_page(client, s, code):
    return client.get(f"/journal/assignments/{s.subjects[code].id}?period={s.quarter2.id}").get_data(as_text=True)


@pytest.fixture
def last_week_of_quarter2(school):
    """Period marks are set in the last week of the period (001:2.5.6)."""
    noon = datetime.combine(school.quarter2.end_date - timedelta(days=1), time(12), tzinfo=ZoneInfo(school.school.timezone))
    with time_machine.travel(noon, tick=False):
        yield


def put_mark(client, s, code, pupil, value, reason=""):
    return client.put(f"/journal/assignments/{s.subjects[code].id}/periods/{s.quarter2.id}/students/{pupil.id}",
                      data={"value": value, "reason": reason}, headers={"HX-Request": "true"})


def stored(s, code, pupil):
    return db.session.scalar(select(PeriodMark).where(
        PeriodMark.period_id == s.quarter2.id, PeriodMark.student_id == pupil.id,
        PeriodMark.subject_id == s.subjects[code].subject_id))


# --- The journal ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ten", "hundred"])
def test_grid_suggests_the_mark_of_the_subjects_own_scale(client, auth, school, code):
    pupil = school.pupils_5a[0]
    give(school, code, pupil, MARKS[code])
    auth.login(school.maths_teacher)
    page = grid_page(client, school, code)
    expected = rounded(average(MARKS[code]))  # 8.67 -> 9, 75.67 -> 76
    assert shown(average(MARKS[code])) in td(page, f"avg-{pupil.id}")  # «8,67»
    forecast = td(page, f"fc-{pupil.id}")
    assert re.search(rf'<span class="badge">{expected}</span>', forecast), forecast  # a pass: not highlighted
    assert '<span class="pm-suggest"' in (pm := td(page, f"pm-{school.quarter2.id}-{pupil.id}"))
    assert f">({expected})</span>" in pm


def test_a_low_suggestion_is_highlighted_by_the_scales_pass_point(client, auth, school):
    pupil = school.pupils_5a[1]
    give(school, "ten", pupil, ["3", "4", "3"])  # 3.33 -> «3», below the pass point 4 of the 10-point scale
    auth.login(school.maths_teacher)
    assert '<span class="badge badge-danger">3</span>' in td(grid_page(client, school, "ten"), f"fc-{pupil.id}")


@pytest.mark.parametrize(
    ("code", "low", "not_low"), [("ten", "3", "4"), ("hundred", "39", "40"), ("pass_fail", "незач", "зач")],
)
def test_grid_cells_show_the_low_marks_of_the_scale(client, auth, school, code, low, not_low):
    first, second = school.pupils_5a[0], school.pupils_5a[1]
    give(school, code, first, [low])
    give(school, code, second, [not_low])
    auth.login(school.maths_teacher)
    page = grid_page(client, school, code)
    lesson = school.lessons[code][0]
    assert "mark-low" in td(page, f"c-{lesson.id}-{first.id}")
    assert "mark-low" not in td(page, f"c-{lesson.id}-{second.id}")


def test_a_five_on_the_ten_point_scale_is_not_a_top_mark_nor_a_low_one(client, auth, school):
    pupil = school.pupils_5a[2]
    give(school, "ten", pupil, ["5", "5", "5"])
    auth.login(school.maths_teacher)
    page = grid_page(client, school, "ten")
    assert '<span class="badge">5</span>' in td(page, f"fc-{pupil.id}")
    assert "mark-low" not in td(page, f"c-{school.lessons['ten'][0].id}-{pupil.id}")


def test_pass_fail_grid_has_no_average_and_no_suggestion(client, auth, school):
    pupil, few = school.pupils_5a[0], school.pupils_5a[1]
    give(school, "pass_fail", pupil, MARKS["pass_fail"])
    give(school, "pass_fail", few, ["зач"])
    auth.login(school.maths_teacher)
    page = grid_page(client, school, "pass_fail")
    assert "—" in td(page, f"avg-{pupil.id}") and "badge" not in td(page, f"fc-{pupil.id}")
    assert "pm-confirm" not in td(page, f"pm-{school.quarter2.id}-{pupil.id}")
    # three «зач»/«незач» are the quarter's minimum of marks (3): no risk of «н/а»; one is not
    assert "at-risk" not in td(page, f"avg-{pupil.id}") and "at-risk" in td(page, f"avg-{few.id}")


@pytest.mark.parametrize("code", ["ten", "hundred"])
def test_period_mark_equal_to_the_suggestion_needs_no_reason(client, auth, school, last_week_of_quarter2, code):
    pupil = school.pupils_5a[0]
    give(school, code, pupil, MARKS[code])
    expected = str(rounded(average(MARKS[code])))
    auth.login(school.maths_teacher)
    response = put_mark(client, school, code, pupil, expected)
    assert response.status_code == 200, response.get_data(as_text=True)
    mark = stored(school, code, pupil)
    assert (mark.value, mark.suggested, mark.average, mark.reason) == (expected, expected, average(MARKS[code]), "")


@pytest.mark.parametrize("code", ["ten", "hundred"])
def test_period_mark_other_than_the_suggestion_needs_a_reason(client, auth, school, last_week_of_quarter2, code):
    pupil = school.pupils_5a[1]
    give(school, code, pupil, MARKS[code])
    expected = rounded(average(MARKS[code]))
    other = str(expected - 1)
    auth.login(school.maths_teacher)
    refused = put_mark(client, school, code, pupil, other)
    assert refused.status_code == 400
    assert f"рассчитанной по среднему баллу ({expected})" in refused.get_data(as_text=True)
    assert stored(school, code, pupil) is None
    assert put_mark(client, school, code, pupil, other, reason="Не сдан зачёт по теме").status_code == 200
    mark = stored(school, code, pupil)
    assert (mark.value, mark.suggested, mark.reason) == (other, str(expected), "Не сдан зачёт по теме")


def test_pass_fail_period_mark_is_set_without_a_suggestion_and_a_digit_is_refused(
    client, auth, school, last_week_of_quarter2,
):
    pupil, other = school.pupils_5a[0], school.pupils_5a[1]
    give(school, "pass_fail", pupil, MARKS["pass_fail"])
    give(school, "pass_fail", other, MARKS["pass_fail"])
    auth.login(school.maths_teacher)
    assert put_mark(client, school, "pass_fail", pupil, "зачёт").status_code == 200
    mark = stored(school, "pass_fail", pupil)
    assert (mark.value, mark.suggested, mark.average) == ("зач", None, None)
    refused = put_mark(client, school, "pass_fail", other, "5")
    assert refused.status_code == 400 and "не итоговая отметка" in refused.get_data(as_text=True)
    assert stored(school, "pass_fail", other) is None


# --- The diary, the weekly report, the printed journal -------------------------------------------


def subject_block(page: str, name: str) -> str:
    match = re.search(rf'<div class="subject-name">{name}</div>.*?</li>', page, re.S)
    assert match, name
    return match.group(0)


def test_diary_forecast_counts_the_top_marks_of_the_scale(client, auth, school):
    pupil = school.pupils_5a[0]  # Петров Пётр, the child of parent_a
    for code in MARKS:
        give(school, code, pupil, MARKS[code])
    auth.login(school.parent_a)
    page = client.get(f"/diary/students/{pupil.id}/marks?period={school.quarter2.id}").get_data(as_text=True)
    ten_next, tens = tops_to_next(MARKS["ten"], 10)  # 9, 9, 8: «9»; «10» after 5 tens (9.50)
    hundred_next, hundreds = tops_to_next(MARKS["hundred"], 100)  # 75.67: «76»; «77» after 1 hundred
    assert (ten_next, tens, hundred_next, hundreds) == (10, 5, 77, 1)  # the hand calculation agrees
    ten = subject_block(page, NAMES["ten"])
    assert f"Выходит «9»; до «{ten_next}» — ещё {tens} отметок «10»" in ten
    assert "пятёр" not in ten
    hundred = subject_block(page, NAMES["hundred"])
    assert f"Выходит «76»; до «{hundred_next}» — ещё {hundreds} отметка «100»" in hundred
    pass_fail = subject_block(page, NAMES["pass_fail"])
    assert 'class="forecast"' not in pass_fail and "Отметок пока нет" not in pass_fail
    assert 'mark mark-low" title' in pass_fail  # «незач»


def pdf_text(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def test_weekly_report_prints_the_averages_and_the_marks_they_round_to_on_each_scale(client, auth, school):
    pupil = school.pupils_5a[0]
    for code in MARKS:
        give(school, code, pupil, MARKS[code])
    auth.login(school.parent_a)
    response = client.get(f"/diary/students/{pupil.id}/weekly-report?date={school_date(2026, 11, 11)}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    for code in ("ten", "hundred"):
        assert shown(average(MARKS[code])) in text
        assert f"выходит: {rounded(average(MARKS[code]))}" in text
    assert text.count("выходит:") == 2  # not for pass/fail, nor for the subjects without marks
    line = next(line for line in text.splitlines() if NAMES["pass_fail"] in line)
    assert "зач" in line and "незач" in line and "—" in line


def test_printed_journal_of_a_ten_point_subject_speaks_of_its_scale(client, auth, school):
    pupil = school.pupils_5a[0]
    give(school, "ten", pupil, MARKS["ten"])
    auth.login(school.maths_teacher)
    response = client.get(f"/journal/assignments/{school.subjects['ten'].id}/print?period={school.quarter2.id}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Шкала отметок: Десятибалльная" in text and "10/9" in text and "5/4" not in text
    assert shown(average(MARKS["ten"])) in text


def test_grid_and_diary_of_the_other_scales_keep_their_query_count(client, auth, school, count_queries):
    """The scale of each subject comes with the rows already read: no statement per subject,
    pupil or mark (STYLE 8)."""
    first = school.pupils_5a[0]

    def counted(url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    grid_url = f"/journal/assignments/{school.subjects['hundred'].id}?period={school.quarter2.id}"
    marks_url = f"/diary/students/{first.id}/marks?period={school.quarter2.id}"

    def as_teacher_and_parent():
        auth.login(school.maths_teacher)
        counted(grid_url)  # warm-up
        grid = counted(grid_url)
        auth.logout()
        auth.login(school.parent_a)
        counted(marks_url)
        diary = counted(marks_url)
        auth.logout()
        return grid, diary

    give(school, "hundred", first, ["50"])
    small = as_teacher_and_parent()
    for pupil in school.pupils_5a:
        for code in MARKS:
            give(school, code, pupil, MARKS[code])
    assert as_teacher_and_parent() == small


def test_a_low_five_point_mark_in_the_diary_is_shown_as_low_by_the_one_rule(app):
    from flask import render_template

    with app.test_request_context():
        two = render_template("diary/parts/mark.html", value="2", kind="", scale="five")
        three = render_template("diary/parts/mark.html", value="3", kind="", scale="five")
        ten = render_template("diary/parts/mark.html", value="3", kind="", scale="ten")
    assert 'class="mark mark-low"' in two
    assert 'class="mark mark-3"' in three
    assert 'class="mark mark-low"' in ten  # below the ten-point scale's pass point (4)
