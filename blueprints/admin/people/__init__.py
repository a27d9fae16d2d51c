"""Accounts, roles, students and parents, credential slips, exports and the correction of
people's records (ADM-3, ADM-4, ADM-7, PD-7). See blueprints/admin/__init__.py for the whole
layout."""
