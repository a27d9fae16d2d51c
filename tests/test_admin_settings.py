"""The school settings page (issue 10, item 2): the conventions of REQUIREMENTS, "Conventions of
Russian school journals", the personal-data deadlines (PD-2) and the weekly reports' time (DIA-4),
edited by the director and the journal administrator; a bad value changes nothing; every save
is in the history; the settings take effect without a restart."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from blueprints.personal_data import operations as pd_ops
from domain import settings_rules as rules
from domain.settings import DEFAULTS, school_settings
from extensions import db
from models import AuditEntry, School, WorkKind
from tests.clock import school_date, school_moment
from tests.test_journal_grid import journal  # noqa: F401  (the shared fixture)
from tests.test_journal_period_marks import give_marks
from tests.weekly_fixtures import give_consent

SECTION_FORMS = {
    "grading": {"rounding_thresholds.5": "4,65", "rounding_thresholds.4": "3,65", "rounding_thresholds.3": "2,65",
                "rounding_round_up_from.ten": "0,5", "rounding_round_up_from.hundred": "0,5"},
    "marks": {"min_marks_per_period.quarter": "3", "min_marks_per_period.trimester": "3",
              "min_marks_per_period.half_year": "5", "min_marks_per_period.year": "5", "use_weights": "y"},
    "notations": {f"notations.{code}": value for code, value in DEFAULTS["notations"].items()},
    "deadlines": {"homework_deadline_hours": "2", "current_marks_by": "18:00", "marks_deadline_days": "7",
                  "period_marks_window_days": "7"},
    "personal_data": {"pd_destroy_working_days": "10", "pd_destroy_calendar_days_legal": "30"},
    "reports": {"weekly_reports_day": "sat", "weekly_reports_time": "10:00"},
}


def form_of(section: str, s=None, **changes) -> dict:
    """The section's form as the page posts it (the defaults), with `changes` (dots as «__»)."""
    data = dict(SECTION_FORMS[section])
    if section == "marks" and s is not None:
        data |= {f"weight.{k.id}": str(k.weight) for k in kinds_of(s)}
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def kinds_of(s) -> list[WorkKind]:
    return list(db.session.scalars(select(WorkKind).where(WorkKind.school_id == s.school.id).order_by(WorkKind.id)))


def stored_settings(school) -> dict:
    db.session.expire_all()
    return db.session.get(School, school.id).settings or {}


def history_rows(school) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.school_id == school.id, AuditEntry.entity == "school_settings").order_by(AuditEntry.id)))


def save(client, section: str, data: dict):
    return client.post(f"/admin/settings/{section}", data=data)


@pytest.fixture
def office(small_school, auth):
    """The small school with its journal administrator logged in."""
    s = small_school()
    auth.login(s.admin)
    return s


# The page ----------------------------------------------------------------------------------------


def test_page_opens_with_every_section_its_defaults_and_the_printed_legend(client, office):
    page = client.get("/admin/settings").get_data(as_text=True)
    for title in ("Округление отметок за период", "Накопляемость отметок и веса", "Условные обозначения",
                  "Сроки заполнения журнала", "Персональные данные", "Еженедельные бумажные отчёты",
                  "История изменений"):
        assert title in page
    assert 'name="rounding_thresholds.5" value="4,65"' in page
    assert 'name="pd_destroy_working_days" value="10"' in page
    assert '<option value="sat" selected>суббота</option>' in page
    assert "По умолчанию: 18:00" in page
    assert '<span class="sw">УП</span> — по уважительной причине' in page  # the legend as printed
    for kind in kinds_of(office):
        assert f'name="weight.{kind.id}"' in page and kind.name in page
    assert "Настройки ещё не менялись" in page


def test_the_admin_index_links_the_page_for_its_editors_only(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    assert "/admin/settings" in client.get("/admin/").get_data(as_text=True)
    auth.logout()
    auth.login(s.tech_admin)
    assert "/admin/settings" not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/settings").status_code == 403


def test_an_unknown_section_is_not_found_and_nothing_changes(client, office):
    assert save(client, "everything", {"use_weights": ""}).status_code == 404
    assert client.post("/admin/settings/everything/reset").status_code == 404
    assert stored_settings(office.school) == {} and history_rows(office.school) == []


def test_the_page_stays_within_a_fixed_number_of_queries(client, office, count_queries):
    def count() -> int:
        with count_queries() as counter:
            assert client.get("/admin/settings").status_code == 200
        return counter.count

    save(client, "deadlines", form_of("deadlines", homework_deadline_hours="4"))
    count()  # warm-up
    few = count()
    for n in range(12):
        db.session.add(WorkKind(school_id=office.school.id, code=f"extra{n}", name=f"Работа {n}", weight=Decimal("1")))
    db.session.commit()
    for n in range(15):
        assert save(client, "deadlines", form_of("deadlines", homework_deadline_hours=str(3 + n % 2))).status_code == 303
    many = count()
    assert many == few <= 9  # + the header's unread messages badge (COM-1)


# Each section saves -----------------------------------------------------------------------------


def test_rounding_thresholds_and_round_up_points_are_saved(client, office):
    response = save(client, "grading", form_of("grading", rounding_thresholds__5="4,5", rounding_thresholds__4="3.5",
                                               rounding_round_up_from__hundred="0,4"))
    assert response.status_code == 303
    assert stored_settings(office.school) == {
        "rounding_thresholds": {"5": 4.5, "4": 3.5}, "rounding_round_up_from": {"hundred": 0.4}}
    merged = school_settings(stored_settings(office.school))
    assert merged["rounding_thresholds"] == {"5": 4.5, "4": 3.5, "3": 2.65}
    assert 'name="rounding_thresholds.5" value="4,50"' in client.get("/admin/settings").get_data(as_text=True)


def test_minimum_marks_use_of_weights_and_the_weights_of_kinds_of_work_are_saved(client, office):
    test, independent, oral = kinds_of(office)
    data = form_of("marks", office, min_marks_per_period__quarter="4", use_weights=None)
    data[f"weight.{test.id}"] = "3"
    data[f"weight.{oral.id}"] = "0,5"
    assert save(client, "marks", data).status_code == 303
    assert stored_settings(office.school) == {"min_marks_per_period": {"quarter": 4}, "use_weights": False}
    db.session.expire_all()
    assert [k.weight for k in kinds_of(office)] == [Decimal("3"), Decimal("1.5"), Decimal("0.5")]


def test_notations_are_saved_and_the_legend_shows_them(client, office):
    assert save(client, "notations", form_of("notations", notations__absent="отс", notations__exempt="осв.")).status_code == 303
    assert stored_settings(office.school) == {"notations": {"absent": "отс", "exempt": "осв."}}
    page = client.get("/admin/settings").get_data(as_text=True)
    assert '<span class="sw">отс</span> — отсутствовал(а), причина не указана' in page


def test_entry_deadlines_are_saved(client, office):
    data = form_of("deadlines", homework_deadline_hours="3", current_marks_by="7:30", marks_deadline_days="10",
                   period_marks_window_days="5")
    assert save(client, "deadlines", data).status_code == 303
    assert stored_settings(office.school) == {"homework_deadline_hours": 3, "current_marks_by": "07:30",
                                              "marks_deadline_days": 10, "period_marks_window_days": 5}


def test_personal_data_deadlines_are_saved(client, office):
    assert save(client, "personal_data", form_of("personal_data", pd_destroy_working_days="5")).status_code == 303
    assert stored_settings(office.school) == {"pd_destroy_working_days": 5}


def test_weekly_reports_day_and_time_are_saved(client, office):
    assert save(client, "reports", form_of("reports", weekly_reports_day="fri", weekly_reports_time="15:45")).status_code == 303
    assert stored_settings(office.school) == {"weekly_reports_day": "fri", "weekly_reports_time": "15:45"}


def test_only_what_differs_from_the_defaults_is_stored(client, office):
    save(client, "deadlines", form_of("deadlines", marks_deadline_days="10"))
    save(client, "grading", form_of("grading", rounding_thresholds__3="2,5"))
    assert save(client, "deadlines", form_of("deadlines")).status_code == 303  # back to the defaults
    assert stored_settings(office.school) == {"rounding_thresholds": {"3": 2.5}}


def test_the_director_may_save_too(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    assert save(client, "deadlines", form_of("deadlines", marks_deadline_days="9")).status_code == 303
    assert stored_settings(s.school) == {"marks_deadline_days": 9}
    assert history_rows(s.school)[0].user_id == s.director.id


# Bad input: a Russian 400 next to the field, nothing changes ---------------------------------------

BAD = [
    ("grading", {"rounding_thresholds__5": "пять"}, "Введите число"),
    ("grading", {"rounding_thresholds__5": "3,5"}, "Число больше 4 и не больше 5"),  # 5 below 4
    ("grading", {"rounding_thresholds__4": "4,7"}, "Число больше 3 и не больше 4"),  # 4 above 5's range
    ("grading", {"rounding_thresholds__3": "2"}, "Число больше 2 и не больше 3"),
    ("grading", {"rounding_thresholds__5": "5,5"}, "Число больше 4 и не больше 5"),  # outside the scale
    ("grading", {"rounding_thresholds__5": "4,655"}, "Не больше двух знаков после запятой"),
    ("grading", {"rounding_thresholds__5": "NaN"}, "Введите число"),
    ("grading", {"rounding_round_up_from__ten": "1"}, "Число больше 0 и не больше 0,99"),
    ("grading", {"rounding_round_up_from__hundred": "0"}, "Число больше 0 и не больше 0,99"),
    ("grading", {"rounding_round_up_from__ten": None}, "Заполните поле"),
    ("marks", {"min_marks_per_period__quarter": "0"}, "Целое число от 1 до 20"),
    ("marks", {"min_marks_per_period__year": "21"}, "Целое число от 1 до 20"),
    ("marks", {"min_marks_per_period__half_year": "2,5"}, "Введите целое число"),
    ("marks", {"min_marks_per_period__trimester": ""}, "Заполните поле"),
    ("marks", {"weight": "0"}, "Вес больше 0 и не больше 10"),
    ("marks", {"weight": "10,5"}, "Вес больше 0 и не больше 10"),
    ("marks", {"weight": "-1"}, "Вес больше 0 и не больше 10"),
    ("marks", {"weight": "тяжёлый"}, "Введите число"),
    ("notations", {"notations__ill": ""}, "Заполните поле"),
    ("notations", {"notations__ill": "Н"}, "Такое обозначение уже задано выше"),
    ("notations", {"notations__exempt": "зач"}, "Такое обозначение уже задано выше"),
    ("notations", {"notations__late": "О1"}, "одно слово без цифр"),
    ("notations", {"notations__late": "о п"}, "одно слово без цифр"),
    ("notations", {"notations__late": "опоздал-на-урок"}, "Не длиннее 10 знаков"),
    ("deadlines", {"current_marks_by": "25:00"}, "Время в виде ЧЧ:ММ"),
    ("deadlines", {"current_marks_by": "18-00"}, "Время в виде ЧЧ:ММ"),
    ("deadlines", {"marks_deadline_days": "0"}, "Целое число от 1 до 30"),
    ("deadlines", {"period_marks_window_days": "31"}, "Целое число от 1 до 30"),
    ("deadlines", {"homework_deadline_hours": "49"}, "Целое число от 1 до 48"),
    ("personal_data", {"pd_destroy_calendar_days_legal": "31"}, "Целое число от 1 до 30"),  # above the law
    ("personal_data", {"pd_destroy_working_days": "31"}, "Целое число от 1 до 30"),
    ("personal_data", {"pd_destroy_working_days": "21"}, "могут занять до 31 календарных"),  # beyond 30 days
    ("personal_data", {"pd_destroy_working_days": "10", "pd_destroy_calendar_days_legal": "12"}, "больше предельного срока"),
    ("reports", {"weekly_reports_day": "funday"}, "Выберите день недели"),
    ("reports", {"weekly_reports_time": "24:00"}, "Время в виде ЧЧ:ММ"),
]


@pytest.mark.parametrize("section, changes, message", BAD, ids=[f"{b[0]}-{'-'.join(b[1])}-{b[1][next(iter(b[1]))]}" for b in BAD])
def test_a_bad_value_is_refused_with_a_russian_message_and_nothing_changes(client, office, section, changes, message):
    office.school.settings = {"marks_deadline_days": 9}  # a deviation that must survive
    db.session.commit()
    weights = [k.weight for k in kinds_of(office)]
    changes = dict(changes)
    if "weight" in changes:
        changes[f"weight.{kinds_of(office)[0].id}"] = changes.pop("weight")
    response = save(client, section, form_of(section, office, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "не сохранён: исправьте отмеченные поля." in page
    assert message in page
    assert "Traceback" not in page
    assert stored_settings(office.school) == {"marks_deadline_days": 9}
    assert [k.weight for k in kinds_of(office)] == weights
    assert history_rows(office.school) == []


def test_the_error_is_shown_next_to_its_field_and_the_typed_values_are_kept(client, office):
    page = save(client, "deadlines", form_of("deadlines", marks_deadline_days="12", current_marks_by="19:99")).get_data(as_text=True)
    field = page[page.index('name="current_marks_by"'):]
    field = field[:field.index("</div>")]
    assert 'value="19:99"' in field and 'aria-invalid="true"' in field and "Время в виде ЧЧ:ММ" in field
    assert "autofocus" in field and page.count("autofocus") == 1
    assert 'name="marks_deadline_days" value="12"' in page


def test_no_partial_save_when_one_field_of_a_section_is_bad(client, office):
    test = kinds_of(office)[0]
    data = form_of("marks", office, min_marks_per_period__quarter="6", min_marks_per_period__year="0")
    data[f"weight.{test.id}"] = "4"
    assert save(client, "marks", data).status_code == 400
    db.session.expire_all()
    assert stored_settings(office.school) == {} and kinds_of(office)[0].weight == Decimal("2")


def test_a_notation_that_makes_cells_ambiguous_is_refused(client, office):
    """«з» for absent glued to «ач» … the domain check (domain/cell.notation_problems) runs before
    saving: an absence notation that is also the beginning of a mark is refused."""
    assert rules.read_section(rules.SECTION_BY_CODE["notations"],
                              {f"notations.{c}": v for c, v in (DEFAULTS["notations"] | {"late": "незач"}).items()})[1]
    response = save(client, "notations", form_of("notations", notations__late="незач"))
    assert response.status_code == 400
    assert stored_settings(office.school) == {}


def test_a_save_keeps_a_section_saved_meanwhile_by_someone_else(app, client, office):
    """The page was read before another administrator saved another section: the save re-reads
    the school's settings (locked) instead of writing back what it had read."""
    from sqlalchemy.orm.attributes import set_committed_value

    from blueprints.admin.structure import settings_operations as ops

    school = db.session.get(School, office.school.id)
    db.session.execute(School.__table__.update().where(School.__table__.c.id == school.id)
                       .values(settings={"weekly_reports_day": "fri"}))  # someone else's save
    db.session.commit()
    set_committed_value(school, "settings", {})  # what this request had read at its start
    with app.test_request_context():
        ops.save_section(school, rules.SECTION_BY_CODE["deadlines"], form_of("deadlines", marks_deadline_days="9"),
                         office.director)
        db.session.commit()
    assert stored_settings(office.school) == {"weekly_reports_day": "fri", "marks_deadline_days": 9}


# History ---------------------------------------------------------------------------------------


def test_every_save_is_in_the_history_with_only_what_changed(client, office):
    save(client, "grading", form_of("grading", rounding_thresholds__5="4,5"))
    test = kinds_of(office)[0]
    data = form_of("marks", office, use_weights=None)
    data[f"weight.{test.id}"] = "3"
    save(client, "marks", data)
    save(client, "deadlines", form_of("deadlines"))  # nothing changed: no entry
    first, second = history_rows(office.school)
    assert (first.action, first.reason, first.user_id) == ("update", "grading", office.admin.id)
    assert first.before == {"rounding_thresholds.5": 4.65} and first.after == {"rounding_thresholds.5": 4.5}
    assert second.before == {"use_weights": True, "weight.test": "2"}
    assert second.after == {"use_weights": False, "weight.test": "3"}
    page = client.get("/admin/settings").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert "Администраторов" in history
    assert "Отметка «5» от среднего балла: 4,65 → <strong>4,50</strong>" in history
    assert "Вес: Контрольная работа: 2 → <strong>3</strong>" in history
    assert "Считать средневзвешенный балл по весам видов работ: да → <strong>нет</strong>" in history


# Reset to the defaults --------------------------------------------------------------------------


def test_reset_restores_the_sections_defaults_only_and_asks_first(client, office):
    save(client, "deadlines", form_of("deadlines", marks_deadline_days="10", current_marks_by="17:00"))
    save(client, "reports", form_of("reports", weekly_reports_day="fri"))
    page = client.get("/admin/settings").get_data(as_text=True)
    form = page[page.index('action="/admin/settings/deadlines/reset"'):]
    assert "data-confirm=" in form[:form.index(">")]
    assert 'action="/admin/settings/grading/reset"' not in page  # nothing to reset there

    assert client.post("/admin/settings/deadlines/reset").status_code == 303
    assert stored_settings(office.school) == {"weekly_reports_day": "fri"}
    entry = history_rows(office.school)[-1]
    assert entry.action == "reset" and entry.reason == "deadlines"
    assert entry.before == {"current_marks_by": "17:00", "marks_deadline_days": 10}
    assert entry.after == {"current_marks_by": "18:00", "marks_deadline_days": 7}
    assert client.post("/admin/settings/deadlines/reset").status_code == 303  # already the defaults
    assert len(history_rows(office.school)) == 3


# Effect without a restart -------------------------------------------------------------------------


def _suggested(page: str, period_id: int, student_id: int) -> str:
    cell = page[page.index(f'id="pm-{period_id}-{student_id}"'):]
    cell = cell[:cell.index("</td>")]
    match = re.search(r'aria-label="Подтвердить отметку (\S+?)"|class="pm-suggest"[^>]*>\((\S+?)\)', cell)
    return match[1] or match[2]


def test_a_new_threshold_changes_the_suggested_period_mark_at_once(client, auth, journal):  # noqa: F811
    pupil = journal.pupils_5a[0]
    quarter2 = journal.quarters[1]
    give_marks(journal, pupil, ["5", "5", "4"])  # 4.67
    url = f"/journal/assignments/{journal.maths_5a.id}?period={quarter2.id}"
    auth.login(journal.maths_teacher)
    assert _suggested(client.get(url).get_data(as_text=True), quarter2.id, pupil.id) == "5"
    auth.logout()
    auth.login(journal.admin)
    assert save(client, "grading", form_of("grading", rounding_thresholds__5="4,7")).status_code == 303
    auth.logout()
    auth.login(journal.maths_teacher)
    assert _suggested(client.get(url).get_data(as_text=True), quarter2.id, pupil.id) == "4"


def test_the_grid_s_typing_hint_names_the_school_s_own_notations(client, auth, journal):  # noqa: F811
    url = f"/journal/assignments/{journal.maths_5a.id}?period={journal.quarters[1].id}"
    auth.login(journal.maths_teacher)
    assert "«б» — болезнь" in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(journal.admin)
    assert save(client, "notations", form_of("notations", notations__ill="Бол")).status_code == 303
    auth.logout()
    auth.login(journal.maths_teacher)
    page = client.get(url).get_data(as_text=True)
    # «б» alone is no longer read as illness, so the hint must not offer it
    assert "«бол» — болезнь" in page and "«б» — болезнь" not in page


# Personal data: the deadline used by its consumer ------------------------------------------------


def test_working_days_and_the_legal_limit():
    friday = date(2026, 11, 20)
    assert rules.add_working_days(friday, 10) == date(2026, 12, 4)
    assert rules.longest_span(10) == 14 and rules.longest_span(20) == 28 and rules.longest_span(21) == 31
    settings = school_settings({})
    assert rules.pd_destroy_by(friday, settings) == date(2026, 12, 4)
    assert rules.pd_destroy_by(friday, settings | {"pd_destroy_calendar_days_legal": 10}) == date(2026, 11, 30)
    # the week of 4 November (Unity Day, a Wednesday) holds four working days only
    assert rules.add_working_days(date(2026, 10, 30), 5) == date(2026, 11, 9)


def _destroy_by_shown(client, s) -> str:
    page = client.get(f"/personal-data/students/{s.pupils_5a[0].id}/consent").get_data(as_text=True)
    return re.search(r"Уничтожить данные до (\d\d\.\d\d\.\d{4})", page)[1]


def test_the_consent_page_shows_the_destruction_deadline_of_the_schools_setting(client, office):
    pupil = office.pupils_5a[0]
    consent = give_consent(office, pupil, office.parent_a, ["6.9"])
    withdrawn = school_moment(2026, 11, 20, 9)  # a Friday, noon in Moscow
    pd_ops.withdraw_consent(consent, office.admin, "заявление", at=withdrawn)
    db.session.commit()
    friday = school_date(2026, 11, 20)
    # 10 working days by the production calendar (under a moved clock a holiday may fall in them)
    assert _destroy_by_shown(client, office) == rules.add_working_days(friday, 10).strftime("%d.%m.%Y")
    assert save(client, "personal_data", form_of("personal_data", pd_destroy_working_days="3")).status_code == 303
    assert _destroy_by_shown(client, office) == rules.add_working_days(friday, 3).strftime("%d.%m.%Y")


def test_the_deployments_config_is_the_default(make_app, small_school):
    app = make_app(PD_DESTROY_WORKING_DAYS=5, WEEKLY_REPORTS_CRON="30 9 * * fri")
    with app.app_context():
        merged = school_settings({}, app.config)
        assert merged["pd_destroy_working_days"] == 5
        assert (merged["weekly_reports_day"], merged["weekly_reports_time"]) == ("fri", "09:30")
        assert school_settings({"pd_destroy_working_days": 8}, app.config)["pd_destroy_working_days"] == 8


# The weekly reports' time: the scheduler picks a change up without a restart ---------------------


def test_the_scheduler_reschedules_the_weekly_reports_when_the_setting_changes(app, client, office):
    from jobs import schedule_settings, scheduler

    background = scheduler.build_scheduler(app, blocking=False)
    job = background.get_job("weekly_reports")
    assert "day_of_week='sat', hour='10', minute='0'" in str(job.trigger)
    assert background.get_job(schedule_settings.RECONCILE_JOB_ID) is not None
    assert schedule_settings.reconcile(app, background) == []  # nothing changed

    assert save(client, "reports", form_of("reports", weekly_reports_day="wed", weekly_reports_time="17:30")).status_code == 303
    assert schedule_settings.reconcile(app, background) == ["weekly_reports"]
    trigger = background.get_job("weekly_reports").trigger
    assert "day_of_week='wed', hour='17', minute='30'" in str(trigger)
    assert schedule_settings.reconcile(app, background) == []  # already in force
    assert "day_of_week='sun', hour='2'" in str(background.get_job("weekly_backup").trigger)  # untouched

    assert client.post("/admin/settings/reports/reset").status_code == 303
    assert schedule_settings.reconcile(app, background) == ["weekly_reports"]
    assert "day_of_week='sat', hour='10', minute='0'" in str(background.get_job("weekly_reports").trigger)


def test_a_stored_time_is_used_from_the_schedulers_start_and_shown_on_the_jobs_page(app, client, office):
    from jobs import scheduler

    save(client, "reports", form_of("reports", weekly_reports_day="mon", weekly_reports_time="08:05"))
    background = scheduler.build_scheduler(app, blocking=False)
    assert "day_of_week='mon', hour='8', minute='5'" in str(background.get_job("weekly_reports").trigger)
    assert "5 8 * * mon" in client.get("/admin/jobs").get_data(as_text=True)


def test_schools_that_disagree_keep_the_configured_time(app, office):
    from jobs.schedule_settings import weekly_reports_cron

    other = School(name="МБОУ «СОШ № 2»", short_name="СОШ № 2")
    db.session.add(other)
    office.school.settings = {"weekly_reports_day": "fri"}
    db.session.commit()
    assert weekly_reports_cron(app) == app.config["WEEKLY_REPORTS_CRON"]
    other.settings = {"weekly_reports_day": "fri"}
    db.session.commit()
    assert weekly_reports_cron(app) == "0 10 * * fri"
