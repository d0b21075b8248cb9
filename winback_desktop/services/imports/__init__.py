"""Importing customers and order history (the pure file reading is in ``winback_desktop.importers``)."""
