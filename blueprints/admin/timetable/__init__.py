"""The weekly timetable, rooms and bells (ADM-1, issue 10). See blueprints/admin/__init__.py for
the whole layout."""
