"""The year's end (REP-6 decisions, REP-5 academic debts): the pedagogical council's decisions
entered class by class with the year's summary sheet beside them, the school's debts, a
student's debts with their retakes. The director and the deputy enter; the class teacher reads
their own class (policy.can_enter_decisions, can_view_decisions). Use cases are
decisions_operations.py, rules domain/year_end.py."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

import policy
from blueprints.main import labels
from blueprints.reports import bp
from blueprints.reports import decisions_operations as operations
from blueprints.reports import decisions_queries as queries
from blueprints.reports import summary_sheet_queries as sheets
from domain import year_end as rules
from domain.messages import N_, Refusal
from domain.personal_data import MARKS_CATEGORIES
from extensions import db
from models import ClassGroup, Student
from models.debts import AcademicDebt
from utils import pd_access, refusals
from utils.pd_access import personal_data_view
from utils.timeutil import school_today

DECISION_LABELS = labels.register("council_decision", {
    rules.PROMOTED: _l("переведён"),
    rules.CONDITIONAL: _l("переведён условно"),
    rules.REPEAT: _l("оставлен на повторное обучение"),
    rules.GRADUATED: _l("выпущен"),
    rules.INDIVIDUAL_PLAN: _l("продолжит обучение по индивидуальному плану"),
})
labels.register("debt_status", {
    rules.OPEN: _l("не ликвидирована"),
    rules.CLEARED: _l("ликвидирована"),
    rules.FAILED: _l("не ликвидирована (попытки исчерпаны)"),
})


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if value and value.strip() else None
    except ValueError:
        raise Refusal(N_("Неверная дата: %(v)s."), v=value[:20]) from None


def _today() -> date:
    return school_today(current_user.school.timezone)


# --- Decisions, class by class -------------------------------------------------------------------


def _class_group(class_id: int, allowed) -> ClassGroup:
    class_group = policy.checked(sheets.load_class(class_id), allowed, current_user)
    wanted = request.args.get("year", type=int)
    if wanted is not None and wanted != class_group.year_id:
        abort(404)  # a class belongs to one year: another year's decisions are another class's
    return class_group


def _decisions_page(class_group: ClassGroup, *, status: int = 200, error: str = ""):
    sheet = sheets.build_sheet(class_group, sheets.YEAR)
    rows = sheet.counted_rows
    pd_access.require(current_user, MARKS_CATEGORIES, students=[r.student_id for r in rows], what="council_decisions")
    marks = queries.year_marks(sheet)
    decisions, debts = queries.class_decisions(class_group)
    grade = class_group.grade or 0
    lines = []
    for row in rows:
        own = marks.get(row.student_id, {})
        decision = decisions.get(row.student_id)
        suggested = rules.suggest_decision(grade, own.values())
        lines.append({
            "row": row, "marks": own, "decision": decision, "suggested": suggested,
            "chosen": decision.decision if decision else (suggested or ""),
            "debts": {d.subject_id: d for d in debts.get(row.student_id, [])},
            "failing": set(rules.failing_subjects(own)),
        })
    protocol = next((d for d in decisions.values() if d.protocol_number), None)
    choices = [c for c in rules.DECISIONS if c != rules.GRADUATED or grade in rules.GRADUATING_GRADES]
    may = {"enter": policy.can_enter_decisions(current_user, class_group) and not class_group.year.is_closed}
    return render_template(
        "reports/decisions.html", class_group=class_group, sheet=sheet, lines=lines, protocol=protocol,
        choices=choices, has_year_marks=bool(marks), may=may, error=error, today=_today(),
    ), status


@bp.get("/classes/<int:class_id>/decisions")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def class_decisions(class_id: int):
    return _decisions_page(_class_group(class_id, policy.can_view_decisions))


@bp.post("/classes/<int:class_id>/decisions")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def save_class_decisions(class_id: int):
    class_group = _class_group(class_id, policy.can_enter_decisions)
    try:
        sheet = sheets.build_sheet(class_group, sheets.YEAR)
        ids = [r.student_id for r in sheet.counted_rows]
        subject_ids = {c.subject_id for c in sheet.columns}
        entries = []
        for student_id in ids:
            wanted = request.form.getlist(f"debt-{student_id}")
            if any(not s.isdigit() for s in wanted):
                raise Refusal(N_("Неверный предмет задолженности."))
            entries.append(operations.Entry(
                student_id, request.form.get(f"decision-{student_id}", "").strip(), [int(s) for s in wanted],
                request.form.get(f"note-{student_id}", "")[:1000]))
        decisions, debts = queries.class_decisions(class_group)
        changed = operations.save_decisions(
            class_group, current_user, protocol_number=request.form.get("protocol_number", ""),
            protocol_date=_day(request.form.get("protocol_date")), entries=entries,
            year_marks=queries.year_marks(sheet), allowed_subjects=subject_ids, existing=decisions, debts=debts,
            today=_today(), due_on=_day(request.form.get("due_on")))
        db.session.commit()
    except Refusal as error:
        return _decisions_page(class_group, status=error.status, error=refusals.undo(error))
    flash(_("Решения педсовета сохранены (изменено: %(n)d).", n=changed), "success")
    return redirect(url_for("reports.class_decisions", class_id=class_group.id), 303)


# --- Academic debts --------------------------------------------------------------------------------


@bp.get("/debts")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def debts():
    if not policy.can_view_debts_list(current_user):
        abort(403)
    today = _today()
    class_id = request.args.get("class_id", type=int)
    overdue = request.args.get("overdue") == "1"
    rows = queries.school_debts(current_user.school_id, class_id=class_id, overdue=overdue, today=today)
    pd_access.require(current_user, MARKS_CATEGORIES, students=sorted({d.student_id for d in rows}),
                      what="academic_debts")
    return render_template(
        "reports/debts.html", rows=rows, classes=queries.debt_classes(current_user.school_id), class_id=class_id,
        overdue=overdue, today=today,
        late={d.id for d in rows if rules.is_overdue(d.status, d.due_on, today)},
    )


def _student_page(student: Student, *, status: int = 200, error: str = ""):
    pd_access.require(current_user, MARKS_CATEGORIES, students=[student.id], what="student_debts")
    rows = queries.student_debts(student)
    today = _today()
    return render_template(
        "reports/student_debts.html", student=student, rows=rows, error=error, today=today,
        results=rules.RESULTS,
        next_attempt={d.id: rules.next_attempt([rules.Attempt(a.number, a.day, a.result) for a in d.attempts])
                      for d in rows},
        may={"record": {d.id for d in rows if policy.can_record_retake(current_user, d)
                        and not d.decision.year.is_closed}},
    ), status


@bp.get("/students/<int:student_id>/debts")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def student_debts(student_id: int):
    student = policy.checked(queries.load_student(student_id), policy.can_view_student_debts, current_user)
    return _student_page(student)


@bp.post("/debts/<int:debt_id>/retakes")
@login_required
@personal_data_view(*MARKS_CATEGORIES)
def record_retake(debt_id: int):
    debt: AcademicDebt = policy.checked(queries.load_debt(debt_id), policy.can_record_retake, current_user)
    student = debt.student
    try:
        commission = [line for line in request.form.get("commission", "").splitlines() if line.strip()]
        attempt = operations.record_retake(
            debt, current_user, day=_day(request.form.get("day")), result=request.form.get("result", "").strip(),
            commission=commission, protocol_number=request.form.get("protocol_number", ""), today=_today(),
            next_due=_day(request.form.get("next_due")))
        db.session.commit()
    except Refusal as error:
        message = refusals.undo(error)
        return _student_page(queries.load_student(student.id), status=error.status, error=message)
    if debt.status == rules.CLEARED:
        flash(_("Пересдача записана: задолженность ликвидирована."), "success")
    else:
        flash(_("Пересдача %(n)d записана.", n=attempt.number), "success")
    return redirect(url_for("reports.student_debts", student_id=student.id), 303)
