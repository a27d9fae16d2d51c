"""A cell of the grid over HTTP (JRN-3, JRN-4, JRN-8): the pass/fail marks by keyboard, palette
and column fill; refused input answers 4xx in Russian and stores nothing; the cell's history is
refused for a student outside the lesson's class or subgroup, as the cell itself is."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from blueprints.journal import operations
from domain.cell import CellError, parse_cell
from domain.settings import DEFAULTS
from extensions import db
from models import Attendance, JournalChange, MarkingScale, Subject, TeachingAssignment, WorkKind
from tests.test_journal_grid import cell_attendance, cell_marks, put_cell

CYRILLIC = re.compile("[А-Яа-яЁё]")


@pytest.fixture
def journal(app, small_school):
    """small_school plus physical education in 5А on the pass/fail scale, taught by the maths
    teacher; one lesson of it and one of mathematics, on the first day of the first quarter."""
    s = small_school()
    kinds = {k.code: k for k in db.session.scalars(select(WorkKind))}
    s.pass_fail = MarkingScale(school=s.school, code="pass_fail", name="Зачёт/незачёт")
    s.pe = Subject(school=s.school, name="Физическая культура", short_name="Физ")
    s.pe_5a = TeachingAssignment(school=s.school, year=s.year, teacher=s.maths_teacher, class_group=s.class_5a,
                                 subject=s.pe, scale=s.pass_fail)
    db.session.add_all([s.pass_fail, s.pe, s.pe_5a])
    db.session.flush()
    day = s.quarters[0].start_date
    s.pe_lesson = operations.create_lesson(s.pe_5a, s.maths_teacher, day, 1, "Бег", [kinds["oral"]])
    s.maths_lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, day, 2, "Дроби", [kinds["test"], kinds["oral"]])
    s.english_lesson = operations.create_lesson(s.english_5a_g1, s.english_teacher, day, 3, "Alphabet", [kinds["oral"]])
    db.session.commit()
    return s


def stored(lesson):
    """Everything the journal holds for the lesson: marks, attendance and history."""
    return (
        sorted((m.student_id, m.value) for m in lesson_rows(lesson)),
        sorted((a.student_id, a.code) for a in db.session.scalars(
            select(Attendance).where(Attendance.lesson_id == lesson.id, Attendance.is_deleted.is_(False)))),
        db.session.scalar(select(func.count()).select_from(JournalChange).where(JournalChange.lesson_id == lesson.id)),
    )


def lesson_rows(lesson):
    from models import Mark

    return db.session.scalars(select(Mark).where(Mark.lesson_id == lesson.id, Mark.is_deleted.is_(False)))


def message_of(response) -> str:
    match = re.search(r'data-message="([^"]*)"', response.get_data(as_text=True))
    assert match, "the refused cell carries its message"
    return match.group(1)


# --- The fail mark on the pass/fail scale ---------------------------------------------------


@pytest.mark.parametrize("typed", ["незач", "НЕЗАЧ", "незачёт"])
def test_fail_mark_typed_into_a_pass_fail_cell_is_stored(client, auth, journal, typed):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    response = put_cell(client, journal.pe_lesson, pupil, typed, key=f"k-{typed}")
    assert response.status_code == 200
    assert 'value="незач"' in response.get_data(as_text=True)
    assert cell_marks(journal.pe_lesson, pupil) == ["незач"]
    assert cell_attendance(journal.pe_lesson, pupil) is None


def test_palette_offers_the_fail_mark_and_its_value_is_stored(client, auth, journal):
    auth.login(journal.maths_teacher)
    page = client.get(f"/journal/assignments/{journal.pe_5a.id}?period={journal.quarters[0].id}").get_data(as_text=True)
    palette = page[page.index('id="palette"'):]
    values = re.findall(r'class="pbtn pmark[^"]*" data-value="([^"]+)"', palette)
    assert values == ["зач", "незач"]
    pupil = journal.pupils_5a[1]
    for value in values:  # what a tap on each button sends
        assert put_cell(client, journal.pe_lesson, pupil, value).status_code == 200
        assert cell_marks(journal.pe_lesson, pupil) == [value]
    # an ill student may be assessed (001:3.5): the palette adds the mark after the notation
    assert put_cell(client, journal.pe_lesson, pupil, "Б незач").status_code == 200
    assert (cell_attendance(journal.pe_lesson, pupil), cell_marks(journal.pe_lesson, pupil)) == ("ill", ["незач"])


def test_column_fill_with_the_fail_mark_gives_it_to_everyone_present(client, auth, journal):
    auth.login(journal.maths_teacher)
    absent, late, marked = journal.pupils_5a[1], journal.pupils_5a[2], journal.pupils_5a[3]
    put_cell(client, journal.pe_lesson, absent, "нп")
    put_cell(client, journal.pe_lesson, late, "оп")
    put_cell(client, journal.pe_lesson, marked, "зач")
    page = client.get(f"/journal/assignments/{journal.pe_5a.id}?period={journal.quarters[0].id}").get_data(as_text=True)
    assert 'name="value" value="незач"' in page  # the column menu's button
    response = client.post(f"/journal/lessons/{journal.pe_lesson.id}/fill", data={"value": "незач", "reason": "запись по бумажному журналу"})
    assert response.status_code == 303
    assert cell_marks(journal.pe_lesson, journal.pupils_5a[0]) == ["незач"]
    assert (cell_attendance(journal.pe_lesson, late), cell_marks(journal.pe_lesson, late)) == ("late", ["незач"])
    assert cell_marks(journal.pe_lesson, absent) == [] and cell_attendance(journal.pe_lesson, absent) == "unexcused"
    assert cell_marks(journal.pe_lesson, marked) == ["зач"]


@pytest.mark.parametrize("value", ["н", "б", "нп", "зач/незач", "5", "езач", "/"])
def test_column_fill_refuses_anything_but_one_mark_of_the_scale(client, auth, journal, value):
    """A forged fill of «н» would have marked the whole class absent."""
    auth.login(journal.maths_teacher)
    before = stored(journal.pe_lesson)
    response = client.post(f"/journal/lessons/{journal.pe_lesson.id}/fill", data={"value": value},
                           follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "не отметка" in page or "не больше" in page
    assert stored(journal.pe_lesson) == before


# --- Refused input: 4xx, a Russian message, nothing stored ---------------------------------


@pytest.mark.parametrize("lesson_name, value", [
    ("pe_lesson", "езач"),
    ("pe_lesson", "незачзач"),
    ("pe_lesson", "н незач"),
    ("pe_lesson", "нзач"),
    ("pe_lesson", "зач/незач"),
    ("pe_lesson", "5"),
    ("pe_lesson", "/"),
    ("pe_lesson", "незач" * 9),
    ("maths_lesson", "незач"),
    ("maths_lesson", "6"),
    ("maths_lesson", "н5"),
    ("maths_lesson", "5/4/3"),
])
def test_invalid_input_answers_400_in_russian_and_keeps_the_cell(client, auth, journal, lesson_name, value):
    auth.login(journal.maths_teacher)
    lesson = getattr(journal, lesson_name)
    pupil = journal.pupils_5a[0]
    kept = "зач" if lesson is journal.pe_lesson else "4"
    assert put_cell(client, lesson, pupil, kept).status_code == 200
    before = stored(lesson)
    response = put_cell(client, lesson, pupil, value, key="bad")
    assert response.status_code == 400
    assert CYRILLIC.search(message_of(response))
    assert f'value="{kept}"' in response.get_data(as_text=True)  # the cell as stored
    assert stored(lesson) == before


def _refused(text: str) -> bool:
    try:
        parse_cell(text, "pass_fail", DEFAULTS["notations"], max_marks=1)
    except CellError:
        return True
    return False


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("нНбзачЗАЧеёпу5 /,")), min_size=1, max_size=12).filter(_refused))
def test_whatever_the_parser_refuses_the_server_refuses_and_stores_nothing(client, auth, journal, text):
    auth.login(journal.maths_teacher)
    before = stored(journal.pe_lesson)
    response = put_cell(client, journal.pe_lesson, journal.pupils_5a[0], text)
    assert response.status_code == 400
    assert CYRILLIC.search(message_of(response))
    assert stored(journal.pe_lesson) == before


# --- The history of a cell ------------------------------------------------------------------


def history(client, lesson, student):
    return client.get(f"/journal/lessons/{lesson.id}/cells/{student.id}/history", headers={"HX-Request": "true"})


@pytest.mark.parametrize("reader", ["maths_teacher", "deputy"])
def test_history_of_a_student_of_another_class_is_refused_like_the_cell(client, auth, journal, reader):
    stranger = journal.pupils_5b[0]  # Сидоров Семён, 5Б
    auth.login(getattr(journal, reader))
    response = history(client, journal.maths_lesson, stranger)
    assert response.status_code == 403
    assert "Сидоров" not in response.get_data(as_text=True)
    auth.logout()
    auth.login(journal.maths_teacher)
    assert put_cell(client, journal.maths_lesson, stranger, "5").status_code == response.status_code


def test_history_of_a_student_of_another_subgroup_is_refused_like_the_cell(client, auth, journal):
    auth.login(journal.english_teacher)  # group 1: pupils 0 and 2
    other_group = journal.pupils_5a[1]  # Алексеева Анна, group 2
    response = history(client, journal.english_lesson, other_group)
    assert response.status_code == 403
    assert "Алексеева" not in response.get_data(as_text=True)
    assert put_cell(client, journal.english_lesson, other_group, "5").status_code == 403
    own = history(client, journal.english_lesson, journal.pupils_5a[0])
    assert own.status_code == 200 and "Петров Пётр" in own.get_data(as_text=True)


def test_history_of_a_student_of_the_class_is_shown(client, auth, journal):
    auth.login(journal.maths_teacher)
    pupil = journal.pupils_5a[0]
    put_cell(client, journal.pe_lesson, pupil, "незач")
    response = history(client, journal.pe_lesson, pupil)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Петров Пётр" in text and "незач" in text
