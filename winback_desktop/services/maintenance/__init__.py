"""Keeping the data safe and current: backups and restore (run daily by ``winback_desktop.jobs.backup``)."""
