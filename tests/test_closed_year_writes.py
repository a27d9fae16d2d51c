"""A closed school year is read-only for everyone (ARC-1): every write route of the journal,
diary, administration, personal-data and reports areas — each POST/PUT/PATCH/DELETE rule of
app.url_map, with the URL and form data of its access rule (tests/access_rules_*.py), sent by a
user that rule allows — answers 4xx with the Russian reason «Учебный год … закрыт» and changes
nothing; the reads of that year still work. Routes that do not touch a year's data are named in
NOT_YEAR_DATA with the reason."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select

from extensions import db
from models import StudyPeriod
from models.year_closing import closed_year_changes_allowed
from tests.access import PUBLIC, USERS
from tests.conftest import PASSWORD, isolated_client
from tests.test_access_matrix import RULES
from tests.test_year_closing import make_closable

AREAS = ("journal", "diary", "admin", "personal_data", "reports", "assignments", "quizzes")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Write routes of these areas that change no data of a school year, with why (the allow-list).
_SCHOOL_WIDE = "the school's own settings and lists, not a year's data"
_PEOPLE = "people and their accounts (they outlive the year); class membership is not edited here"
_PERSONAL_DATA = "the personal-data register (consents, cards, disclosures, orders): not the year's records (PD-*)"
NOT_YEAR_DATA: dict[tuple[str, str], str] = {
    ("POST", "/admin/backups/run"): "a backup reads every year",
    ("POST", "/admin/jobs/<job_id>/run"): "runs a periodic job (reports, backups), which writes no year data",
    ("POST", "/admin/bells/set"): _SCHOOL_WIDE + " (bell schedules)",
    ("POST", "/admin/bells/set/remove"): _SCHOOL_WIDE + " (bell schedules)",
    ("POST", "/admin/bells/set/delete"): _SCHOOL_WIDE + " (bell schedules)",
    ("POST", "/admin/bells/set/shorten"): _SCHOOL_WIDE + " (bell schedules)",
    ("POST", "/admin/bells/days"): _SCHOOL_WIDE + " (shortened days)",
    ("POST", "/admin/bells/days/<int:day_id>/delete"): _SCHOOL_WIDE + " (shortened days)",
    ("POST", "/admin/settings/<section_code>"): _SCHOOL_WIDE + " (settings, e.g. of the next year)",
    ("POST", "/admin/settings/<section_code>/reset"): _SCHOOL_WIDE,
    ("POST", "/admin/subjects"): _SCHOOL_WIDE + " (subjects)",
    ("POST", "/admin/subjects/<int:subject_id>/edit"): _SCHOOL_WIDE + " (subjects)",
    ("POST", "/admin/subjects/<int:subject_id>/deactivate"): _SCHOOL_WIDE + " (subjects)",
    ("POST", "/admin/subjects/<int:subject_id>/activate"): _SCHOOL_WIDE + " (subjects)",
    ("POST", "/admin/subjects/import"): _SCHOOL_WIDE + " (subjects)",
    ("POST", "/admin/subjects/import/<token>"): _SCHOOL_WIDE + " (subjects)",
    ("POST", "/admin/subjects/import/<token>/cancel"): _SCHOOL_WIDE + " (subjects)",
    ("POST", "/admin/work-kinds"): _SCHOOL_WIDE + " (kinds of work)",
    ("POST", "/admin/work-kinds/<int:kind_id>/edit"): _SCHOOL_WIDE + " (kinds of work)",
    ("POST", "/admin/scales"): _SCHOOL_WIDE + " (marking scales)",
    ("POST", "/admin/rooms"): _SCHOOL_WIDE + " (rooms)",
    ("POST", "/admin/rooms/<int:room_id>/edit"): _SCHOOL_WIDE + " (rooms)",
    ("POST", "/admin/rooms/<int:room_id>/deactivate"): _SCHOOL_WIDE + " (rooms)",
    ("POST", "/admin/rooms/<int:room_id>/activate"): _SCHOOL_WIDE + " (rooms)",
    ("POST", "/admin/timetable/import"): "a timetable upload for the current open year (checked on apply)",
    ("POST", "/admin/timetable/import/<token>"): "applies a timetable: its slots of a closed year are refused by the guard",
    ("POST", "/admin/timetable/import/<token>/cancel"): "drops an uploaded file",
    ("POST", "/admin/years"): "opens a new year",
    ("POST", "/admin/years/<int:year_id>/next"): "opens the next year from the closed one (reads it)",
    ("POST", "/admin/people/students/<int:student_id>/edit"): _PEOPLE,
    ("POST", "/admin/people/parents/<int:user_id>/edit"): _PEOPLE,
    ("POST", "/admin/people/users/<int:user_id>/profile"): _PEOPLE,
    ("POST", "/admin/people/users/<int:user_id>/block"): _PEOPLE,
    ("POST", "/admin/people/users/<int:user_id>/unblock"): _PEOPLE,
    ("POST", "/admin/people/users/<int:user_id>/roles"): _PEOPLE,
    ("POST", "/admin/people/users/<int:user_id>/password"): _PEOPLE + " (a new password)",
    ("POST", "/admin/people/alerts/<int:alert_id>/resolve"): _PEOPLE + " (the administrator's alerts)",
    ("POST", "/admin/people/students/<int:student_id>/parents"): _PEOPLE + " (family links)",
    ("POST", "/admin/people/parent-links/<int:link_id>/delete"): _PEOPLE + " (family links)",
    ("POST", "/admin/people/import"): _PEOPLE + " (an upload)",
    ("POST", "/admin/people/import/<token>"): _PEOPLE + " (new accounts)",
    ("POST", "/admin/people/import/<token>/cancel"): _PEOPLE + " (an upload)",
    ("POST", "/admin/people/imports/<int:entry_id>/slips"): _PEOPLE + " (login slips)",
    ("POST", "/admin/people/classes/<int:class_id>/slips"): _PEOPLE + " (login slips of a class: a read)",
    ("POST", "/admin/people/export"): _PEOPLE + " (an export: a read, recorded as a disclosure)",
    ("POST", "/personal-data/students/<int:student_id>/card"): _PERSONAL_DATA,
    ("POST", "/personal-data/students/<int:student_id>/card/extract"): _PERSONAL_DATA + " (an extract: a read)",
    ("POST", "/personal-data/destruction/<int:task_id>"): _PERSONAL_DATA + " (destruction has its own act)",
    ("POST", "/personal-data/calendar"): _PERSONAL_DATA + " (the working-days calendar)",
    ("POST", "/personal-data/calendar/<int:correction_id>/delete"): _PERSONAL_DATA + " (the calendar)",
    ("POST", "/personal-data/disclosures/new"): _PERSONAL_DATA,
    ("POST", "/personal-data/corrections/<int:correction_id>/apply"): _PERSONAL_DATA + " (a person's data)",
    ("POST", "/personal-data/corrections/<int:correction_id>/reject"): _PERSONAL_DATA,
    ("POST", "/personal-data/students/<int:student_id>/consent"): _PERSONAL_DATA + " (consent)",
    ("POST", "/personal-data/students/<int:student_id>/applications"): _PERSONAL_DATA,
    ("POST", "/personal-data/orders"): _PERSONAL_DATA,
    ("POST", "/personal-data/orders/<int:order_id>/operators"): _PERSONAL_DATA,
    ("POST", "/personal-data/operators/<int:operator_id>/delete"): _PERSONAL_DATA,
    ("POST", "/personal-data/orders/<int:order_id>/revoke"): _PERSONAL_DATA,
    ("POST", "/personal-data/suspensions"): _PERSONAL_DATA,
    ("POST", "/personal-data/suspensions/<int:suspension_id>/lift"): _PERSONAL_DATA,
    ("POST", "/personal-data/my/consents/<int:consent_id>/withdraw"): _PERSONAL_DATA + " (consent withdrawal)",
    ("POST", "/personal-data/my/students/<int:student_id>/corrections"): _PERSONAL_DATA + " (a subject's request)",
    ("POST", "/personal-data/my/students/<int:student_id>/extract"): _PERSONAL_DATA + " (a subject's request)",
    ("POST", "/reports/debts/<int:debt_id>/retakes"): "a retake is the closed year's own follow-up (REP-5): "
                                                     "allowed after closing (test_academic_debts)",
    ("POST", "/reports/exams/import/<token>/cancel"): "drops a pending upload of a protocol; no year data",
    ("POST", "/personal-data/students/<int:student_id>/file/leaving-extract"): "prints an extract of the year's "
        "marks (a read), recorded in the disclosure register and the access log",
    ("POST", "/personal-data/students/<int:student_id>/file/statements"): "the previous school's statement is a "
        "document of the personal file, not of the closed year",
    ("POST", "/journal/lessons/open"): "finds the existing lesson and shows it (a read); a new lesson of a closed "
                                       "year is refused (test_a_new_lesson_of_a_closed_year_is_refused)",
}

# Year data refused (4xx, nothing changed) before the year's guard is reached, so without its
# reason: the form offers only the objects of open years, or the access rule names no object.
REFUSED_BEFORE_THE_GUARD: dict[tuple[str, str], str] = {
    ("POST", "/reports/exams/import"): "the rule sends no file; an import into a closed year is refused with "
                                       "the reason (test_exams)",
    ("POST", "/admin/classes/new"): "the form offers only open years («Неверный вариант»)",
    ("POST", "/admin/assignments"): "the form offers only the classes of open years",
    ("POST", "/journal/schedule/changes"): "the form offers only the lessons of open years",
    ("POST", "/reports/inspections/new"): "the form offers only the journals of open years",
    ("POST", "/journal/assignments/<int:assignment_id>/plan/import"): "the rule sends no file (the plan's "
                                                                       "guard: test_plan_and_holidays_refused)",
    ("POST", "/admin/holidays/<int:holiday_id>/delete"): "the rule names no holiday (404); see "
                                                         "test_plan_and_holidays_refused",
    ("POST", "/admin/curriculum/<int:item_id>/delete"): "the rule names no curriculum item (404)",
}

# Tables whose rows a refused request may still add: the logs of who looked at what.
LOG_TABLES = {"audit_entry", "login_event", "pd_access_log", "user_session"}


def _counts() -> dict[str, str]:
    """Every table's rows (not only their number: an update counts as a change), as a digest."""
    db.session.commit()
    digests = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in LOG_TABLES:
                continue
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def _write_rules(app):
    endpoints = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods & WRITE_METHODS:
            endpoints[(method, rule.rule)] = rule.endpoint
    chosen = []
    for r in RULES:
        endpoint = endpoints.get((r.method, r.rule))
        if endpoint is None or endpoint.split(".")[0] not in AREAS or r.allowed is PUBLIC:
            continue
        chosen.append(r)
    return chosen


def _close(s) -> None:
    with closed_year_changes_allowed():  # as close_year does, without waiting for the year's end
        s.year.is_closed = True
        for period in db.session.scalars(select(StudyPeriod).where(StudyPeriod.year_id == s.year.id)):
            period.is_closed = True
        db.session.commit()


def test_every_write_route_of_a_closed_year_is_refused_with_the_reason(app, make_app, small_school):
    s = small_school()
    make_closable(s)
    rules = _write_rules(app)
    assert len(rules) > 80  # the walk really walks
    # Each rule's URL and form data while the year is still open: its URL maker may create the
    # object it names (a lesson, a homework…), which a closed year would refuse.
    by_user: dict[str, list] = {}
    for r in rules:
        if (r.method, r.rule) in NOT_YEAR_DATA or not r.allowed:
            continue  # allowed to nobody: the access matrix already refuses everyone
        url = r.url(s)
        data = r.data(s) if r.data else {}
        db.session.commit()
        by_user.setdefault(sorted(r.allowed)[0], []).append((r, url, data))
    _close(s)
    problems = []
    for name, user_rules in sorted(by_user.items()):
        user = USERS[name](s)
        client = isolated_client(make_app)
        assert client.post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
        for r, url, data in user_rules:
            before = _counts()
            response = client.open(url, method=r.method, data=data)
            after = _counts()
            body = response.get_data().decode("utf-8", "replace")
            changed = {k for k in before if before[k] != after[k]}
            needs_reason = (r.method, r.rule) not in REFUSED_BEFORE_THE_GUARD
            if not (400 <= response.status_code < 500) or (needs_reason and "закрыт" not in body) or changed:
                flashed = ""
                page = client.get(response.location).get_data(as_text=True) if response.status_code in (302, 303) else body
                flashed = " | ".join(re.findall(r'class="(?:flash flash-error|field-error|error)[^>]*>([^<]*)<', page))
                problems.append(f"{r.method} {r.rule} as {name}: {response.status_code} {flashed}"
                                f"{' no reason' if 'закрыт' not in body else ''}{' changed ' + str(sorted(changed)) if changed else ''}")
    assert not problems, f"{len(problems)} routes:\n" + "\n".join(problems)


@pytest.mark.parametrize("name, url", [
    ("maths_teacher", lambda s: f"/journal/assignments/{s.maths_5a.id}"),
    ("director", lambda s: f"/reports/classes/{s.class_5a.id}/summary"),
    ("parent_a", lambda s: "/diary/"),
    ("student_5a", lambda s: "/diary/"),
])
def test_reads_of_a_closed_year_still_work(make_app, small_school, name, url):
    s = small_school()
    make_closable(s)
    _close(s)
    user = USERS[name](s)
    client = isolated_client(make_app)
    assert client.post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
    response = client.get(url(s), follow_redirects=True)
    assert response.status_code == 200


def _login(make_app, user):
    client = isolated_client(make_app)
    assert client.post("/auth/login", data={"login": user.login, "password": PASSWORD}).status_code == 302
    return client


def test_a_new_lesson_of_a_closed_year_is_refused(make_app, small_school):
    from models import Lesson
    from tests.access_rules_journal_lessons import LESSON_DAY

    s = small_school()
    make_closable(s)
    _close(s)
    lessons = db.session.scalar(select(func.count()).select_from(Lesson))
    client = _login(make_app, s.maths_teacher)
    response = client.post("/journal/lessons/open", data={
        "assignment_id": s.maths_5a.id, "date": LESSON_DAY.isoformat(), "lesson_number": 3})
    assert response.status_code == 409 and "Учебный год" in text(response) and "закрыт" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == lessons


def test_plan_and_holidays_refused(make_app, small_school):
    from datetime import timedelta

    from models import Holiday

    s = small_school()
    make_closable(s)
    holiday = Holiday(year=s.year, name="Осенние", start_date=s.year.start_date + timedelta(days=50),
                      end_date=s.year.start_date + timedelta(days=57))
    db.session.add(holiday)
    db.session.commit()
    _close(s)
    admin = _login(make_app, s.admin)
    response = admin.post(f"/admin/holidays/{holiday.id}/delete")
    assert response.status_code == 409 and "закрыт" in text(response)
    assert db.session.get(Holiday, holiday.id) is not None
    teacher = _login(make_app, s.maths_teacher)
    response = teacher.post(f"/journal/assignments/{s.maths_5a.id}/plan",
                            data={"number": "1", "topic": "Дроби", "hours": "1"})
    assert response.status_code == 409 and "закрыт" in text(response)


def text(response) -> str:
    return response.get_data(as_text=True)
