"""Periodic work: the one scheduler process, and the jobs it runs."""
