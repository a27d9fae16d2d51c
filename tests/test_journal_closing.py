"""Closing a period (JRN-8: "a closed period or year is read-only", 001:2.5.6): the academic
office closes a quarter for one class or the whole school once it is over; from then every
write of that class's days is refused at the server with the reason; the deputy and the director
still correct a record with a written reason kept in the history; the director reopens."""
from __future__ import annotations

import io
import os
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from blueprints.journal import closing_operations, operations
from domain import closing
from extensions import db
from models import (
    AcademicYear,
    Attendance,
    AuditEntry,
    ClassGroup,
    Homework,
    HomeworkFile,
    HomeworkStudent,
    JournalChange,
    Lesson,
    Mark,
    PeriodClosure,
    PeriodMark,
    PlannedAbsence,
    ScheduleChange,
    ScheduleSlot,
    School,
    StudyPeriod,
    WorkKind,
)
from tests.clock import school_date

Q1_DAY = school_date(2026, 10, 20)  # a Tuesday of the first quarter, which is over
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def closed_school(app, small_school):
    """5А and 5Б with a maths lesson each in the first quarter: a mark, a homework with a file
    and a timetable change in 5А's lesson."""
    s = small_school()
    s.q1 = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 1))
    s.q2 = db.session.scalar(select(StudyPeriod).where(StudyPeriod.number == 2))
    s.oral = db.session.scalar(select(WorkKind).where(WorkKind.code == "oral"))
    db.session.add(ScheduleSlot(school_id=s.school.id, assignment_id=s.maths_5a.id, weekday=Q1_DAY.isoweekday(),
                                lesson_number=2, valid_from=s.year.start_date))
    s.lesson = operations.create_lesson(s.maths_5a, s.maths_teacher, Q1_DAY, 2, "Дроби", [s.oral])
    s.lesson_5b = operations.create_lesson(s.maths_5b, s.russian_teacher, Q1_DAY, 1, "Дроби", [s.oral])
    s.pupil = s.pupils_5a[0]
    operations.save_cell(s.lesson, s.pupil, s.maths_teacher, "4", key="", base=None)
    homework = Homework(lesson_id=s.lesson.id, text="Карточка", is_individual=True)
    homework.students = [HomeworkStudent(student_id=s.pupil.id)]
    db.session.add(homework)
    db.session.flush()
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "homework")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"closing-{homework.id}.pdf"), "wb") as f:
        f.write(PDF)
    s.file = HomeworkFile(homework_id=homework.id, original_name="задание.pdf", stored_name=f"closing-{homework.id}.pdf",
                          size=len(PDF), content_type="application/pdf")
    db.session.add(s.file)
    s.change = ScheduleChange(school_id=s.school.id, date=Q1_DAY, assignment_id=s.maths_5a.id, kind="moved",
                              lesson_number=5)
    db.session.add(s.change)
    db.session.commit()
    s.homework = homework
    return s


def close(client, auth, s, period, class_group=None, who=None):
    auth.login(who or s.deputy)
    data = {"class_id": str(class_group.id)} if class_group is not None else {}
    response = client.post(f"/journal/closing/periods/{period.id}/close", data=data, follow_redirects=True)
    auth.logout()
    return response


def counts() -> dict:
    live = {Mark: Mark.is_deleted.is_(False), Attendance: Attendance.is_deleted.is_(False),
            Homework: Homework.is_deleted.is_(False)}
    result = {}
    for model in (Mark, Attendance, Lesson, Homework, HomeworkFile, PlannedAbsence, PeriodMark, ScheduleChange,
                  JournalChange):
        query = select(func.count()).select_from(model)
        if model in live:
            query = query.where(live[model])
        result[model.__name__] = db.session.scalar(query)
    return result


def put_cell(client, lesson, student, value, reason="после срока"):
    return client.put(f"/journal/lessons/{lesson.id}/cells/{student.id}", data={"value": value, "reason": reason},
                      headers={"HX-Request": "true"})


# --- Closing ----------------------------------------------------------------------------------------


def test_closing_before_the_end_of_the_period_is_refused_and_nothing_is_stored(client, auth, closed_school):
    s = closed_school
    page = close(client, auth, s, s.q2, s.class_5a).get_data(as_text=True)
    assert "ещё не окончен" in page and s.q2.end_date.strftime("%d.%m.%Y") in page
    assert db.session.scalar(select(func.count()).select_from(PeriodClosure)) == 0
    with pytest.raises(operations.JournalError) as refused:
        closing_operations.close_period(s.q2, None, s.deputy)
    assert refused.value.status == 409
    assert not db.session.get(StudyPeriod, s.q2.id).is_closed


def test_closing_for_one_class_leaves_the_other_class_open(client, auth, closed_school):
    s = closed_school
    page = close(client, auth, s, s.q1, s.class_5a).get_data(as_text=True)
    assert "закрыт для 5А" in page
    closure = db.session.scalar(select(PeriodClosure))
    assert (closure.class_id, closure.closed_by_id, closure.reopened_at) == (s.class_5a.id, s.deputy.id, None)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "period_closure")).action == "close"
    closed_on = closure.closed_at.astimezone(__import__("zoneinfo").ZoneInfo(s.school.timezone)).date()
    auth.login(s.maths_teacher)
    refused = put_cell(client, s.lesson, s.pupil, "5")
    assert refused.status_code == 409
    assert (f"Период «1 четверть» закрыт для 5А {closed_on.strftime('%d.%m.%Y')}: изменения вносит "
            "заместитель директора с указанием причины") in refused.get_data(as_text=True)
    auth.logout()
    auth.login(s.russian_teacher)  # maths of 5Б, the same quarter: open
    assert put_cell(client, s.lesson_5b, s.pupils_5b[0], "5").status_code == 200
    assert db.session.scalar(select(Mark.value).where(Mark.lesson_id == s.lesson_5b.id)) == "5"
    assert db.session.scalar(select(Mark.value).where(Mark.lesson_id == s.lesson.id)) == "4"


def test_a_class_of_another_school_named_in_the_form_is_not_found_and_nothing_is_closed(client, auth, closed_school):
    """The class comes from the form, not the URL: loaded through policy.checked all the same."""
    s = closed_school
    other = School(name="Другая школа", short_name="Другая")
    year = AcademicYear(school=other, name="чужой", start_date=s.q1.start_date, end_date=s.q1.end_date)
    foreign = ClassGroup(school=other, year=year, name="5В", grade=5, letter="В")
    db.session.add_all([other, year, foreign])
    db.session.commit()
    assert close(client, auth, s, s.q1, foreign).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(PeriodClosure)) == 0


def test_closing_the_whole_school_closes_every_class_and_the_teacher_cannot_close(client, auth, closed_school):
    s = closed_school
    assert close(client, auth, s, s.q1, who=s.maths_teacher).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PeriodClosure)) == 0
    close(client, auth, s, s.q1, who=s.admin)  # the journal administrator, for the office
    assert db.session.get(StudyPeriod, s.q1.id).is_closed
    auth.login(s.russian_teacher)
    assert put_cell(client, s.lesson_5b, s.pupils_5b[0], "5").status_code == 409


def test_every_write_route_of_a_closed_quarter_is_refused_and_nothing_changes(client, auth, closed_school):
    s = closed_school
    close(client, auth, s, s.q1, s.class_5a)
    before = counts()
    lesson_before = (s.lesson.topic, s.lesson.version)
    auth.login(s.maths_teacher)
    base = f"/journal/lessons/{s.lesson.id}"
    attempts = {
        "save_cell": client.put(f"{base}/cells/{s.pupil.id}", data={"value": "5", "reason": "x"},
                                headers={"HX-Request": "true"}),
        "fill_column": client.post(f"{base}/fill", data={"value": "5", "reason": "x"}, follow_redirects=True),
        "fill_present": client.post(f"{base}/fill", data={"value": ""}, follow_redirects=True),
        "update_lesson": client.post(base, data={"version": str(s.lesson.version), "date": Q1_DAY.isoformat(),
                                                 "lesson_number": "2", "plan_item_id": "0", "topic": "Проценты",
                                                 "work_kinds": str(s.oral.id), "reason": "x"}),
        "add_individual_homework": client.post(f"{base}/homework", data={
            "text": "Ещё карточка", "students": [str(s.pupil.id)],
            "file": (io.BytesIO(PDF), "ещё.pdf")}, content_type="multipart/form-data"),
        "delete_homework": client.post(f"{base}/homework/{s.homework.id}/delete", follow_redirects=True),
        "delete_homework_file": client.post(f"/journal/homework-files/{s.file.id}/delete", follow_redirects=True),
        "create_lesson": client.post(f"/journal/assignments/{s.maths_5a.id}/lessons", data={
            "lesson-date": (Q1_DAY + timedelta(days=1)).isoformat(), "lesson-lesson_number": "3",
            "lesson-work_kinds": str(s.oral.id)}, follow_redirects=True),
        "open_lesson": client.post("/journal/lessons/open", data={
            "assignment_id": s.maths_5a.id, "date": (Q1_DAY - timedelta(days=7)).isoformat(), "lesson_number": 2},
            follow_redirects=True),
        "class_attendance": client.post(f"/journal/classes/{s.class_5a.id}/attendance?date={Q1_DAY.isoformat()}",
                                        data={f"code-{s.pupils_5a[1].id}": "ill"}, follow_redirects=True),
        "plan_absence": client.post(f"/journal/classes/{s.class_5a.id}/attendance/planned?date={Q1_DAY.isoformat()}",
                                    data={"student_id": s.pupils_5a[1].id, "date_from": Q1_DAY.isoformat(),
                                          "date_to": (Q1_DAY + timedelta(days=2)).isoformat(), "code": "ill"},
                                    follow_redirects=True),
        "set_period_mark": client.put(
            f"/journal/assignments/{s.maths_5a.id}/periods/{s.q1.id}/students/{s.pupil.id}",
            data={"value": "н/а", "reason": "x"}, headers={"HX-Request": "true"}),
    }
    auth.logout()
    auth.login(s.deputy)  # the timetable of those days: the academic office
    attempts["add_schedule_change"] = client.post("/journal/schedule/changes", data={
        "date": Q1_DAY.isoformat(), "assignment_id": s.maths_5a.id, "lesson_number": 2, "kind": "cancelled",
        "substitute_id": "", "room": "", "note": ""}, follow_redirects=True)
    attempts["delete_schedule_change"] = client.post(f"/journal/schedule/changes/{s.change.id}/delete",
                                                     follow_redirects=True)
    problems = []
    for name, response in attempts.items():
        text = response.get_data(as_text=True)
        if response.status_code not in (200, 400, 409) or "закрыт" not in text:
            problems.append(f"{name}: {response.status_code}")
    assert not problems, problems
    assert counts() == before
    db.session.expire_all()
    lesson = db.session.get(Lesson, s.lesson.id)
    assert (lesson.topic, lesson.version) == lesson_before
    assert db.session.get(HomeworkFile, s.file.id) is not None


def test_the_grid_and_the_lesson_page_show_the_closed_state(client, auth, closed_school):
    s = closed_school
    close(client, auth, s, s.q1, s.class_5a)
    auth.login(s.maths_teacher)
    grid = client.get(f"/journal/assignments/{s.maths_5a.id}?period={s.q1.id}").get_data(as_text=True)
    assert "closed-banner" in grid and "закрыт для 5А" in grid
    assert 'class="cell-input"' not in grid and "pm-menu" not in grid
    lesson_page = client.get(f"/journal/lessons/{s.lesson.id}").get_data(as_text=True)
    assert "закрыт для 5А" in lesson_page and "Сохранить урок" not in lesson_page
    open_grid = client.get(f"/journal/assignments/{s.maths_5a.id}?period={s.q2.id}").get_data(as_text=True)
    assert "closed-banner" not in open_grid


def test_the_closing_page_lists_periods_by_class_in_a_fixed_number_of_queries(client, auth, closed_school,
                                                                             count_queries, create_user):
    s = closed_school
    close(client, auth, s, s.q1, s.class_5a)
    auth.login(s.director)
    with count_queries() as small:
        page = client.get("/journal/closing").get_data(as_text=True)
    assert "1 четверть" in page and f'id="state-{s.q1.id}-{s.class_5a.id}"' in page
    row_5a = page.split(f'id="state-{s.q1.id}-{s.class_5a.id}"')[1].split("</tr>")[0]
    row_5b = page.split(f'id="state-{s.q1.id}-{s.class_5b.id}"')[1].split("</tr>")[0]
    assert "закрыт" in row_5a and "Открыть снова" in row_5a
    assert "Закрыть период" in row_5b and "data-confirm" in row_5b
    assert "ещё не окончен" not in page and "закрыть его можно после" in page  # the second quarter
    from models import ClassGroup

    for n in range(5):
        db.session.add(ClassGroup(school_id=s.school.id, year_id=s.year.id, name=f"6{'АБВГД'[n]}", grade=6))
    db.session.commit()
    closing_operations.close_period(s.q1, db.session.scalar(select(ClassGroup).where(ClassGroup.name == "6А")),
                                    s.deputy)
    db.session.commit()
    with count_queries() as big:
        client.get("/journal/closing")
    assert big.count == small.count and big.count <= 12


# --- Reopening ------------------------------------------------------------------------------------


def test_only_the_director_reopens_with_a_reason_and_the_row_is_kept(client, auth, closed_school):
    s = closed_school
    close(client, auth, s, s.q1, s.class_5a)
    closure = db.session.scalar(select(PeriodClosure))
    auth.login(s.deputy)
    assert client.post(f"/journal/closing/closures/{closure.id}/reopen", data={"reason": "ошибка"}).status_code == 403
    auth.logout()
    auth.login(s.director)
    page = client.post(f"/journal/closing/closures/{closure.id}/reopen", data={"reason": " "},
                       follow_redirects=True).get_data(as_text=True)
    assert "Укажите причину" in page
    db.session.expire_all()
    assert db.session.get(PeriodClosure, closure.id).reopened_at is None
    client.post(f"/journal/closing/closures/{closure.id}/reopen", data={"reason": "Пересдача по решению педсовета"})
    db.session.expire_all()
    row = db.session.get(PeriodClosure, closure.id)
    assert row.reopened_by_id == s.director.id and row.reopen_reason == "Пересдача по решению педсовета"
    auth.logout()
    auth.login(s.maths_teacher)
    assert put_cell(client, s.lesson, s.pupil, "5").status_code == 200


# --- The deputy's reasoned correction ---------------------------------------------------------------


def test_deputy_corrects_a_mark_of_a_closed_period_with_a_reason_kept_in_the_history(client, auth, closed_school):
    s = closed_school
    close(client, auth, s, s.q1, s.class_5a)
    url = f"/journal/lessons/{s.lesson.id}/cells/{s.pupil.id}/correction"
    auth.login(s.maths_teacher)
    assert client.post(url, data={"value": "5", "reason": "ошибка"}).status_code == 403
    auth.logout()
    auth.login(s.deputy)
    page = client.post(url, data={"value": "5", "reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "с указанием причины" in page
    bad = client.post(url, data={"value": "7", "reason": "ошибка"}, follow_redirects=True).get_data(as_text=True)
    assert "7" in bad
    assert db.session.scalar(select(Mark.value).where(Mark.lesson_id == s.lesson.id)) == "4"
    client.post(url, data={"value": "5", "reason": "Ошибка учителя при переносе, служебная записка № 3"})
    db.session.expire_all()
    assert db.session.scalar(select(Mark.value).where(Mark.lesson_id == s.lesson.id)) == "5"
    change = db.session.scalars(select(JournalChange).where(JournalChange.lesson_id == s.lesson.id,
                                                            JournalChange.entity == "mark")
                                .order_by(JournalChange.id.desc())).first()
    assert (change.user_id, change.before["value"], change.after["value"]) == (s.deputy.id, "4", "5")
    assert change.reason == "Ошибка учителя при переносе, служебная записка № 3"
    history = client.get(f"/journal/lessons/{s.lesson.id}/cells/{s.pupil.id}/history").get_data(as_text=True)
    assert "служебная записка № 3" in history and "Исправить с причиной" in history


def test_deputy_cannot_use_the_correction_in_an_open_period(client, auth, closed_school):
    s = closed_school
    auth.login(s.deputy)
    page = client.post(f"/journal/lessons/{s.lesson.id}/cells/{s.pupil.id}/correction",
                       data={"value": "5", "reason": "x"}, follow_redirects=True).get_data(as_text=True)
    assert "Период не закрыт" in page
    assert db.session.scalar(select(Mark.value).where(Mark.lesson_id == s.lesson.id)) == "4"


def test_deputy_corrects_a_period_mark_of_a_closed_period_with_a_reason(client, auth, closed_school):
    s = closed_school
    db.session.add(PeriodMark(school_id=s.school.id, student_id=s.pupil.id, subject_id=s.maths.id, period_id=s.q1.id,
                              assignment_id=s.maths_5a.id, value="н/а", version=1))
    db.session.commit()
    close(client, auth, s, s.q1, s.class_5a)
    url = f"/journal/assignments/{s.maths_5a.id}/periods/{s.q1.id}/students/{s.pupil.id}/correction"
    auth.login(s.deputy)
    assert "Исправить с причиной" in client.get(url).get_data(as_text=True)
    client.post(url, data={"value": "осв", "reason": "", "base": "1"})
    assert db.session.scalar(select(PeriodMark.value)) == "н/а"
    client.post(url, data={"value": "осв", "reason": "Справка ЛФК, приказ № 12", "base": "1"})
    db.session.expire_all()
    mark = db.session.scalar(select(PeriodMark))
    assert (mark.value, mark.reason, mark.set_by_id) == ("осв", "Справка ЛФК, приказ № 12", s.deputy.id)
    change = db.session.scalar(select(JournalChange).where(JournalChange.period_mark_id == mark.id))
    assert change.reason == "Справка ЛФК, приказ № 12"
    auth.logout()
    auth.login(s.maths_teacher)
    assert client.post(url, data={"value": "4", "reason": "x", "base": "2"}).status_code == 403


# --- The rule without a database --------------------------------------------------------------------


def test_closed_for_reads_the_class_the_school_and_the_year():
    quarter = closing.PeriodState("1 четверть", date(2026, 9, 1), date(2026, 10, 24), False,
                                  {7: date(2026, 11, 2)})
    assert closing.closed_for([quarter], 8, "5Б", date(2026, 10, 20), date(2026, 10, 20)) is None
    closed = closing.closed_for([quarter], 7, "5А", date(2026, 10, 20), date(2026, 10, 20))
    assert closed.params == {"name": "1 четверть", "cls": "5А", "date": "02.11.2026"}
    school = closing.PeriodState("1 четверть", date(2026, 9, 1), date(2026, 10, 24), True, {})
    assert "только для чтения" in closing.closed_for([school], 8, "5Б", date(2026, 9, 1), date(2026, 9, 1)).message
    assert closing.closed_for([quarter], 7, "5А", date(2026, 10, 25), date(2026, 10, 30)) is None
    assert closing.closed_for([], 7, "5А", date(2026, 10, 25), date(2026, 10, 25), year_closed=True).is_year
    assert not closing.may_close(date(2026, 10, 24), date(2026, 10, 24))
    assert closing.may_close(date(2026, 10, 24), date(2026, 10, 25))
    assert closing.may_correct_closed({"deputy"}) and not closing.may_correct_closed({"teacher", "class_teacher"})


def test_the_closing_page_lists_the_periods_in_the_order_they_end(client, auth, closed_school):
    """The second quarter before the first half-year that ends the same day, the year last —
    not the year between the first and the second quarter because it starts first."""
    s = closed_school
    year = s.q1.year
    db.session.add_all([
        StudyPeriod(year=year, scheme="half_year", number=1, name="1 полугодие", start_date=s.q1.start_date,
                    end_date=s.q2.end_date),
        StudyPeriod(year=year, scheme="year", number=1, name="Год", start_date=year.start_date, end_date=year.end_date),
    ])
    db.session.commit()
    auth.login(s.director)
    page = client.get("/journal/closing").get_data(as_text=True)
    names = ["1 четверть", "2 четверть", "1 полугодие", "3 четверть", "4 четверть", "Год"]
    positions = [page.index(f"<h2>{name}") for name in names]
    assert positions == sorted(positions)


def test_a_period_closed_for_one_class_is_marked_on_that_class_s_pages_only(client, auth, closed_school):
    """The period buttons of the grid and the class page say «закрыт» for a closure of the class,
    not only for a whole-school one."""
    s = closed_school
    close(client, auth, s, s.q1, s.class_5a)
    auth.login(s.director)

    def q1_button(url):
        page = client.get(url).get_data(as_text=True)
        return page.split(f"period={s.q1.id}\"")[1].split("</a>")[0]

    assert "закрыт" in q1_button(f"/journal/assignments/{s.maths_5a.id}")
    assert "закрыт" in q1_button(f"/journal/classes/{s.class_5a.id}")
    assert "закрыт" not in q1_button(f"/journal/assignments/{s.maths_5b.id}")
    assert "закрыт" not in q1_button(f"/journal/classes/{s.class_5b.id}")


def test_the_deputy_s_correction_pencil_is_offered_only_on_the_closed_period_not_the_open_year(
        client, auth, closed_school):
    s = closed_school
    year = StudyPeriod(year=s.year, scheme="year", number=1, name="Год", start_date=s.year.start_date,
                       end_date=s.year.end_date)
    db.session.add(year)
    db.session.commit()
    close(client, auth, s, s.q1, s.class_5a)
    auth.login(s.deputy)
    grid = client.get(f"/journal/assignments/{s.maths_5a.id}?period={s.q1.id}").get_data(as_text=True)
    assert f"/periods/{s.q1.id}/students/{s.pupil.id}/correction" in grid
    # the year is still open: its page would only answer «Период не закрыт»
    assert f"/periods/{year.id}/students/{s.pupil.id}/correction" not in grid


def test_the_dates_of_a_period_closed_for_a_class_cannot_be_moved(client, auth, closed_school):
    s = closed_school
    close(client, auth, s, s.q1, s.class_5a)
    before = (s.q1.start_date, s.q1.end_date)
    auth.login(s.admin)
    response = client.post(f"/admin/periods/{s.q1.id}/edit", data={
        "number": "1", "name": s.q1.name, "start_date": s.q1.start_date.isoformat(),
        "end_date": (s.q1.end_date - timedelta(days=14)).isoformat()})
    assert response.status_code == 400
    assert "закрыт для класса 5А" in response.get_data(as_text=True)
    db.session.expire_all()
    period = db.session.get(StudyPeriod, s.q1.id)
    assert (period.start_date, period.end_date) == before
    # an open period is edited as before
    assert client.post(f"/admin/periods/{s.q2.id}/edit", data={
        "number": "2", "name": "", "start_date": s.q2.start_date.isoformat(),
        "end_date": s.q2.end_date.isoformat()}).status_code == 302
