"""Polls (COM-2): «Опросы» — the polls of one's audience to answer, the polls one runs, a new
poll, the answer page, the results (chart and table, free texts) and their XLSX export.

Access: a poll exists only for its audience, its author and the administration; anyone else,
of this school or another, gets 404 (not 403: a poll to other families is not revealed)."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

import policy
from blueprints.polls import bp
from blueprints.polls import operations as ops
from domain import polls as rules
from domain.messages import Refusal
from extensions import db
from models import ClassGroup
from models.polls import Poll
from utils import refusals
from utils.timeutil import school_today


def _today():
    return school_today(current_user.school.timezone or current_app.config["SCHOOL_TIMEZONE"])


def _user():
    return current_user._get_current_object()


def _poll(poll_id: int, allowed) -> Poll:
    """404 unless the poll exists in the user's school and `allowed` admits the user."""
    poll = db.session.get(Poll, poll_id)
    if poll is None or poll.school_id != current_user.school_id or not allowed(_user(), poll):
        abort(404)
    return poll


def _class_names(poll: Poll) -> dict[int, str]:
    ids = {a.class_id for a in poll.audience if a.class_id}
    if not ids:
        return {}
    return dict(db.session.execute(db.select(ClassGroup.id, ClassGroup.name).where(ClassGroup.id.in_(ids))).all())


@bp.get("/")
@login_required
def index():
    user, today = _user(), _today()
    to_answer = ops.polls_to_answer(user, today)
    run = ops.polls_run_by(user, today) if (policy.can_create_polls(user) or policy.can_administer_polls(user)) else []
    return render_template("polls/index.html", to_answer=to_answer, run=run, today=today,
                           may_create=policy.can_create_polls(user), kinds=ops.KIND_LABELS)


def _new_form(form, error=None, status=200):
    user = _user()
    return render_template("polls/new.html", form=form, error=error, classes=policy.poll_classes(user),
                           groups=ops.GROUP_LABELS if policy.can_administer_polls(user) else {},
                           kinds=ops.KIND_LABELS, today=_today()), status


@bp.get("/new")
@login_required
def new():
    if not policy.can_create_polls(_user()):
        abort(403)
    return _new_form(MultiDict())


@bp.post("/new")
@login_required
def create():
    user = _user()
    if not policy.can_create_polls(user):
        abort(403)
    try:
        poll = ops.create_poll(user, request.form, _today())
    except Refusal as refusal:
        return _new_form(request.form, refusals.undo(refusal), refusal.status)
    db.session.commit()
    flash(_("Опрос создан."), "success")
    return redirect(url_for("polls.results", poll_id=poll.id), 303)


def _answer_page(poll: Poll, error=None, status=200):
    user, today = _user(), _today()
    in_audience = policy.is_in_poll_audience(user, poll)
    children = policy.poll_family_children(user, poll) if poll.per_family else []
    return render_template(
        "polls/poll.html", poll=poll, error=error, today=today, in_audience=in_audience,
        is_open=rules.is_open(poll.opens_on, poll.closes_on, today),
        voted=in_audience and ops.has_voted(user, poll),
        family_voted=in_audience and ops.family_voted(user, poll, children),
        may_see_results=policy.can_view_poll_results(user, poll),
        audience=ops.audience_labels(poll, _class_names(poll)), form=request.form,
    ), status


@bp.get("/<int:poll_id>")
@login_required
def poll(poll_id: int):
    return _answer_page(_poll(poll_id, policy.can_see_poll))


@bp.post("/<int:poll_id>/vote")
@login_required
def vote(poll_id: int):
    poll = _poll(poll_id, policy.is_in_poll_audience)
    try:
        ops.vote(_user(), poll, request.form.getlist("option"), request.form.get("text", ""), _today())
    except Refusal as refusal:
        return _answer_page(poll, refusals.undo(refusal), refusal.status)
    db.session.commit()
    flash(_("Спасибо, ваш ответ принят."), "success")
    return redirect(url_for("polls.poll", poll_id=poll.id), 303)


@bp.get("/<int:poll_id>/results")
@login_required
def results(poll_id: int):
    poll = _poll(poll_id, policy.can_view_poll_results)
    res = ops.results(poll)
    from blueprints.reports.charts import Chart

    chart = Chart(svg=ops.chart_svg(res), alt=_("Итоги опроса «%(t)s»", t=poll.title)) if poll.kind != "text" else None
    today = _today()
    return render_template("polls/results.html", poll=poll, res=res, chart=chart, today=today,
                           is_open=rules.is_open(poll.opens_on, poll.closes_on, today),
                           audience=ops.audience_labels(poll, _class_names(poll)), kinds=ops.KIND_LABELS)


@bp.get("/<int:poll_id>/results.xlsx")
@login_required
def results_xlsx(poll_id: int):
    poll = _poll(poll_id, policy.can_view_poll_results)
    response = make_response(ops.results_xlsx(ops.results(poll)))
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="poll-{poll.id}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response
