"""Uploaded lists (ADM-4): the shared reader, the store of uploads waiting for confirmation and
the people, subjects and timetable imports with their previews. See blueprints/admin/__init__.py
for the whole layout."""
