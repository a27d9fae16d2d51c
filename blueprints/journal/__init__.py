"""The class journal (ЭЖ): lessons, plans, marks and attendance (JRN-*).

The modules are named by concern, one concern one prefix:

- `<concern>.py` holds the routes (the views) of one concern: `grid` (the list of journals, the
  grid and its cells), `classes` (the class page and the daily attendance), `lessons` (today's
  lessons, the lesson record and its homework), `plan` (the calendar-thematic plan),
  `schedule` (the week's timetable and its changes), `period_marks`, `closing` (closing
  periods, corrections in a closed one), `control` (journal-keeping control), `printing`;
- `<concern>_operations.py` its use cases that change data (they flush; the view commits),
  `<concern>_queries.py` its reads (`control_queries`: what is overdue), `<concern>_forms.py`
  its forms;
- without a prefix, the area's base that every concern uses: `operations` (the refusals
  `JournalError`/`Conflict`, the change log, the cell), `queries` (the assignment, the lesson,
  the roster, the grid), `forms` (shared fields and the grid's form);
- `loaders` loads an object named by an id through `policy.checked`, and `template_helpers`
  holds the journal's template globals and filters.

URLs and endpoint names (`journal.<function>`) do not depend on the module names."""
from flask import Blueprint

bp = Blueprint("journal", __name__, url_prefix="/journal")

from blueprints.journal import (  # noqa: E402,F401
    cell_html,
    classes,
    closing,
    clubs,
    control,
    grid,
    lessons,
    period_marks,
    plan,
    printing,
    schedule,
    template_helpers,
)
