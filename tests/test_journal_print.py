"""The printed journal page (ADM-6, REP-4): the school's name, the grid with Cyrillic names,
topics and homework, the legend and the signature lines; who may print it."""
from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from blueprints.journal import operations
from extensions import db
from models import AuditEntry, Homework, PeriodMark, StudyPeriod
from tests.clock import school_date
from tests.test_journal_grid import journal  # noqa: F401  (the shared fixture)


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def quarter2():
    return db.session.scalar(select(StudyPeriod).where(StudyPeriod.scheme == "quarter", StudyPeriod.number == 2))


def test_teacher_prints_the_journal_page(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[0]
    operations.save_cell(journal.lesson, pupil, journal.maths_teacher, "5/4", key="", base=None)
    db.session.add(Homework(lesson_id=journal.lesson.id, text="Учебник, повторить правило", pages="45", exercises="112, 113"))
    db.session.add(PeriodMark(school_id=journal.school.id, student_id=pupil.id, subject_id=journal.maths.id,
                              period_id=quarter2().id, assignment_id=journal.maths_5a.id, value="5"))
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = client.get(f"/journal/assignments/{journal.maths_5a.id}/print?period={quarter2().id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response)
    for expected in ("Средняя общеобразовательная школа № 1", "Математика", "5А", "Числова Вера",
                     "2 четверть", "Алексеева Анна", "Петров Пётр", f"{school_date(2026, 11, 20):%d.%m}", "5/4", "Дроби",
                     "повторить правило", "Условные обозначения", "по болезни", "М.П.", "Учитель", "Директор", "Дата и время печати"):
        assert expected in text, expected
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "journal_page"))
    assert entry is not None and entry.user_id == journal.maths_teacher.id  # the print is registered (PD-4)


def test_the_grid_page_offers_printing(client, auth, journal):  # noqa: F811
    auth.login(journal.deputy)
    page = client.get(f"/journal/assignments/{journal.maths_5a.id}?period={quarter2().id}").get_data(as_text=True)
    assert f"/journal/assignments/{journal.maths_5a.id}/print?period={quarter2().id}" in page and "Печать" in page


@pytest.mark.parametrize("who", ["deputy", "methodist", "director"])
def test_the_academic_office_prints(client, auth, journal, who):  # noqa: F811
    auth.login(getattr(journal, who))
    response = client.get(f"/journal/assignments/{journal.maths_5a.id}/print")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["parent_a", "english_teacher"])
def test_families_and_other_teachers_cannot_print(client, auth, journal, who):  # noqa: F811
    auth.login(getattr(journal, who))
    assert client.get(f"/journal/assignments/{journal.maths_5a.id}/print").status_code == 403
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "journal_page")) is None


def test_student_cannot_print(client, auth, journal):  # noqa: F811
    auth.login(journal.pupils_5a[0].user)
    assert client.get(f"/journal/assignments/{journal.maths_5a.id}/print").status_code == 403


def test_a_30_by_60_grid_prints_in_column_chunks(client, auth, journal, create_student):  # noqa: F811
    for i in range(26):
        create_student(journal.school, journal.class_5a, f"Кузнецова{i:02d}", "Ярослава", with_login=False)
    day = school_date(2026, 11, 5)
    for n in range(60):
        lesson = operations.create_lesson(journal.maths_5a, journal.maths_teacher, day + timedelta(days=n // 2), 1 + n % 2,
                                          f"Тема урока {n + 1}", [journal.kinds["oral"]])
        db.session.flush()
        for k, pupil in enumerate(journal.pupils_5a):
            operations.save_cell(lesson, pupil, journal.maths_teacher, ["5", "4", "н", "б 3"][(n + k) % 4], key="", base=None)
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = client.get(f"/journal/assignments/{journal.maths_5a.id}/print?period={quarter2().id}")
    assert response.status_code == 200
    out = os.environ.get("JOURNAL_PRINT_OUT")
    if out:  # for looking at the pages: pdftoppm -png -r 60 "$JOURNAL_PRINT_OUT" page
        with open(out, "wb") as f:
            f.write(response.data)
    reader = PdfReader(io.BytesIO(response.data))
    text = pdf_text(response)
    assert "Часть 1 из 3" in text and "Часть 3 из 3" in text
    assert "Кузнецова25 Ярослава" in text and "Тема урока 60" in text
    assert len(reader.pages) >= 4  # three grid parts and the topics
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages)  # landscape


@pytest.mark.parametrize("lessons", [22, 23, 26])  # the topics table ends just where the closing block used to split
def test_the_print_date_stays_with_the_legend_and_signatures(client, auth, journal, lessons):  # noqa: F811
    """Issue 9 item 9: a last page holding only «Дата печати» (22 lessons) or half the legend (26)."""
    day = school_date(2026, 11, 5)
    for n in range(lessons):
        operations.create_lesson(journal.maths_5a, journal.maths_teacher, day + timedelta(days=n // 2), 1 + n % 2,
                                 f"Тема урока {n + 1}", [journal.kinds["oral"]])
    db.session.commit()
    auth.login(journal.maths_teacher)
    response = client.get(f"/journal/assignments/{journal.maths_5a.id}/print?period={quarter2().id}")
    last_page = PdfReader(io.BytesIO(response.data)).pages[-1].extract_text()
    for expected in ("Условные обозначения", "по болезни", "Ср. — средневзвешенный", "Директор", "М.П.",
                     "Дата и время печати:"):
        assert expected in last_page, expected
