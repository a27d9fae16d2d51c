"""One source for averages (issue 11, item 2; STYLE convention 3): the journal's grid, the
cell's save, the class page, the printed journal, the diary and the weekly report show the same
average for the same student, subject and period, whatever the kinds of work weigh, however
many marks were removed, and none at all on the pass/fail scale. Expectations are worked out
here, not read from the app."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import MarkingScale, StudyPeriod, Subject, WorkKind
from tests.clock import school_date
from tests.test_journal_scales import pdf_text

LATE = "запись по бумажному журналу"


@pytest.fixture
def school(app, small_school):
    s = small_school()
    s.quarter2 = db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == 2))
    s.kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.pupil = s.pupils_5a[0]  # Петров Пётр, son of parent_a
    s.lessons = [
        operations.create_lesson(s.maths_5a, s.maths_teacher, school_date(2026, 11, 9 + n), 1, "Урок",
                                 [s.kinds["test"], s.kinds["oral"]])
        for n in range(3)
    ]
    scale = MarkingScale(school=s.school, code="pass_fail", name="Зачёт/незачёт")
    subject = Subject(school=s.school, name="Физкультура", short_name="Физ")
    db.session.add_all([scale, subject])
    s.pass_fail = s.assign(s.maths_teacher, s.class_5a, subject, scale=scale)
    db.session.flush()
    s.pass_fail_lessons = [
        operations.create_lesson(s.pass_fail, s.maths_teacher, school_date(2026, 11, 9 + n), 2, "Урок", [s.kinds["oral"]])
        for n in range(3)
    ]
    db.session.commit()
    return s


def give(s, lesson, text):
    operations.save_cell(lesson, s.pupil, s.maths_teacher, text, key="", base=None, reason=LATE)
    db.session.commit()


def weighted(marks: list[tuple[int, float]]) -> str:
    """Σ(mark × weight) / Σ(weight), two decimals, half up, with the decimal comma."""
    from decimal import ROUND_HALF_UP, Decimal

    total = sum(Decimal(v) * Decimal(str(w)) for v, w in marks)
    weights = sum(Decimal(str(w)) for _v, w in marks)
    return str((total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)).replace(".", ",")


def td(page: str, element_id: str) -> str:
    match = re.search(rf'<td id="{re.escape(element_id)}"[^>]*>(.*?)</td>', page, re.S)
    assert match, element_id
    return match.group(1).strip()


def diary_average(page: str, subject_name: str) -> str:
    block = page.split(f'<div class="subject-name">{subject_name}</div>')[1]
    return re.search(r"<dt>Средний</dt><dd>(.*?)</dd>", block).group(1).strip()


def shown_everywhere(client, auth, s, assignment, subject_name) -> dict[str, str]:
    """The average of the pupil in the subject for the second quarter, as each page shows it."""
    shown = {}
    auth.login(s.maths_teacher)
    grid = client.get(f"/journal/assignments/{assignment.id}?period={s.quarter2.id}").get_data(as_text=True)
    shown["grid"] = td(grid, f"avg-{s.pupil.id}")
    printed = pdf_text(client.get(f"/journal/assignments/{assignment.id}/print?period={s.quarter2.id}").data)
    line = next(line for line in printed.splitlines() if s.pupil.full_name in line)
    shown["printed journal"] = re.findall(r"\d+,\d\d", line)[-1] if re.search(r"\d+,\d\d", line) else "—"
    auth.logout()
    auth.login(s.parent_a)
    marks = client.get(f"/diary/students/{s.pupil.id}/marks?period={s.quarter2.id}").get_data(as_text=True)
    shown["diary"] = diary_average(marks, subject_name)
    report = pdf_text(client.get(f"/diary/students/{s.pupil.id}/weekly-report?date={school_date(2026, 11, 11)}").data)
    line = next(line for line in report.splitlines() if subject_name in line)
    found = re.search(r"\d+,\d\d", line)
    shown["weekly report"] = found.group(0) if found else "—"
    auth.logout()
    return shown


def test_journal_and_diary_show_the_same_weighted_average(client, auth, school):
    test_w, oral_w = school.kinds["test"].weight, school.kinds["oral"].weight
    assert test_w != oral_w  # the kinds of work weigh differently, or the test proves little
    give(school, school.lessons[0], "5/4")  # a test and an oral answer
    give(school, school.lessons[1], "4")  # a test
    give(school, school.lessons[2], "2")
    give(school, school.lessons[2], "")  # struck: a removed mark counts nowhere
    expected = weighted([(5, test_w), (4, oral_w), (4, test_w)])  # 4,40 with weights 2 and 1 (4,33 without)
    shown = shown_everywhere(client, auth, school, school.maths_5a, "Математика")
    assert shown == dict.fromkeys(shown, expected)


def test_the_cell_save_shows_the_average_the_grid_shows_after_a_reload(client, auth, school):
    give(school, school.lessons[0], "5/4")
    give(school, school.lessons[1], "2")
    auth.login(school.maths_teacher)
    response = client.put(f"/journal/lessons/{school.lessons[1].id}/cells/{school.pupil.id}",
                          data={"value": "", "key": "strike", "reason": LATE}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    after_save = td(response.get_data(as_text=True), f"avg-{school.pupil.id}")
    grid = client.get(f"/journal/assignments/{school.maths_5a.id}?period={school.quarter2.id}").get_data(as_text=True)
    expected = weighted([(5, school.kinds["test"].weight), (4, school.kinds["oral"].weight)])
    assert after_save == td(grid, f"avg-{school.pupil.id}") == expected


def test_pass_fail_marks_give_no_average_anywhere(client, auth, school):
    for lesson, value in zip(school.pass_fail_lessons, ["зач", "незач", "зач"], strict=True):
        give(school, lesson, value)
    shown = shown_everywhere(client, auth, school, school.pass_fail, "Физкультура")
    assert shown == dict.fromkeys(shown, "—")
