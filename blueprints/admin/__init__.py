"""Administration of the school (ADM-1 … ADM-8): one blueprint `admin` under /admin, split by
concern into sub-areas. URLs and endpoint names (`admin.<view>`) are the product's contract and do
not depend on the module a view lives in.

    dashboard.py       the administration's index and the template globals its pages share
    common.py          what every sub-area's views share: the administrators-only guard, `apply`
                       (validate, run an operation, commit, flash, redirect; refusals answered
                       alike) and `edit_page` (a page of one form, admin/edit.html)
    queries.py         reads shared by the sub-areas and the index (the current year, the school's
                       teachers, open classes, active subjects, scales, a student's parents)
    structure/         the school's set-up, its views by concern: years.py (years, periods,
                       holidays), classes.py (classes, subgroups, curriculum, movement of students),
                       subjects.py (subjects, kinds of work, scales, teaching assignments), all on
                       forms.py, operations.py and helpers.py (label filters, loaders); clubs.py,
                       new_year.py, settings.py, each with its *_operations.py
    timetable/         the weekly timetable and rooms (views, forms, operations), the bells
                       (bells.py, bell_operations.py)
    people/            accounts, roles, students and parents, credential slips, exports (views,
                       forms, operations), the correction of people's records (editing.py,
                       records.py)
    imports/           uploaded lists: the shared reader, its limits and the people import's plan
                       (reading.py), the store of uploads waiting for confirmation and the one
                       commit and cancel of a kept upload (pending.py),
                       the people, subjects and timetable imports with their previews (people.py,
                       subjects.py, timetable.py with people_operations.py,
                       subjects_operations.py, timetable_plan.py)
    jobs/              scheduled jobs and their runs (views.py), backups (backups.py)

A sub-package's `__init__` holds only its docstring; the view modules are imported below so that
their routes are registered on the one blueprint."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The view modules register their routes on `bp`.
from blueprints.admin import dashboard  # noqa: E402,F401
from blueprints.admin.imports import people as people_import  # noqa: E402,F401
from blueprints.admin.imports import subjects as subjects_import  # noqa: E402,F401
from blueprints.admin.imports import timetable as timetable_import  # noqa: E402,F401
from blueprints.admin.jobs import backups  # noqa: E402,F401
from blueprints.admin.jobs import views as jobs_views  # noqa: E402,F401
from blueprints.admin.people import editing  # noqa: E402,F401
from blueprints.admin.people import views as people_views  # noqa: E402,F401
from blueprints.admin.structure import classes, clubs, new_year, settings, subjects, year_closing, years  # noqa: E402,F401
from blueprints.admin.timetable import bells  # noqa: E402,F401
from blueprints.admin.timetable import views as timetable_views  # noqa: E402,F401
