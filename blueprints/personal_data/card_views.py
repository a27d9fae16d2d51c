"""The student's personal-data card (PD-1): view and edit by the consent sheet's categories,
the photo (5.2), the certified extract of the personal file, and the list of students without a
valid consent. Who: the class teacher of the student's class and the administrators
(policy.can_manage_family_records), named in the director's order for the categories shown
(utils/pd_access.require, which also logs every opening)."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

import policy
from blueprints.personal_data import bp
from blueprints.personal_data import card_operations as card_ops
from blueprints.personal_data import operations as ops
from blueprints.personal_data.forms import PROFILE_LABELS, ExtractForm, PhotoForm, profile_form
from domain import pd_card
from domain.messages import Refusal
from extensions import db
from models import Student, User
from models.personal_data import CONSENT_CATEGORIES, CONSENT_CATEGORY_GROUPS
from utils import disclosures, pd_access, refusals
from utils.printouts import Signer, certified_pdf, director_signer, short_name
from utils.timeutil import school_today
from utils.uploads import send_stored_file

CARD = tuple(sorted(pd_card.CARD_CATEGORIES))


def _actor() -> User:
    return current_user._get_current_object()


def _today():
    return school_today(current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


def _load_student(student_id: int) -> Student:
    """404 for a student of another school (or none), 403 when the user may not manage it."""
    student = db.session.get(Student, student_id, options=[joinedload(Student.current_class)])
    return policy.checked(student, policy.can_manage_family_records, _actor())


def _photo_limit() -> int:
    return current_app.config.get("STUDENT_PHOTO_MAX_BYTES") or current_app.config["MAX_CONTENT_LENGTH"]


def _render_card(student: Student, shown: frozenset[str], form=None, status: int = 200):
    """The card page (rendered before the caller commits: the template reads only what is
    loaded here, STYLE convention 8)."""
    # after a rollback the student is expired: loaded again with what the page shows
    student = db.session.get(Student, student.id, options=[joinedload(Student.current_class)], populate_existing=True)
    today = _today()
    blocked = card_ops.is_blocked(student, today)
    profile = None if blocked else card_ops.profile_of(student)
    layout = pd_card.sections(shown)
    fields = [f for _group, cats in layout for _c, names in cats for f in names]
    if form is None:
        form = profile_form(fields, pd_card.LONG_FIELDS)
        if request.method == "GET" and profile is not None:
            for name in fields:
                getattr(form, name).data = getattr(profile, name) or ""
    photo_ok = (not blocked and "5.2" in shown and card_ops.photo_allowed(student, today))
    consent = ops.current_consent(student.id, today)
    return render_template(
        "personal_data/card.html",
        student=student,
        profile=profile,
        blocked=blocked,
        layout=layout,
        form=form,
        photo_form=PhotoForm(prefix="photo"),
        extract_form=ExtractForm(prefix="extract"),
        shows_record="1.1" in shown,
        show_photo=photo_ok and profile is not None and bool(profile.photo_path),
        may_upload_photo=photo_ok,
        may_photo_category="5.2" in shown,
        consent=consent,
        category_groups=CONSENT_CATEGORY_GROUPS,
        categories=CONSENT_CATEGORIES,
        field_labels=PROFILE_LABELS,
        today=today,
    ), status


@bp.get("/students/<int:student_id>/card")
@login_required
@pd_access.personal_data_view(*CARD)
def card(student_id: int):
    """The card, grouped by the sheet's category groups; only the categories the user is
    named for in the director's order (the opening is logged)."""
    student = _load_student(student_id)
    shown = pd_access.require(_actor(), CARD, students=[student.id], action="view", what="card")
    page = _render_card(student, shown)
    db.session.commit()  # the access log entry
    return page


@bp.post("/students/<int:student_id>/card")
@login_required
@pd_access.personal_data_view(*CARD)
def card_edit(student_id: int):
    student = _load_student(student_id)
    shown = pd_access.require(_actor(), CARD, students=[student.id], action="edit", what="card")
    layout = pd_card.sections(shown)
    fields = [f for _group, cats in layout for _c, names in cats for f in names]
    form = profile_form(fields, pd_card.LONG_FIELDS)
    if not form.validate_on_submit():
        db.session.rollback()
        flash(_("Проверьте поля формы."), "error")
        return _render_card(student, shown, form, 400)
    try:
        changed = card_ops.save_profile(
            student, {name: getattr(form, name).data for name in fields}, shown, _actor(), _today()
        )
        db.session.commit()
    except Refusal as refusal:
        flash(refusals.undo(refusal), "error")
        pd_access.log_access(_actor(), "edit", "card (refused)", [student.id], sorted(shown))
        page = _render_card(student, shown, form, refusal.status)
        db.session.commit()
        return page
    flash(_("Карточка сохранена.") if changed else _("Изменений нет."), "success")
    return redirect(url_for("personal_data.card", student_id=student.id), 303)


@bp.post("/students/<int:student_id>/photo")
@login_required
@pd_access.personal_data_view("5.2")
def photo_upload(student_id: int):
    student = _load_student(student_id)
    pd_access.require(_actor(), ["5.2"], students=[student.id], action="edit", what="photo", all_of=True)
    form = PhotoForm(prefix="photo")
    files = card_ops.photo_files(current_app.config["UPLOAD_FOLDER"])
    try:
        if not form.validate_on_submit():
            raise card_ops.CardError(_("Форма устарела: обновите страницу."))
        card_ops.set_photo(student, card_ops.check_photo(form.photo.data, _photo_limit()), files, _actor(), _today())
        db.session.commit()
        files.committed()
    except Refusal as refusal:
        files.rollback()
        flash(refusals.undo(refusal), "error")
        shown = pd_access.require(_actor(), CARD, students=[student.id], log=False)
        return _render_card(student, shown, status=refusal.status)
    flash(_("Фотография сохранена."), "success")
    return redirect(url_for("personal_data.card", student_id=student.id), 303)


@bp.get("/students/<int:student_id>/photo")
@login_required
@pd_access.personal_data_view("5.2")
def photo(student_id: int):
    """The photo, only while the consent in force grants 5.2 (otherwise 403: nothing shown)."""
    student = _load_student(student_id)
    pd_access.require(_actor(), ["5.2"], students=[student.id], action="view", what="photo", all_of=True)
    today = _today()
    profile = card_ops.profile_of(student)
    if card_ops.is_blocked(student, today) or not card_ops.photo_allowed(student, today):
        abort(403)  # no consent to line 5.2 in force: the photo is not processed
    if profile is None or not profile.photo_path:
        abort(404)
    db.session.commit()
    folder = card_ops.photo_files(current_app.config["UPLOAD_FOLDER"]).directory
    response = send_stored_file(folder, profile.photo_path, f"photo-{student.id}.{profile.photo_path.rsplit('.', 1)[-1]}",
                                profile.photo_mime)
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/students/<int:student_id>/card/extract")
@login_required
@pd_access.personal_data_view(*CARD)
def card_extract(student_id: int):
    """The certified extract of the personal file (PDF), recorded in the disclosure register
    with the categories printed, the student, the recipient and the purpose (PD-4)."""
    student = _load_student(student_id)
    shown = pd_access.require(_actor(), CARD, students=[student.id], action="print", what="card extract")
    form = ExtractForm(prefix="extract")
    today = _today()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(_("Укажите получателя и цель выдачи выписки."), "error")
        return _render_card(student, shown, status=400)
    if card_ops.is_blocked(student, today):
        db.session.rollback()
        flash(_("Согласие отозвано: обработка персональных данных прекращена, выписка не выдаётся."), "error")
        return _render_card(student, shown, status=409)
    profile = card_ops.profile_of(student)
    printed = card_ops.categories_with_data(profile, shown)
    consent = ops.current_consent(student.id, today)
    user = _actor()
    signers = [Signer(_("Классный руководитель") if not policy.can_administer(user) else _("Ответственный"),
                      short_name(user.full_name)), director_signer(user.school)]
    pdf, printout = certified_pdf(
        "pdf/card_extract.html", kind="card_extract",
        title=_("Выписка из личного дела обучающегося"),
        period=f"{student.full_name}" + (f", {student.current_class.name}" if student.current_class else ""),
        signers=signers, user=user, of={"student_id": student.id},
        student=student, profile=profile, layout=pd_card.sections(printed), shows_record="1.1" in printed,
        field_labels=PROFILE_LABELS, category_groups=CONSENT_CATEGORY_GROUPS, categories=CONSENT_CATEGORIES,
        recipient=form.recipient.data.strip(), purpose=form.purpose.data.strip(), consent=consent,
    )
    ground = (_("согласие на обработку персональных данных № %(n)s от %(d)s", n=consent.number or "б/н",
                d=consent.given_on.strftime("%d.%m.%Y")) if consent is not None
              else _("152-ФЗ ст. 6 ч. 1 п. 2, 273-ФЗ ст. 28"))
    disclosures.record(
        "print", document=_("Выписка из личного дела (PDF), код %(code)s", code=printout.code),
        categories=printed, students=[student.id], recipient=form.recipient.data.strip(),
        purpose=form.purpose.data.strip(), ground=ground, printout_id=printout.id,
    )
    db.session.commit()
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="card-extract-{student.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/consents/missing")
@login_required
@pd_access.personal_data_view("1.1")
def consents_missing():
    """Students without a consent in force, by class: a class teacher's classes, or all (their
    names and classes are 1.1 of the sheet: the opening is logged)."""
    if not policy.can_follow_consents(_actor()):
        abort(403)
    today = _today()
    groups = card_ops.missing_by_class(_actor(), today)
    pd_access.require(_actor(), ["1.1"], students=[s.id for g in groups for s in g.students], what="consents missing")
    page = render_template("personal_data/consents_missing.html", groups=groups, today=today,
                           total=sum(len(g.students) for g in groups))
    db.session.commit()  # the access log entry
    return page
