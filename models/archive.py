"""Archive and backups (ARC-*)."""
