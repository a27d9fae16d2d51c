"""Messages for the user from code that has no request: marked for translation here, translated
by the view with their params (pybabel extract -k N_)."""
from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for translation; returns it unchanged."""
    return message


class Refusal(Exception):
    """A refusal with a message for the user (a N_-marked text and its params) and the HTTP
    status to answer with; whatever raised it stored nothing."""

    status = 400

    def __init__(self, message: str, status: int | None = None, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        if status is not None:
            self.status = status
