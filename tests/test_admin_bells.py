"""The bells pages (ADM-1, ADM-9): the administrators and the schedule managers enter the bells
of each shift, level and variant, the shortened days, and a class's shift; bad input is refused
in Russian and changes nothing; every change is in the history with its before and after."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from models import AuditEntry, BellSchedule, ClassGroup, School, ShortenedDay

SET1 = "shift=1&grade_from=1&grade_to=11&variant=normal"


def text(response) -> str:
    return response.get_data(as_text=True)


def table(rows) -> dict:
    data = {}
    for i, (number, starts, ends) in enumerate(rows):
        data.update({f"number-{i}": str(number), f"starts-{i}": starts, f"ends-{i}": ends})
    return data


def bells(s, shift=1, grade_from=1, grade_to=11, variant="normal") -> list[tuple]:
    db.session.expire_all()
    return [
        (b.lesson_number, b.starts, b.ends)
        for b in db.session.scalars(
            select(BellSchedule)
            .where(BellSchedule.school_id == s.school.id, BellSchedule.shift == shift,
                   BellSchedule.grade_from == grade_from, BellSchedule.grade_to == grade_to,
                   BellSchedule.variant == variant)
            .order_by(BellSchedule.lesson_number)
        )
    ]


def audit_rows(entity="bell_schedule") -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)))


FIRST_SHIFT = [(1, "08:30", "09:15"), (2, "09:25", "10:10"), (3, "10:30", "11:15")]


@pytest.fixture
def office(client, auth, small_school):
    s = small_school()
    auth.login(s.deputy)
    client.school = s
    return client


def test_the_deputy_enters_the_first_shift_and_the_history_keeps_it(office):
    s = office.school
    page = office.get(f"/admin/bells/set?{SET1}")
    assert page.status_code == 200 and "1 смена · все классы · обычный день" in text(page)
    response = office.post(f"/admin/bells/set?{SET1}", data=table([*FIRST_SHIFT, (4, "", "")]))
    assert response.status_code == 303
    assert bells(s) == FIRST_SHIFT
    entry = audit_rows()[-1]
    assert entry.user_id == s.deputy.id and entry.before["lessons"] == []
    assert entry.after == {"shift": 1, "grades": [1, 11], "variant": "normal",
                           "lessons": [[1, "08:30", "09:15"], [2, "09:25", "10:10"], [3, "10:30", "11:15"]]}
    overview = text(office.get("/admin/bells"))
    assert "09:25" in overview and "10:10" in overview
    # a change of one time and a 4th lesson added
    changed = [(1, "08:00", "08:45"), (2, "09:25", "10:10"), (3, "10:30", "11:15"), (4, "11:35", "12:20")]
    assert office.post(f"/admin/bells/set?{SET1}", data=table(changed)).status_code == 303
    assert bells(s) == changed
    entry = audit_rows()[-1]
    assert entry.before["lessons"][0] == [1, "08:30", "09:15"] and entry.after["lessons"][0] == [1, "08:00", "08:45"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, "8.30.", "09:15")], "ЧЧ:ММ"),
        ([(1, "09:15", "08:30")], "начало должно быть раньше окончания"),
        ([(1, "08:30", "09:15"), (2, "09:00", "09:45")], "не пересекаются"),
        ([(1, "08:30", "09:15"), (1, "09:25", "10:10")], "указан дважды"),
        ([(14, "08:30", "09:15")], "от 0 до 12"),
        ([(1, "", "")], "хотя бы один урок"),
    ],
)
def test_bad_bells_are_refused_in_russian_and_nothing_changes(office, rows, message):
    s = office.school
    assert office.post(f"/admin/bells/set?{SET1}", data=table(FIRST_SHIFT)).status_code == 303
    entries = len(audit_rows())
    response = office.post(f"/admin/bells/set?{SET1}", data=table(rows))
    assert response.status_code == 400
    assert message in text(response)
    assert bells(s) == FIRST_SHIFT and len(audit_rows()) == entries


@pytest.mark.parametrize("query", ["shift=3&grade_from=1&grade_to=11&variant=normal",
                                   "shift=1&grade_from=7&grade_to=4&variant=normal",
                                   "shift=1&grade_from=1&grade_to=11&variant=holiday",
                                   "shift=x"])
def test_a_bad_set_is_refused(office, query):
    response = office.post(f"/admin/bells/set?{query}", data=table(FIRST_SHIFT))
    assert response.status_code == 400 and "Звонки" in text(response)
    assert db.session.scalar(select(func.count()).select_from(BellSchedule)) == 0
    assert office.get(f"/admin/bells/set?{query}").status_code == 400


def test_a_level_that_half_overlaps_another_is_refused(office):
    s = office.school
    primary = "shift=1&grade_from=1&grade_to=4&variant=normal"
    assert office.post(f"/admin/bells/set?{primary}", data=table(FIRST_SHIFT)).status_code == 303
    response = office.post("/admin/bells/set?shift=1&grade_from=3&grade_to=6&variant=normal", data=table(FIRST_SHIFT))
    assert response.status_code == 400 and "пересекаются" in text(response)
    assert bells(s, grade_from=3, grade_to=6) == []
    # nested in the whole school, or apart: fine
    assert office.post("/admin/bells/set?shift=1&grade_from=5&grade_to=11&variant=normal",
                       data=table(FIRST_SHIFT)).status_code == 303


def test_a_lesson_is_removed_and_a_set_deleted(office):
    s = office.school
    office.post(f"/admin/bells/set?{SET1}", data=table(FIRST_SHIFT))
    assert office.post(f"/admin/bells/set/remove?{SET1}&lesson_number=2").status_code == 303
    assert bells(s) == [FIRST_SHIFT[0], FIRST_SHIFT[2]]
    assert audit_rows()[-1].action == "remove_lesson"
    missing = office.post(f"/admin/bells/set/remove?{SET1}&lesson_number=7")
    assert missing.status_code == 404 and "Такого урока" in text(missing)
    assert office.post(f"/admin/bells/set/remove?{SET1}&lesson_number=abc").status_code == 400
    assert bells(s) == [FIRST_SHIFT[0], FIRST_SHIFT[2]]
    assert office.post(f"/admin/bells/set/delete?{SET1}").status_code == 303
    assert bells(s) == []
    entry = audit_rows()[-1]
    assert entry.action == "delete_set" and len(entry.before["lessons"]) == 2 and entry.after["lessons"] == []
    assert office.post(f"/admin/bells/set/delete?{SET1}").status_code == 404


def test_the_shortened_day_is_made_from_the_normal_one(office):
    s = office.school
    office.post(f"/admin/bells/set?{SET1}", data=table(FIRST_SHIFT))
    response = office.post(f"/admin/bells/set/shorten?{SET1}", data={"minutes": "30"})
    assert response.status_code == 303
    short = [(1, "08:30", "09:00"), (2, "09:10", "09:40"), (3, "10:00", "10:30")]
    assert bells(s, variant="short") == short
    assert audit_rows()[-1].action == "copy_to_shortened"
    # a second copy replaces it only when asked
    again = office.post(f"/admin/bells/set/shorten?{SET1}", data={"minutes": "35"})
    assert again.status_code == 409 and "Заменить" in text(again)
    assert bells(s, variant="short") == short
    assert office.post(f"/admin/bells/set/shorten?{SET1}", data={"minutes": "35", "replace": "y"}).status_code == 303
    assert bells(s, variant="short")[0] == (1, "08:30", "09:05")


@pytest.mark.parametrize("minutes", ["", "5", "abc", "90"])
def test_a_bad_length_of_the_shortened_lesson_is_refused(office, minutes):
    s = office.school
    office.post(f"/admin/bells/set?{SET1}", data=table(FIRST_SHIFT))
    response = office.post(f"/admin/bells/set/shorten?{SET1}", data={"minutes": minutes})
    assert response.status_code == 400 and "Проверьте поля формы" in text(response)
    assert bells(s, variant="short") == []


def test_shortened_is_made_only_from_a_normal_set_that_has_lessons(office):
    response = office.post(f"/admin/bells/set/shorten?{SET1}", data={"minutes": "30"})
    assert response.status_code == 400 and "копировать нечего" in text(response)
    response = office.post("/admin/bells/set/shorten?shift=1&grade_from=1&grade_to=11&variant=short", data={"minutes": "30"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(BellSchedule)) == 0


def test_shortened_days_are_marked_and_unmarked(office):
    s = office.school
    day = s.quarters[1].start_date
    response = office.post("/admin/bells/days", data={"date": day.isoformat(), "note": "предпраздничный день"})
    assert response.status_code == 303
    marked = db.session.scalar(select(ShortenedDay))
    assert (marked.date, marked.note) == (day, "предпраздничный день")
    marked_id = marked.id
    assert day.strftime("%d.%m.%Y") in text(office.get("/admin/bells"))
    twice = office.post("/admin/bells/days", data={"date": day.isoformat(), "note": ""})
    assert twice.status_code == 409 and "уже отмечен" in text(twice)
    for bad in [{"date": "31.02.2026"}, {"date": ""}, {"date": "1999-01-01"}, {"date": day.isoformat(), "note": "x" * 201}]:
        refused = office.post("/admin/bells/days", data=bad)
        assert refused.status_code in {400, 409}, bad
    assert db.session.scalar(select(func.count()).select_from(ShortenedDay)) == 1
    assert office.post(f"/admin/bells/days/{marked_id}/delete").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ShortenedDay)) == 0
    assert [e.action for e in audit_rows("shortened_day")] == ["create", "delete"]
    assert office.post(f"/admin/bells/days/{marked_id}/delete").status_code == 404


def test_another_schools_shortened_day_is_out_of_reach(office):
    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    db.session.flush()
    foreign = ShortenedDay(school_id=other.id, date=office.school.year.start_date, note="")
    db.session.add(foreign)
    db.session.commit()
    assert office.post(f"/admin/bells/days/{foreign.id}/delete").status_code == 403
    assert db.session.get(ShortenedDay, foreign.id) is not None


def test_a_teacher_cannot_change_the_bells(client, auth, small_school):
    s = small_school()
    auth.login(s.maths_teacher)
    assert client.post(f"/admin/bells/set?{SET1}", data=table(FIRST_SHIFT)).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(BellSchedule)) == 0


def test_the_administrator_sets_the_shift_of_a_class(client, auth, small_school):
    s = small_school(fixed_calendar=True)
    auth.login(s.admin)
    data = {"grade": 5, "letter": "Б", "name": "", "kind": "class", "period_scheme": "quarter",
            "attendance_only": "no", "class_teacher_id": 0}
    page = text(client.get(f"/admin/classes/{s.class_5b.id}/edit"))
    assert "Смена" in page and "2 смена" in page
    assert client.post(f"/admin/classes/{s.class_5b.id}/edit", data={**data, "shift": "2"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ClassGroup, s.class_5b.id).shift == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "class_group").order_by(AuditEntry.id.desc()))
    assert (entry.before["shift"], entry.after["shift"]) == (1, 2)
    assert client.post(f"/admin/classes/{s.class_5b.id}/edit", data={**data, "shift": "3"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(ClassGroup, s.class_5b.id).shift == 2
    # the class's page and the list of classes say so
    assert '<dd id="class-shift">2 смена</dd>' in text(client.get(f"/admin/classes/{s.class_5b.id}"))
    listing = text(client.get("/admin/classes")).split(f'href="/admin/classes/{s.class_5b.id}"')[1].split("</tr>")[0]
    assert "2 смена" in listing


def test_a_new_class_is_created_in_the_chosen_shift(client, auth, small_school):
    s = small_school(fixed_calendar=True)
    auth.login(s.admin)
    data = {"year_id": s.year.id, "grade": 6, "letter": "В", "name": "", "kind": "class", "period_scheme": "quarter",
            "attendance_only": "no", "class_teacher_id": 0}
    assert "Смена" in text(client.get("/admin/classes/new"))
    assert client.post("/admin/classes/new", data={**data, "shift": "9"}).status_code == 400
    assert db.session.scalar(select(ClassGroup).where(ClassGroup.name == "6В")) is None
    assert client.post("/admin/classes/new", data={**data, "shift": "2"}).status_code == 302
    assert db.session.scalar(select(ClassGroup).where(ClassGroup.name == "6В")).shift == 2


def test_the_bells_page_is_a_fixed_number_of_queries(office, count_queries):
    s = office.school
    for shift in (1, 2):
        for grades in ("1&grade_to=4", "5&grade_to=11"):
            office.post(f"/admin/bells/set?shift={shift}&grade_from={grades}&variant=normal", data=table(FIRST_SHIFT))
    db.session.add_all([ShortenedDay(school_id=s.school.id, date=s.year.start_date.replace(day=d), note="") for d in (2, 3)])
    db.session.commit()
    with count_queries() as counter:
        response = office.get("/admin/bells")
    assert response.status_code == 200 and text(response).count("bell-table") == 4
    few = counter.count
    office.post(f"/admin/bells/set/shorten?{SET1.replace('grade_from=1&grade_to=11', 'grade_from=5&grade_to=11')}",
                data={"minutes": "30"})
    with count_queries() as counter:
        office.get("/admin/bells")
    assert counter.count == few <= 8, counter.statements
