"""The journal of additional-education groups (JRN-9): the teacher's groups, a group's page
(members of any class, the timetable of sessions, attendance at every session, results in the
teacher's own form, achievements), a session's attendance on a tablet and the printable,
certified page. Only the group's teacher edits; the administration reads (policy.can_*_club)."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

import policy
from blueprints.journal import bp, clubs_operations, clubs_queries, lessons_operations, loaders, schedule_queries
from blueprints.main import labels
from domain import club_results as rules
from domain.messages import N_
from extensions import db
from models import ClubAchievement, Lesson, StudyPeriod
from utils import audit
from utils.printouts import Signer, certified_pdf, director_signer
from utils.timeutil import school_today

EVENT_LEVEL_LABELS = labels.register("event_level", {
    "school": _l("школьный"), "municipal": _l("муниципальный"), "regional": _l("региональный"),
    "federal": _l("всероссийский"), "international": _l("международный"),
})
RESULT_FORM_LABELS = labels.register("club_result_form", {
    "pass_fail": _l("зачёт / незачёт"), "level": _l("уровень из списка"), "text": _l("свободный текст"),
})
PASS_FAIL_LABELS = labels.register("club_pass_fail", {"passed": _l("зачтено"), "failed": _l("не зачтено")})


def _club(assignment_id: int, allowed):
    return loaders.assignment(assignment_id, allowed)


def _session(assignment, lesson_id: int) -> Lesson:
    lesson = db.session.scalar(select(Lesson).where(Lesson.id == lesson_id, Lesson.assignment_id == assignment.id))
    if lesson is None:
        abort(404)
    return lesson


def _back(assignment):
    return redirect(url_for("journal.club", assignment_id=assignment.id)), 303


@bp.get("/clubs")
@login_required
def clubs():
    if not policy.can_list_clubs(current_user):
        abort(403)
    items = clubs_queries.clubs_of(current_user)
    return render_template("journal/clubs/index.html", items=items)


@bp.get("/clubs/<int:assignment_id>")
@login_required
def club(assignment_id: int):
    assignment = _club(assignment_id, policy.can_view_club)
    today = school_today(assignment.school.timezone)
    page = clubs_queries.load_page(assignment)
    can_edit = policy.can_edit_club(current_user, assignment)
    today_slots = []
    if can_edit:
        today_slots = [item for item in schedule_queries.teacher_day(current_user, today)
                       if item.assignment_id == assignment.id and item.status != "cancelled"]
    return render_template("journal/clubs/club.html", page=page, assignment=assignment, can_edit=can_edit,
                           today=today, today_slots=today_slots, forms=rules.FORMS, event_levels=rules.EVENT_LEVELS)


@bp.post("/clubs/<int:assignment_id>/sessions/open")
@login_required
def club_open_session(assignment_id: int):
    assignment = _club(assignment_id, policy.can_edit_club)
    today = school_today(assignment.school.timezone)
    number = request.form.get("lesson_number", type=int)
    if number is None or not 0 <= number <= 20:
        raise rules.ClubRefusal(N_("Укажите номер занятия по расписанию."))
    lesson = lessons_operations.open_lesson(assignment, current_user, today, number)
    db.session.commit()
    return redirect(url_for("journal.club_session", assignment_id=assignment.id, lesson_id=lesson.id)), 303


@bp.route("/clubs/<int:assignment_id>/sessions/<int:lesson_id>", methods=["GET", "POST"])
@login_required
def club_session(assignment_id: int, lesson_id: int):
    """A session's attendance: the members with a checkbox «нет на занятии» each (a tablet)."""
    assignment = _club(assignment_id, policy.can_view_club if request.method == "GET" else policy.can_edit_club)
    lesson = _session(assignment, lesson_id)
    if request.method == "POST":
        try:
            absent = {int(v) for v in request.form.getlist("absent")}
        except ValueError:
            raise rules.ClubRefusal(N_("Неверный список отсутствующих.")) from None
        changed = clubs_operations.take_attendance(lesson, current_user, absent,
                                                   reason=request.form.get("reason", ""))
        db.session.commit()
        flash(_("Посещаемость сохранена: изменений %(n)s.", n=changed), "success")
        return redirect(url_for("journal.club_session", assignment_id=assignment.id, lesson_id=lesson.id)), 303
    page = clubs_queries.load_page(assignment)
    members = [m for m in page.members
               if m.id in {s.id for s in db.session.scalars(
                   clubs_operations.queries.roster_query(assignment, lesson.date, lesson.date))}]
    return render_template("journal/clubs/session.html", assignment=assignment, lesson=lesson, members=members,
                           absences=page.absences, can_edit=policy.can_edit_club(current_user, assignment))


@bp.post("/clubs/<int:assignment_id>/form")
@login_required
def club_result_form(assignment_id: int):
    assignment = _club(assignment_id, policy.can_edit_club)
    clubs_operations.set_result_form(assignment, current_user, request.form.get("form", ""),
                                     request.form.get("levels", ""))
    db.session.commit()
    flash(_("Форма результатов сохранена."), "success")
    return _back(assignment)


@bp.post("/clubs/<int:assignment_id>/results")
@login_required
def club_results(assignment_id: int):
    assignment = _club(assignment_id, policy.can_edit_club)
    period = db.session.get(StudyPeriod, request.form.get("period_id", type=int) or 0)
    if period is None or period.year_id != assignment.year_id:
        abort(404)
    values = {}
    for key, value in request.form.items():
        if key.startswith("result-"):
            try:
                values[int(key[len("result-"):])] = value
            except ValueError:
                abort(400)
    clubs_operations.save_results(assignment, current_user, period, values)
    db.session.commit()
    flash(_("Результаты сохранены."), "success")
    return _back(assignment)


@bp.post("/clubs/<int:assignment_id>/achievements")
@login_required
def club_add_achievement(assignment_id: int):
    assignment = _club(assignment_id, policy.can_edit_club)
    student = loaders.student(request.form.get("student_id", type=int) or 0)
    try:
        day = datetime.strptime(request.form.get("date", ""), "%Y-%m-%d").date()
    except ValueError:
        day = None
    clubs_operations.add_achievement(assignment, current_user, student, request.form.get("event", ""), day,
                                     request.form.get("level", ""), request.form.get("result", ""))
    db.session.commit()
    flash(_("Достижение добавлено."), "success")
    return _back(assignment)


@bp.post("/clubs/<int:assignment_id>/achievements/<int:achievement_id>/delete")
@login_required
def club_delete_achievement(assignment_id: int, achievement_id: int):
    assignment = _club(assignment_id, policy.can_edit_club)
    row = db.session.scalar(select(ClubAchievement).where(
        ClubAchievement.id == achievement_id, ClubAchievement.group_id == assignment.class_id,
        ClubAchievement.is_deleted.is_(False)))
    if row is None:
        abort(404)
    clubs_operations.delete_achievement(row, current_user)
    db.session.commit()
    flash(_("Достижение удалено."), "success")
    return _back(assignment)


def _print_data(page: clubs_queries.ClubPage, today) -> dict:
    """Plain data of the printed group page (the PDF template gets no models)."""
    a = page.assignment
    absent = {key for key in page.absences}
    return {
        "school": a.school.name,
        "group": a.class_group.name,
        "teacher": a.teacher.full_name,
        "teacher_short": a.teacher.short_name,
        "year": a.year.name,
        "members": [{"num": i, "name": m.full_name, "class": m.current_class.name if m.current_class else ""}
                    for i, m in enumerate(page.members, start=1)],
        "sessions": [{"date": s.date.strftime("%d.%m.%Y"), "number": s.lesson_number, "topic": s.topic,
                      "absent": ", ".join(m.short_name for m in page.members if (s.id, m.id) in absent),
                      "present": sum(1 for m in page.members if (s.id, m.id) not in absent)}
                     for s in page.sessions],
        "periods": [p.name for p in page.periods],
        "results": [{"name": m.full_name,
                     "cells": [_result_text(page.results.get((m.id, p.id))) for p in page.periods]}
                    for m in page.members],
        "achievements": [{"name": r.student.full_name, "event": r.event, "date": r.date.strftime("%d.%m.%Y"),
                          "level": r.level, "result": r.result} for r in page.achievements],
        "printed": today.strftime("%d.%m.%Y"),
    }


def _result_text(row) -> str:
    if row is None:
        return ""
    if row.form == "pass_fail":
        return str(PASS_FAIL_LABELS.get(row.value, row.value))
    return row.value


@bp.get("/clubs/<int:assignment_id>/print")
@login_required
def club_print(assignment_id: int):
    """The group's journal page as a certified PDF (REP-4): members, sessions with dates, topics
    and attendance, results and achievements."""
    assignment = _club(assignment_id, policy.can_view_club)
    today = school_today(assignment.school.timezone)
    data = _print_data(clubs_queries.load_page(assignment), today)
    pdf, printout = certified_pdf(
        "pdf/club_journal.html", kind="club_journal",
        title=_("Журнал объединения: %(group)s", group=data["group"]), period=data["year"],
        signers=[Signer(_("Педагог"), data["teacher_short"]), director_signer(assignment.school)],
        user=current_user, of={"assignment_id": assignment.id, "class_id": assignment.class_id},
        page=data,
    )
    audit.record("club_journal", assignment.id, "print", after={"document": "club_journal", "printout": printout.code},
                 school_id=assignment.school_id)
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="club-{assignment.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
