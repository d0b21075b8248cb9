"""Shared test helpers: data builders, key typing, child processes, paths."""
