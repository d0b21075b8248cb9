"""Pieces every screen shares: formatting, style, child-process jobs, the PDF preview."""
