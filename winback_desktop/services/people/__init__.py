"""The team: executives, recovery callers and partners."""
