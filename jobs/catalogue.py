"""Every periodic job, registered with the scheduler by id."""
from jobs.scheduler import register  # noqa: F401

register("weekly_reports", "jobs.weekly_reports:run_scheduled", "WEEKLY_REPORTS_CRON")
register("weekly_backup", "jobs.backup:run_scheduled", "BACKUP_CRON")
register("pd_destruction_overdue", "jobs.pd_destruction:run_scheduled", "PD_DESTRUCTION_CRON")
register("retention_review", "jobs.retention:run_scheduled", "RETENTION_CRON")
register("personal_files_fill", "jobs.personal_files:run_scheduled", "PERSONAL_FILES_CRON")
register("archive_builds", "jobs.archive_builds:run_scheduled", "ARCHIVE_BUILDS_CRON")
register("message_notices", "jobs.message_notices:run_scheduled", "MESSAGE_NOTICES_CRON")
