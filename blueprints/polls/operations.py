"""Use cases of polls (COM-2): create a poll, vote, list the polls, count the results, export
them. Operations flush; the view commits once. Rules in domain/polls.py, access in policy.py."""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

import policy
from domain import polls as rules
from domain.messages import N_, Refusal
from extensions import db
from models import User
from models.polls import Poll, PollAnswer, PollAudience, PollOption, PollVote

KIND_LABELS = {"single": N_("Один вариант"), "multiple": N_("Несколько вариантов"), "text": N_("Свободный ответ")}
GROUP_LABELS = {"staff": N_("Все сотрудники"), "teachers": N_("Все учителя"), "parents": N_("Все родители"),
                "students": N_("Все обучающиеся")}
CLASS_LABELS = {"class_parents": N_("Родители %(c)s"), "class_students": N_("Обучающиеся %(c)s")}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def create_poll(author: User, form, today: date) -> Poll:
    """A new poll from the form's fields; its audience must be one the author may poll (a class
    teacher: only the families of their own classes)."""
    title = rules.clean_text(form.get("title", ""), rules.TITLE_MAX, "Название")
    question = rules.clean_text(form.get("question", ""), rules.QUESTION_MAX, "Вопрос", required=False)
    kind = form.get("kind", "")
    if kind not in KIND_LABELS:
        raise Refusal(N_("Выберите вид ответа."))
    options = rules.clean_options(form.get("options", "").splitlines()) if kind != "text" else []
    opens_on, closes_on = _date(form.get("opens_on", "")), _date(form.get("closes_on", ""))
    rules.check_dates(opens_on, closes_on, today)
    audience = _audience(author, form.getlist("groups"), form.getlist("class_parents"), form.getlist("class_students"))
    poll = Poll(school_id=author.school_id, author_id=author.id, title=title, question=question, kind=kind,
                opens_on=opens_on, closes_on=closes_on, is_anonymous=form.get("named") != "1",
                per_family=form.get("per_family") == "1")
    poll.options = [PollOption(position=n, text=text) for n, text in enumerate(options)]
    poll.audience = audience
    db.session.add(poll)
    db.session.flush()
    return poll


def _audience(author: User, groups: list[str], parents_of: list[str], students_of: list[str]) -> list[PollAudience]:
    allowed_classes = {c.id for c in policy.poll_classes(author)}
    rows: list[PollAudience] = []
    for group in dict.fromkeys(groups):
        if group not in GROUP_LABELS or not policy.can_administer_polls(author):
            raise Refusal(N_("Эту аудиторию выбрать нельзя."), status=403)
        rows.append(PollAudience(kind=group))
    for kind, values in (("class_parents", parents_of), ("class_students", students_of)):
        for value in dict.fromkeys(values):
            try:
                class_id = int(value)
            except ValueError:
                raise Refusal(N_("Неизвестный класс."), status=404) from None
            if class_id not in allowed_classes:
                raise Refusal(N_("Неизвестный класс."), status=404)
            rows.append(PollAudience(kind=kind, class_id=class_id))
    if not rows:
        raise Refusal(N_("Выберите, кому адресован опрос."))
    return rows


def has_voted(user: User, poll: Poll) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(PollVote)
                                  .where(PollVote.poll_id == poll.id, PollVote.user_id == user.id)))


def family_voted(user: User, poll: Poll, children: list[int]) -> bool:
    if not poll.per_family or not children:
        return False
    keys = [f"s:{sid}" for sid in children]
    return bool(db.session.scalar(select(func.count()).select_from(PollVote)
                                  .where(PollVote.poll_id == poll.id, PollVote.key.in_(keys))))


def vote(user: User, poll: Poll, option_ids: list[str], text: str, today: date) -> None:
    """Records who voted (PollVote) and, apart, what (PollAnswer). One vote per person; per family
    when the poll says so (the vote covers all the parent's children of the audience)."""
    rules.check_open(poll.opens_on, poll.closes_on, today)
    ballot = rules.check_ballot(poll.kind, option_ids, text, {o.id for o in poll.options})
    children = policy.poll_family_children(user, poll) if poll.per_family else []
    if has_voted(user, poll):
        raise Refusal(N_("Вы уже ответили на этот опрос."), status=409)
    if family_voted(user, poll, children):
        raise Refusal(N_("В вашей семье на этот опрос уже ответили."), status=409)
    keys = [f"u:{user.id}"] + [f"s:{sid}" for sid in children]
    response_id = secrets.token_hex(16)
    named = None if poll.is_anonymous else response_id
    try:
        with db.session.begin_nested():
            db.session.add_all([PollVote(poll_id=poll.id, user_id=user.id, key=key, response_id=named) for key in keys])
            db.session.flush()
    except IntegrityError:
        raise Refusal(N_("На этот опрос уже ответили."), status=409) from None
    answers = [PollAnswer(poll_id=poll.id, response_id=response_id, option_id=oid) for oid in ballot.option_ids]
    if ballot.text:
        answers.append(PollAnswer(poll_id=poll.id, response_id=response_id, text=ballot.text))
    db.session.add_all(answers)
    db.session.flush()


@dataclass
class PollRow:
    poll: Poll
    is_open: bool
    voted: bool = False
    respondents: int = 0


def polls_to_answer(user: User, today: date) -> list[PollRow]:
    """The open and coming polls of the user's audience, with whether they have answered
    (bounded: the polls with their audience and options, the user's family, the user's votes)."""
    polls = db.session.scalars(select(Poll).where(Poll.school_id == user.school_id, Poll.closes_on >= today)
                               .order_by(Poll.closes_on, Poll.id)).all()
    of = policy.poll_audience_of(user)
    mine = [p for p in polls if policy.is_in_poll_audience(user, p, of)]
    if not mine:
        return []
    voted = set(db.session.scalars(select(PollVote.poll_id).where(PollVote.user_id == user.id,
                                                                  PollVote.poll_id.in_([p.id for p in mine]))))
    return [PollRow(p, rules.is_open(p.opens_on, p.closes_on, today), p.id in voted) for p in mine]


def polls_run_by(user: User, today: date) -> list[PollRow]:
    """The polls whose results the user sees: their own; every poll of the school for the
    administration. With the number of respondents (one grouped query)."""
    query = select(Poll).options(joinedload(Poll.author)).where(Poll.school_id == user.school_id)
    if not policy.can_administer_polls(user):
        query = query.where(Poll.author_id == user.id)
    polls = db.session.scalars(query.order_by(Poll.opens_on.desc(), Poll.id.desc())).unique().all()
    if not polls:
        return []
    counts = dict(db.session.execute(
        select(PollAnswer.poll_id, func.count(func.distinct(PollAnswer.response_id)))
        .where(PollAnswer.poll_id.in_([p.id for p in polls])).group_by(PollAnswer.poll_id)).all())
    return [PollRow(p, rules.is_open(p.opens_on, p.closes_on, today), respondents=counts.get(p.id, 0)) for p in polls]


@dataclass
class Results:
    poll: Poll
    respondents: int
    counts: list[tuple[str, int]]  # (option, votes) in the poll's order
    texts: list[tuple[str, str]]  # (voter's name or "", text)
    named: list[tuple[str, list[str]]]  # a named choice poll: (voter, the options chosen)

    def share(self, votes: int) -> float:
        return round(100 * votes / self.respondents, 1) if self.respondents else 0.0


def results(poll: Poll) -> Results:
    respondents = db.session.scalar(select(func.count(func.distinct(PollAnswer.response_id)))
                                    .where(PollAnswer.poll_id == poll.id)) or 0
    per_option = dict(db.session.execute(
        select(PollAnswer.option_id, func.count()).where(PollAnswer.poll_id == poll.id, PollAnswer.option_id.is_not(None))
        .group_by(PollAnswer.option_id)).all())
    texts = []
    if poll.kind == "text":
        names: dict[str, str] = {}
        if not poll.is_anonymous:
            names = {vote.response_id: vote.user.full_name for vote in db.session.scalars(
                select(PollVote).options(joinedload(PollVote.user))
                .where(PollVote.poll_id == poll.id, PollVote.response_id.is_not(None), PollVote.key.like("u:%")))}
        # ordered by the text, never by anything that follows the voting order
        for answer in db.session.scalars(select(PollAnswer).where(PollAnswer.poll_id == poll.id, PollAnswer.text != "")
                                         .order_by(PollAnswer.text, PollAnswer.id)):
            texts.append((names.get(answer.response_id, ""), answer.text))
    named: list[tuple[str, list[str]]] = []
    if poll.kind != "text" and not poll.is_anonymous:
        option_text = {o.id: o.text for o in poll.options}
        chosen: dict[str, list[str]] = {}
        for response_id, option_id in db.session.execute(
                select(PollAnswer.response_id, PollAnswer.option_id).where(PollAnswer.poll_id == poll.id)
                .order_by(PollAnswer.option_id)):
            chosen.setdefault(response_id, []).append(option_text.get(option_id, ""))
        votes = db.session.scalars(select(PollVote).options(joinedload(PollVote.user))
                                   .where(PollVote.poll_id == poll.id, PollVote.key.like("u:%"),
                                          PollVote.response_id.is_not(None)))
        named = sorted(((v.user.full_name, chosen.get(v.response_id, [])) for v in votes), key=lambda r: r[0])
    return Results(poll, respondents, [(o.text, per_option.get(o.id, 0)) for o in poll.options], texts, named)


def audience_labels(poll: Poll, class_names: dict[int, str]) -> list[str]:
    labels = []
    for a in poll.audience:
        if a.kind in GROUP_LABELS:
            labels.append(_(GROUP_LABELS[a.kind]))
        else:
            labels.append(_(CLASS_LABELS[a.kind], c=class_names.get(a.class_id, "?")))
    return labels


def _safe_cell(value):
    """Text that starts like a formula is kept as text in the spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_xlsx(res: Results) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = _("Итоги")
    ws.append([_safe_cell(res.poll.title)])
    ws["A1"].font = Font(bold=True, size=12)
    if res.poll.question:
        ws.append([_safe_cell(res.poll.question)])
    ws.append([_("Открыт с %(a)s по %(b)s", a=res.poll.opens_on.strftime("%d.%m.%Y"),
                 b=res.poll.closes_on.strftime("%d.%m.%Y"))])
    ws.append([_("Ответили"), res.respondents])
    ws.append([])
    if res.poll.kind != "text":
        ws.append([_("Вариант ответа"), _("Голосов"), _("Доля, %")])
        for text, votes in res.counts:
            ws.append([_safe_cell(text), votes, res.share(votes)])
    else:
        ws.append([_("Ответ")] if res.poll.is_anonymous else [_("Ответ"), _("Кто ответил")])
        for name, text in res.texts:
            ws.append([_safe_cell(text)] if res.poll.is_anonymous else [_safe_cell(text), _safe_cell(name)])
    if res.named:
        ws.append([])
        ws.append([_("Кто ответил"), _("Выбранные варианты")])
        for name, chosen in res.named:
            ws.append([_safe_cell(name), _safe_cell("; ".join(chosen))])
    ws.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chart_svg(res: Results) -> str:
    """A horizontal bar chart of the votes (pygal SVG without script, as reports/charts.py)."""
    import pygal

    from blueprints.reports.charts import _SCRIPT, STYLE

    chart = pygal.HorizontalBar(style=STYLE, disable_xml_declaration=True, js=[], tooltips=False, width=800,
                                height=max(200, 60 + 45 * len(res.counts)), show_legend=False, print_values=True,
                                truncate_label=-1, no_data_text=_("Нет данных"))
    # a horizontal bar chart draws its first value at the bottom: reversed, it reads top-down
    # in the table's order
    chart.x_labels = [text for text, _votes in reversed(res.counts)]
    chart.add(_("Голосов"), [votes for _text, votes in reversed(res.counts)])
    return _SCRIPT.sub("", chart.render(is_unicode=True))
