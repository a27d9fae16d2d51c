"""The school's set-up (ADM-1, ADM-2, ADM-5, ADM-8): years, periods, holidays, classes, subgroups,
curriculum, students' movement, subjects, kinds of work, scales, teaching assignments, clubs, the
new year and the school's settings. See blueprints/admin/__init__.py for the whole layout."""
