"""Scheduled jobs, their runs and reports, and backups (ARC-4). See blueprints/admin/__init__.py
for the whole layout."""
