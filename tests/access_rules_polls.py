"""Access rules of polls (COM-2, blueprints/polls): everyone has the list «Опросы»; the director,
the deputy and the class teachers create polls; a poll exists only for its audience (here the
parents of 5А: parent_a), its author (maths_teacher, class teacher of 5А) and the administration
(director, deputy) — everyone else gets 404, not 403 (`hides_existence`); results only for the
author and the administration."""
from tests.access import EVERYONE, Rule

CREATORS = frozenset({"director", "deputy", "maths_teacher", "primary_teacher"})
RESULTS = frozenset({"director", "deputy", "maths_teacher"})


def parents_poll(s):
    """An open anonymous poll of the parents of 5А, one answer per family, by the class teacher."""
    from extensions import db
    from models.polls import Poll, PollAudience, PollOption
    from tests.clock import TODAY

    existing = getattr(s, "poll_5a", None)
    if existing is not None:
        return existing
    poll = Poll(school_id=s.school.id, author_id=s.maths_teacher.id, title="Экскурсия в музей", question="Когда удобнее?",
                kind="single", opens_on=TODAY, closes_on=TODAY, is_anonymous=True, per_family=True)
    poll.options = [PollOption(position=0, text="Суббота"), PollOption(position=1, text="Воскресенье")]
    poll.audience = [PollAudience(kind="class_parents", class_id=s.class_5a.id)]
    db.session.add(poll)
    db.session.commit()
    s.poll_5a = poll
    return poll


def _new_poll(s):
    from tests.clock import TODAY

    return {"title": "Родительское собрание", "kind": "single", "options": "Да\nНет", "opens_on": TODAY.isoformat(),
            "closes_on": TODAY.isoformat(), "class_parents": str(s.class_5a.id)}


RULES = [
    Rule("GET", "/polls/", EVERYONE, lambda s: "/polls/"),
    Rule("GET", "/polls/new", CREATORS, lambda s: "/polls/new"),
    Rule("POST", "/polls/new", CREATORS, lambda s: "/polls/new", _new_poll),
    Rule("GET", "/polls/<int:poll_id>", RESULTS | {"parent_a"}, lambda s: f"/polls/{parents_poll(s).id}",
         hides_existence=True),
    Rule("POST", "/polls/<int:poll_id>/vote", frozenset({"parent_a"}), lambda s: f"/polls/{parents_poll(s).id}/vote",
         lambda s: {"option": str(parents_poll(s).options[0].id)}, hides_existence=True),
    Rule("GET", "/polls/<int:poll_id>/results", RESULTS, lambda s: f"/polls/{parents_poll(s).id}/results",
         hides_existence=True),
    Rule("GET", "/polls/<int:poll_id>/results.xlsx", RESULTS, lambda s: f"/polls/{parents_poll(s).id}/results.xlsx",
         hides_existence=True),
]
