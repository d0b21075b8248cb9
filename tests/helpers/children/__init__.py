"""Programs the tests run as child processes (a desk that crashes mid-call, a start-up, X11 typing)."""
