"""The child processes the desktop app starts (``python -m winback_desktop.jobs.NAME ARGS``):
an import, the day's re-ranking, the daily backup, the full check of the database.

Each is an entry point like ``app.py`` and ``cli/``: it opens the data with
:func:`winback_desktop.bootstrap.open_app` and calls the services. They live here, above the
services, because a service importing ``bootstrap`` (which imports the services) was a cycle.
``ui/kit/jobs.py`` runs them without blocking the window.
"""
