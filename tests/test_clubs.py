"""The journal of additional-education groups (JRN-9): the group's teacher takes attendance at
every session, keeps results in the group's own form and achievements; the administration reads;
other teachers and families are refused; the member's diary shows the group; the printed page is
a certified PDF; the page's queries are bounded."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from blueprints.journal import operations, queries
from extensions import db
from models import (
    Attendance,
    ClubAchievement,
    ClubMembership,
    ClubResult,
    ClubResultForm,
    Printout,
    Student,
    StudyPeriod,
)
from tests.access_rules_clubs import SESSION_DAY, club_school


@pytest.fixture
def club(app, small_school):
    return club_school(small_school())


def _url(s, tail=""):
    return f"/journal/clubs/{s.chess_assignment.id}{tail}"


def _session_url(s):
    return _url(s, f"/sessions/{s.chess_session.id}")


def _absent(s) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Attendance.student_id).where(
        Attendance.lesson_id == s.chess_session.id, Attendance.is_deleted.is_(False))))


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _quarter(s, number=2) -> StudyPeriod:
    return db.session.scalar(select(StudyPeriod).where(StudyPeriod.year_id == s.year.id,
                                                       StudyPeriod.scheme == "quarter", StudyPeriod.number == number))


def test_the_club_journal_roster_is_its_members_of_any_class(club):
    s = club
    roster = [p.id for p in db.session.scalars(queries.roster_query(s.chess_assignment, SESSION_DAY, SESSION_DAY))]
    assert sorted(roster) == sorted([s.pupils_5a[0].id, s.pupils_5b[0].id])


def test_the_teacher_marks_who_is_absent_and_the_marks_are_stored(client, auth, club):
    s = club
    auth.login(s.extra_teacher)
    page = client.get(_session_url(s)).get_data(as_text=True)
    assert "Петров Пётр" in page and "Сидоров Семён" in page and "5Б" in page
    response = client.post(_session_url(s), data={"absent": [str(s.pupils_5b[0].id)], "reason": "опоздал внести"})
    assert response.status_code == 303
    assert _absent(s) == {s.pupils_5b[0].id}
    # the journal's history records it, as a grid cell would
    assert "<td>Н</td>" in client.get(_url(s)).get_data(as_text=True)
    # the next save replaces the absences: 5Б present again, 5А absent
    client.post(_session_url(s), data={"absent": [str(s.pupils_5a[0].id)], "reason": "исправление"})
    assert _absent(s) == {s.pupils_5a[0].id}


def test_attendance_refuses_a_non_member_and_stores_nothing(client, auth, club):
    s = club
    auth.login(s.extra_teacher)
    response = client.post(_session_url(s), data={"absent": [str(s.pupils_5a[1].id)]})
    assert response.status_code == 403 and "не занимается в группе" in response.get_data(as_text=True)
    assert client.post(_session_url(s), data={"absent": ["x"]}).status_code == 400
    assert _absent(s) == set()


def test_only_the_club_teacher_edits_the_office_reads_others_are_refused(client, auth, club):
    s = club
    for user in (s.deputy, s.director):
        auth.login(user)
        assert client.get(_url(s)).status_code == 200
        assert client.get(_session_url(s)).status_code == 200
        assert client.post(_session_url(s), data={"absent": [str(s.pupils_5a[0].id)]}).status_code == 403
        auth.logout()
    for user in (s.maths_teacher, s.russian_teacher, s.parent_a, s.pupils_5a[0].user):
        auth.login(user)
        assert client.get(_url(s)).status_code == 403
        auth.logout()
    assert _absent(s) == set()


def test_forged_ids_are_not_found(client, auth, club):
    s = club
    auth.login(s.extra_teacher)
    other = operations.create_lesson(s.maths_5a, s.maths_teacher, SESSION_DAY, 1, "Дроби")
    db.session.commit()
    assert client.get(_url(s, f"/sessions/{other.id}")).status_code == 404
    assert client.get("/journal/clubs/999999").status_code == 404
    assert client.post(_url(s, "/achievements/999999/delete")).status_code == 404
    # a plain class's assignment is no club
    assert client.get(f"/journal/clubs/{s.maths_5a.id}").status_code in (403, 404)


def test_results_in_the_group_s_own_form(client, auth, club):
    s = club
    auth.login(s.extra_teacher)
    period = _quarter(s)
    # a level form needs its list of levels
    response = client.post(_url(s, "/form"), data={"form": "level", "levels": ""})
    assert response.status_code == 400 and "перечислите уровни" in response.get_data(as_text=True)
    assert _count(ClubResultForm) == 0
    assert client.post(_url(s, "/form"), data={"form": "level",
                                              "levels": "начальный\nбазовый\nпродвинутый"}).status_code == 303
    # a value not in the list is refused, nothing stored
    response = client.post(_url(s, "/results"), data={"period_id": period.id,
                                                      f"result-{s.pupils_5a[0].id}": "гроссмейстер"})
    assert response.status_code == 400 and "Такого уровня нет" in response.get_data(as_text=True)
    assert _count(ClubResult) == 0
    response = client.post(_url(s, "/results"), data={"period_id": period.id,
                                                      f"result-{s.pupils_5a[0].id}": "базовый",
                                                      f"result-{s.pupils_5b[0].id}": "продвинутый"})
    assert response.status_code == 303
    db.session.expire_all()
    stored = {(r.student_id, r.value, r.form) for r in db.session.scalars(select(ClubResult))}
    assert stored == {(s.pupils_5a[0].id, "базовый", "level"), (s.pupils_5b[0].id, "продвинутый", "level")}
    # a non-member's result is refused
    assert client.post(_url(s, "/results"), data={"period_id": period.id,
                                                  f"result-{s.pupils_5a[1].id}": "базовый"}).status_code == 403
    # pass/fail and free text
    client.post(_url(s, "/form"), data={"form": "pass_fail"})
    assert client.post(_url(s, "/results"), data={"period_id": period.id,
                                                  f"result-{s.pupils_5a[0].id}": "сдал"}).status_code == 400
    assert client.post(_url(s, "/results"), data={"period_id": period.id,
                                                  f"result-{s.pupils_5a[0].id}": "passed"}).status_code == 303
    client.post(_url(s, "/form"), data={"form": "text"})
    assert client.post(_url(s, "/results"), data={"period_id": _quarter(s, 1).id,
                                                  f"result-{s.pupils_5b[0].id}": "Собрал робота"}).status_code == 303
    page = client.get(_url(s)).get_data(as_text=True)
    assert "Собрал робота" in page
    assert client.post(_url(s, "/results"), data={"period_id": 999999}).status_code == 404


def test_achievements_are_added_checked_and_removed_by_a_flag(client, auth, club):
    s = club
    auth.login(s.extra_teacher)
    before = _count(ClubAchievement)
    good = {"student_id": s.pupils_5b[0].id, "event": "Городской турнир", "date": SESSION_DAY.isoformat(),
            "level": "municipal", "result": "2 место"}
    for bad, text in (({"date": "2001-01-01"}, "в пределах учебного года"), ({"level": "galactic"}, "Неизвестный"),
                      ({"event": ""}, "Укажите мероприятие"), ({"result": ""}, "Укажите место")):
        response = client.post(_url(s, "/achievements"), data={**good, **bad})
        assert response.status_code == 400 and text in response.get_data(as_text=True)
    assert client.post(_url(s, "/achievements"), data={**good, "student_id": s.pupils_5a[1].id}).status_code == 403
    assert _count(ClubAchievement) == before
    assert client.post(_url(s, "/achievements"), data=good).status_code == 303
    row = db.session.scalar(select(ClubAchievement).where(ClubAchievement.event == "Городской турнир"))
    assert row.level == "municipal" and row.result == "2 место"
    page = client.get(_url(s)).get_data(as_text=True)
    assert "Городской турнир" in page and "муниципальный" in page
    assert client.post(_url(s, f"/achievements/{row.id}/delete")).status_code == 303
    db.session.expire_all()
    assert db.session.get(ClubAchievement, row.id).is_deleted
    assert "Городской турнир" not in client.get(_url(s)).get_data(as_text=True)


def test_user_text_is_escaped(client, auth, club):
    s = club
    auth.login(s.extra_teacher)
    client.post(_url(s, "/achievements"), data={"student_id": s.pupils_5b[0].id, "event": "<script>x</script>",
                                                "date": SESSION_DAY.isoformat(), "level": "school", "result": "1"})
    page = client.get(_url(s)).get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_the_club_shows_in_the_member_s_diary_and_not_in_a_non_member_s(client, auth, club):
    s = club
    auth.login(s.extra_teacher)
    client.post(_session_url(s), data={"absent": [str(s.pupils_5a[0].id)], "reason": "r"})
    client.post(_url(s, "/form"), data={"form": "text"})
    client.post(_url(s, "/results"), data={"period_id": _quarter(s).id,
                                           f"result-{s.pupils_5a[0].id}": "Освоил дебюты"})
    auth.logout()
    auth.login(s.parent_a)
    week = f"/diary/students/{s.pupils_5a[0].id}/week?date={SESSION_DAY.isoformat()}"
    page = client.get(week).get_data(as_text=True)
    assert "Шахматы" in page and "Дебюты" in page and "пропущено 1" in page
    assert "Освоил дебюты" in page and "Турнир" in page
    # parent_a's other child is no member
    other = client.get(f"/diary/students/{s.pupil_1a.id}/week").get_data(as_text=True)
    assert "Шахматы" not in other
    auth.logout()
    # the other member's family sees the club but not Пётр's result or achievement
    auth.login(s.parent_b)
    page = client.get(f"/diary/students/{s.pupils_5b[0].id}/week").get_data(as_text=True)
    assert "Шахматы" in page and "Освоил дебюты" not in page and "Турнир" not in page
    assert "пропущено 0" in page


def test_a_member_who_left_is_no_longer_shown_in_the_diary(client, auth, club):
    s = club
    membership = db.session.scalar(select(ClubMembership).where(ClubMembership.student_id == s.pupils_5b[0].id))
    membership.until = s.year.start_date
    db.session.commit()
    auth.login(s.parent_b)
    assert "Шахматы" not in client.get(f"/diary/students/{s.pupils_5b[0].id}/week").get_data(as_text=True)


def test_the_printed_page_is_a_certified_pdf(client, auth, club):
    s = club
    auth.login(s.deputy)
    before = _count(Printout)
    response = client.get(_url(s, "/print"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert _count(Printout) == before + 1
    assert db.session.scalar(select(Printout).order_by(Printout.id.desc())).kind == "club_journal"


def test_the_club_page_runs_a_bounded_number_of_queries(client, auth, club, count_queries, create_student):
    s = club
    auth.login(s.extra_teacher)

    def measure():
        with count_queries() as counter:
            assert client.get(_url(s)).status_code == 200
        return counter.count

    small = measure()
    for n in range(6):
        student = create_student(s.school, s.class_5b, last_name=f"Новиков{n}", first_name="Н")
        db.session.add(ClubMembership(group=s.chess, student=student, since=s.year.start_date))
    for n in range(5):
        operations.create_lesson(s.chess_assignment, s.extra_teacher, SESSION_DAY, 1 + n, f"Тема {n}")
    db.session.commit()
    assert db.session.scalar(select(func.count(Student.id))) > 6
    assert measure() == small
