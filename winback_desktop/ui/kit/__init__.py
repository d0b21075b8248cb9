"""Pieces every screen shares: the table-model base, declared actions and the F1 list, the
change signal, confirm and empty state, style and palette, formatting, child-process jobs and
the PDF preview; the context of a screen painted before attach(), Qt <-> Python dates, and typed
ways to give a new widget its object name, tooltip or buddy."""
