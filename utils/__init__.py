"""Helpers by topic, shared by the blueprints."""
