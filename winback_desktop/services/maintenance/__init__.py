"""Keeping the data safe and current: backups, restore, and the child jobs (backup, re-ranking)."""
