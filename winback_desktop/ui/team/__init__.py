"""Working as a team: who else is in a call (the presence banner)."""
