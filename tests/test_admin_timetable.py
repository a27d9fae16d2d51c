"""The weekly timetable editor and the rooms (issue 10, items 1-3 and 5; ADM-9): a cell of a
class's week takes one lesson or two of different subgroups, clashes are refused at once with a
Russian message naming the other lesson and store nothing, a change "from D" keeps the weeks
before D as they were, and the printed timetable looks like the school's."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from blueprints.journal import schedule_queries
from domain.timetable import next_monday
from extensions import db
from models import AuditEntry, ClassGroup, Room, ScheduleSlot, School
from tests.clock import TODAY

MONDAY = next_monday(TODAY)  # the editor's default "valid from"


def text(response) -> str:
    return response.get_data(as_text=True)


def slots(*where) -> list[ScheduleSlot]:
    db.session.expire_all()
    return list(db.session.scalars(select(ScheduleSlot).where(*where).order_by(ScheduleSlot.id)))


def slot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ScheduleSlot))


@pytest.fixture
def school(client, auth, small_school):
    s = small_school()
    s.room_204 = Room(school_id=s.school.id, name="204", note="", is_active=True)
    s.room_301 = Room(school_id=s.school.id, name="301", note="", is_active=True)
    db.session.add_all([s.room_204, s.room_301])
    db.session.commit()
    auth.login(s.admin)
    s.client = client
    return s


def cell_url(class_group, weekday=1, number=1) -> str:
    return f"/admin/timetable/classes/{class_group.id}/cells/{weekday}/{number}"


def put(s, class_group, weekday, number, first=None, room=None, second=None, room_2=None, day=MONDAY, htmx=False):
    data = {
        "valid_from": day.isoformat() if isinstance(day, date) else day,
        "assignment_1": str(first.id if first is not None else 0),
        "room_1": str(room.id if room is not None else 0),
        "assignment_2": str(second.id if second is not None else 0),
        "room_2": str(room_2.id if room_2 is not None else 0),
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return s.client.post(cell_url(class_group, weekday, number), data=data, headers=headers)


# Setting a cell ----------------------------------------------------------------------------------


def test_a_cell_takes_a_lesson_of_the_class_with_its_room_from_the_chosen_date(school):
    s = school
    response = put(s, s.class_5a, 2, 3, s.maths_5a, s.room_204, htmx=True)
    assert response.status_code == 200
    assert "Мат" in text(response) and "Числова В.И." in text(response) and "204" in text(response)
    [slot] = slots()
    assert (slot.assignment_id, slot.weekday, slot.lesson_number) == (s.maths_5a.id, 2, 3)
    assert (slot.room, slot.room_id, slot.valid_from, slot.valid_to) == ("204", s.room_204.id, MONDAY, None)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "timetable"))
    assert entry.entity_id == s.class_5a.id and entry.after["slots"][0]["room"] == "204"
    grid = s.client.get(f"/admin/timetable/classes/{s.class_5a.id}?from={MONDAY.isoformat()}")
    assert grid.status_code == 200 and "Числова В.И." in text(grid)


def test_a_cell_takes_two_lessons_of_different_subgroups(school):
    s = school
    response = put(s, s.class_5a, 1, 4, s.english_5a_g1, s.room_204, s.english_5a_g2, s.room_301)
    assert response.status_code == 302
    assert sorted((x.assignment_id, x.room) for x in slots()) == sorted(
        [(s.english_5a_g1.id, "204"), (s.english_5a_g2.id, "301")]
    )


def test_two_whole_class_lessons_in_one_cell_are_refused(school):
    s = school
    response = put(s, s.class_5a, 1, 1, s.maths_5a, None, s.russian_5a, None, htmx=True)
    assert response.status_code == 409
    assert "У класса 5А уже есть урок в это время: Математика" in text(response)
    assert slot_count() == 0


def test_a_teacher_already_teaching_another_class_at_that_lesson_is_refused_and_named(school):
    s = school
    assert put(s, s.class_5b, 3, 2, s.maths_5b).status_code == 302  # Словарёва teaches 5Б
    response = put(s, s.class_5a, 3, 2, s.russian_5a, htmx=True)  # and would teach 5А at once
    assert response.status_code == 409
    body = text(response)
    assert "Учитель Словарёва О.И. уже ведёт урок в это время: 5Б, Математика (среда, 2-й урок)." in body
    assert 'role="alert"' in body
    assert [x.assignment_id for x in slots()] == [s.maths_5b.id]


def test_a_room_taken_by_another_class_is_refused(school):
    s = school
    assert put(s, s.class_5b, 1, 2, s.maths_5b, s.room_204).status_code == 302
    response = put(s, s.class_5a, 1, 2, s.maths_5a, s.room_204)
    assert response.status_code == 409
    assert "Кабинет 204 уже занят в это время: 5Б, Математика" in text(response)
    assert slot_count() == 1


def test_a_clash_with_a_lesson_planned_from_a_later_date_is_refused_too(school):
    s = school
    later = MONDAY + timedelta(days=14)
    assert put(s, s.class_5b, 1, 1, s.maths_5b, day=later).status_code == 302
    response = put(s, s.class_5a, 1, 1, s.russian_5a)  # from MONDAY on, open-ended
    assert response.status_code == 409 and "5Б" in text(response)


# Valid from a date -------------------------------------------------------------------------------


def test_a_change_from_a_date_closes_the_old_lesson_the_day_before_and_keeps_the_history(school):
    s = school
    start = s.year.start_date
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=1, lesson_number=1,
                                room="204", room_id=s.room_204.id, valid_from=start))
    db.session.commit()
    assert put(s, s.class_5a, 1, 1, s.russian_5a, s.room_301).status_code == 302
    old, new = slots()
    assert (old.assignment_id, old.valid_from, old.valid_to) == (s.maths_5a.id, start, MONDAY - timedelta(days=1))
    assert (new.assignment_id, new.valid_from, new.valid_to, new.room) == (s.russian_5a.id, MONDAY, None, "301")
    # the readers of the timetable (journal, diary) see the week before and the week after
    before = schedule_queries.class_day(s.class_5a, MONDAY - timedelta(days=7))
    after = schedule_queries.class_day(s.class_5a, MONDAY)
    assert [(i.subject_name, i.room) for i in before] == [("Математика", "204")]
    assert [(i.subject_name, i.room) for i in after] == [("Русский язык", "301")]

    # changed again from the same date: the new lesson is replaced, the history stays as it was
    assert put(s, s.class_5a, 1, 1, s.maths_5a, s.room_301).status_code == 302
    old, new = slots()
    assert old.valid_to == MONDAY - timedelta(days=1)
    assert (new.assignment_id, new.valid_from) == (s.maths_5a.id, MONDAY)


def test_a_change_before_a_planned_change_lasts_until_it(school):
    s = school
    later = MONDAY + timedelta(days=28)
    assert put(s, s.class_5a, 2, 1, s.maths_5a, day=later).status_code == 302
    assert put(s, s.class_5a, 2, 1, s.russian_5a).status_code == 302
    by_start = {x.valid_from: x for x in slots()}
    assert by_start[MONDAY].valid_to == later - timedelta(days=1)
    assert by_start[later].assignment_id == s.maths_5a.id and by_start[later].valid_to is None


def test_emptying_a_cell_ends_its_lesson_the_day_before(school):
    s = school
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=4, lesson_number=6,
                                valid_from=s.year.start_date))
    db.session.commit()
    assert put(s, s.class_5a, 4, 6).status_code == 302
    [slot] = slots()
    assert slot.valid_to == MONDAY - timedelta(days=1)


def test_the_past_is_never_rewritten(school):
    s = school
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=1, lesson_number=1,
                                valid_from=s.year.start_date))
    db.session.commit()
    response = put(s, s.class_5a, 1, 1, s.russian_5a, day=TODAY - timedelta(days=1))
    assert response.status_code == 400
    assert "Расписание нельзя изменить задним числом" in text(response)
    [slot] = slots()
    assert (slot.assignment_id, slot.valid_to) == (s.maths_5a.id, None)
    past = s.client.get(f"/admin/timetable/classes/{s.class_5a.id}?from={(TODAY - timedelta(days=7)).isoformat()}")
    assert past.status_code == 200 and "можно только посмотреть" in text(past)
    assert "hx-get" not in text(past)


# Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [
    {"assignment_1": "999999"},  # no such assignment
    {"assignment_1": "abc"},
    {"room_1": "999999"},
    {"valid_from": "31.02.2027"},
    {"valid_from": ""},
    {"assignment_1": "0", "room_1": "ROOM"},
])
def test_bad_input_is_refused_in_russian_and_changes_nothing(school, data):
    s = school
    form = {"valid_from": MONDAY.isoformat(), "assignment_1": str(s.maths_5a.id), "room_1": "0",
            "assignment_2": "0", "room_2": "0"}
    form.update({k: (str(s.room_204.id) if v == "ROOM" else v) for k, v in data.items()})
    response = s.client.post(cell_url(s.class_5a), data=form)
    assert response.status_code == 400
    assert "Проверьте поля" in text(response) or "Кабинет указан без урока" in text(response)
    assert slot_count() == 0


def test_a_lesson_of_another_class_is_not_offered_nor_accepted(school):
    s = school
    form_page = s.client.get(cell_url(s.class_5a) + f"?from={MONDAY.isoformat()}")
    assert form_page.status_code == 200 and f'value="{s.maths_5b.id}"' not in text(form_page)
    response = put(s, s.class_5a, 1, 1, s.maths_5b)
    assert response.status_code == 400 and slot_count() == 0


@pytest.mark.parametrize("weekday, number", [(7, 1), (0, 1), (1, 0), (1, 13)])
def test_a_cell_outside_the_week_does_not_exist(school, weekday, number):
    s = school
    response = put(s, s.class_5a, weekday, number, s.maths_5a)
    assert response.status_code == 404 and slot_count() == 0


def test_a_malformed_date_in_the_address_is_a_russian_400(school):
    response = school.client.get(f"/admin/timetable/classes/{school.class_5a.id}?from=завтра")
    assert response.status_code == 400 and "<html" in text(response) and "Traceback" not in text(response)


# Rooms -------------------------------------------------------------------------------------------


def test_rooms_are_added_renamed_and_switched_off(school):
    s = school
    assert s.client.post("/admin/rooms", data={"name": " 105 ", "note": "Информатика"}).status_code == 302
    room = db.session.scalar(select(Room).where(Room.name == "105"))
    assert room.note == "Информатика" and room.is_active
    duplicate = s.client.post("/admin/rooms", data={"name": "105"})
    assert duplicate.status_code == 400 and "Кабинет «105» уже есть в списке." in text(duplicate)
    assert db.session.scalar(select(func.count()).select_from(Room).where(Room.name == "105")) == 1

    # a past lesson keeps the old number, the current one shows the new
    db.session.add_all([
        ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=1, lesson_number=1, room="105",
                     room_id=room.id, valid_from=s.year.start_date, valid_to=TODAY - timedelta(days=3)),
        ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=1, lesson_number=1, room="105",
                     room_id=room.id, valid_from=TODAY - timedelta(days=2)),
    ])
    db.session.commit()
    assert s.client.post(f"/admin/rooms/{room.id}/edit", data={"name": "105а", "note": ""}).status_code == 302
    assert [x.room for x in slots()] == ["105", "105а"]

    assert s.client.post(f"/admin/rooms/{room.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Room, room.id).is_active
    form_page = text(s.client.get(cell_url(s.class_5b, 2, 2) + f"?from={MONDAY.isoformat()}"))
    room_select = form_page.split('name="room_1">')[1].split("</select>")[0]
    assert f'<option value="{s.room_204.id}">204</option>' in room_select
    assert f'<option value="{room.id}">' not in room_select
    refused = s.client.post(cell_url(s.class_5b, 2, 2), data={
        "valid_from": MONDAY.isoformat(), "assignment_1": str(s.maths_5b.id), "room_1": str(room.id),
        "assignment_2": "0", "room_2": "0"})
    assert refused.status_code == 400
    assert slot_count() == 2


def test_an_empty_room_name_is_refused(school):
    response = school.client.post("/admin/rooms", data={"name": "   "})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Room)) == 2


def test_a_room_of_another_school_is_not_reachable(school):
    other = School(name="Другая школа", short_name="Другая")
    db.session.add(other)
    db.session.flush()
    room = Room(school_id=other.id, name="1", note="", is_active=True)
    db.session.add(room)
    db.session.commit()
    assert school.client.post(f"/admin/rooms/{room.id}/deactivate").status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Room, room.id).is_active


# Pages -------------------------------------------------------------------------------------------


def _fill_week(s, cells: int):
    for i in range(cells):
        db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=(s.maths_5a, s.russian_5a)[i % 2].id,
                                    weekday=1 + i % 6, lesson_number=1 + i // 6, room="204", room_id=s.room_204.id,
                                    valid_from=s.year.start_date))
    db.session.commit()


def test_the_grid_page_costs_the_same_queries_for_a_full_week(school, count_queries):
    s = school
    url = f"/admin/timetable/classes/{s.class_5a.id}?from={MONDAY.isoformat()}"
    _fill_week(s, 3)
    s.client.get(url)
    with count_queries() as few:
        assert s.client.get(url).status_code == 200
    db.session.execute(ScheduleSlot.__table__.delete())
    _fill_week(s, 36)
    with count_queries() as many:
        page = s.client.get(url)
    assert page.status_code == 200 and text(page).count("Числова В.И.") == 18
    assert many.count == few.count <= 14, many.statements


def test_the_printed_class_timetable_names_the_school_the_class_and_the_date(school):
    s = school
    assert put(s, s.class_5a, 1, 1, s.maths_5a, s.room_204).status_code == 302
    assert put(s, s.class_5a, 6, 2, s.english_5a_g1, s.room_301, s.english_5a_g2, s.room_204).status_code == 302
    page = s.client.get(f"/admin/timetable/classes/{s.class_5a.id}/print?from={MONDAY.isoformat()}")
    body = text(page)
    assert page.status_code == 200
    for expected in ("МБОУ «Средняя общеобразовательная школа № 1»", "Расписание уроков 5А класса",
                     f"Действует с {MONDAY.strftime('%d.%m.%Y')}", "Математика", "Числова В.И.", "каб. 204",
                     "Суббота", "1 группа", "2 группа", "Смирнова Анна Петровна"):
        assert expected in body, expected
    # today the new timetable is not in force yet
    today_page = text(s.client.get(f"/admin/timetable/classes/{s.class_5a.id}/print"))
    assert "На эту дату уроков в расписании нет." in today_page


def test_the_printed_teacher_timetable_lists_their_classes(school, auth):
    s = school
    assert put(s, s.class_5b, 2, 3, s.maths_5b, s.room_204).status_code == 302
    assert put(s, s.class_5a, 4, 1, s.russian_5a).status_code == 302
    auth.logout()
    auth.login(s.russian_teacher)
    page = s.client.get(f"/admin/timetable/teachers/{s.russian_teacher.id}/print?from={MONDAY.isoformat()}")
    body = text(page)
    assert page.status_code == 200
    assert "Расписание учителя" in body and "Словарёва Ольга" in body
    assert "5Б" in body and "5А" in body and "Русский язык" in body and "каб. 204" in body
    assert s.client.get(f"/admin/timetable/teachers/{s.maths_teacher.id}/print").status_code == 403


def test_a_teacher_may_view_but_not_edit(school, auth):
    s = school
    auth.logout()
    auth.login(s.maths_teacher)
    assert s.client.get("/admin/timetable").status_code == 200
    assert put(s, s.class_5a, 1, 1, s.maths_5a).status_code == 403
    assert slot_count() == 0


def test_the_sample_file_has_the_russian_headers(school):
    response = school.client.get("/admin/timetable/import-sample.csv")
    assert response.status_code == 200
    first = response.get_data().decode("utf-8-sig").splitlines()[0]
    assert first == "Класс;День;Урок;Предмет;Учитель;Кабинет;Подгруппа"


def test_the_printed_sheet_shows_the_bells_of_the_classes_shift(school, auth):
    from models import BellSchedule

    s = school
    db.session.add_all([
        BellSchedule(school_id=s.school.id, shift=1, lesson_number=1, starts="08:30", ends="09:15"),
        BellSchedule(school_id=s.school.id, shift=2, lesson_number=1, starts="14:00", ends="14:45"),
    ])
    s.class_5b.shift = 2
    db.session.commit()
    assert put(s, s.class_5b, 2, 1, s.maths_5b, s.room_204).status_code == 302
    assert put(s, s.class_5a, 4, 1, s.russian_5a).status_code == 302
    second_shift = text(s.client.get(f"/admin/timetable/classes/{s.class_5b.id}/print?from={MONDAY.isoformat()}"))
    assert "14:00–14:45" in second_shift and "08:30" not in second_shift
    first_shift = text(s.client.get(f"/admin/timetable/classes/{s.class_5a.id}/print?from={MONDAY.isoformat()}"))
    assert "08:30–09:15" in first_shift and "14:00" not in first_shift
    # a teacher of both shifts: no single set of times is right for the whole sheet
    both = text(s.client.get(f"/admin/timetable/teachers/{s.russian_teacher.id}/print?from={MONDAY.isoformat()}"))
    assert "08:30" not in both and "14:00" not in both


def test_the_way_back_leads_the_deputy_to_the_schedule_not_to_the_administration(school, auth):
    """The deputy edits the timetable and the bells but does not open /admin/: every link on
    their way must open."""
    s = school
    auth.logout()
    auth.login(s.deputy)
    assert s.client.get("/admin/").status_code == 403
    for url in (f"/admin/timetable/classes/{s.class_5a.id}", "/admin/timetable", "/admin/bells"):
        page = text(s.client.get(url))
        assert 'href="/admin/"' not in page, url
        assert 'href="/journal/schedule"' in page, url
    schedule = text(s.client.get("/journal/schedule"))
    assert 'href="/admin/bells"' in schedule and 'href="/admin/timetable"' in schedule
    auth.logout()
    auth.login(s.admin)
    assert 'href="/admin/"' in text(s.client.get(f"/admin/timetable/classes/{s.class_5a.id}"))


def test_the_administration_index_offers_substitutions_only_to_those_who_may_open_them(school, auth):
    s = school
    assert "/journal/schedule/changes" in text(s.client.get("/admin/"))
    auth.logout()
    auth.login("tech")  # the technical administrator: the index, but not the substitutions
    index = s.client.get("/admin/")
    assert index.status_code == 200
    assert s.client.get("/journal/schedule/changes").status_code == 403
    assert "/journal/schedule/changes" not in text(index)


def test_the_printed_timetable_of_a_club_is_titled_as_a_club_not_a_class(school):
    s = school
    club = ClassGroup(school=s.school, year=s.year, name="Робототехника", grade=5, kind="extra",
                      period_scheme="year", attendance_only=True)
    db.session.add(club)
    db.session.commit()
    page = text(s.client.get(f"/admin/timetable/classes/{club.id}/print?from={MONDAY.isoformat()}"))
    assert "Робототехника класса" not in page
    assert "Расписание занятий объединения «Робототехника»" in page
    assert "Расписание уроков 5А класса" in text(s.client.get(f"/admin/timetable/classes/{s.class_5a.id}/print"))
