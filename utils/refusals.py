"""One way to answer a `Refusal` (domain/messages.py) in a view: whatever the refused request
did is rolled back, and its message, translated with its params, is shown — flashed over the
page a form returns to, or passed to the page or htmx fragment the view re-renders with the
refusal's status. A refusal that means "no access" (403/404) may be answered by the error
pages instead, where the view asks for it."""
from __future__ import annotations

from flask import abort, flash, redirect
from flask_babel import gettext as _

from domain.messages import Refusal
from extensions import db

ACCESS_STATUSES = (403, 404)


def text(refusal: Refusal) -> str:
    """The refusal's message in the user's language, with its params."""
    return _(refusal.message, **refusal.params)


def undo(refusal: Refusal, *, abort_access: bool = False) -> str:
    """Roll back what the refused request did (before anything is rendered, which reads the
    database again) and give the message to show. With `abort_access`, a 403/404 refusal is
    answered as the error page of that status."""
    db.session.rollback()
    if abort_access and refusal.status in ACCESS_STATUSES:
        abort(refusal.status)
    return text(refusal)


def back_to(url: str, refusal: Refusal, *, abort_access: bool = False):
    """A form's answer to a refusal: rolled back, the message flashed, back to `url` (303). A
    write into a closed school year (models/year_closing.YearClosed) is answered by the error
    page instead, 409 with its reason: refused, not redirected as if it might be retried."""
    if getattr(refusal, "year_closed", False):
        raise refusal
    flash(undo(refusal, abort_access=abort_access), "error")
    return redirect(url, 303)
