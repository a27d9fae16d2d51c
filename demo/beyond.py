"""The demo school's life beyond the lesson (issue 15): conversations and an announcement,
a poll, the robotics club's sessions and results, a distance assignment and an electronic test.
Each part fills its own module; this one only calls them in order."""
from __future__ import annotations

from demo import assignments, clubs, messages, polls, quizzes


def fill_beyond_the_lesson(school_id: int, seed: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in (messages, polls, clubs, assignments, quizzes):
        counts.update(part.fill(school_id, seed))
    return counts
