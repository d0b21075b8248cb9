"""Working as a team on one database: who has a call open where (presence), and what the
other desks changed (the change feed)."""
