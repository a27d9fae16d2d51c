"""Uploaded lists (ADM-4): the shared reader, the store of uploads waiting for confirmation and
the subjects and timetable imports with their previews (the people import's views live in
people/). See blueprints/admin/__init__.py
for the whole layout."""
