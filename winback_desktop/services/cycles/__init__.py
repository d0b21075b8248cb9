"""Rescue cycles: a month or a quarter of win-back calls, filled from the roster."""
