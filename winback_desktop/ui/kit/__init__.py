"""Pieces every screen shares: the table-model base, declared actions and the F1 list, the
change signal, confirm and empty state, style and palette, formatting, child-process jobs and
the PDF preview."""
