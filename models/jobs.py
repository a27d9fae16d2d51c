"""Scheduled jobs: each run recorded under a unique key (job, scheduled time)."""
