"""Working as a team: connecting this desk to a team database on a PostgreSQL server (File ▸
Connect to a team database…) and back to its own SQLite file; who else is in a call (the
presence banner)."""
