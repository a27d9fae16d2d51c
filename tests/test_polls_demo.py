"""The demo's poll (demo/polls.py): an open anonymous poll of the parents of 5А, answered once
per family by some of them."""
from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from models.polls import Poll, PollAnswer, PollVote
from tests.clock import TODAY


def test_demo_fills_one_open_family_poll_of_5a(runner):
    result = runner.invoke(args=["demo", "--password", "demo2026"])
    assert result.exit_code == 0, result.output
    poll = db.session.scalars(select(Poll)).one()
    assert poll.per_family and poll.is_anonymous and poll.opens_on <= TODAY <= poll.closes_on
    answers = db.session.scalar(select(func.count()).select_from(PollAnswer))
    voters = db.session.scalar(select(func.count(func.distinct(PollVote.user_id))))
    assert answers == voters > 0
