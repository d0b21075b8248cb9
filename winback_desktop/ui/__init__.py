"""PySide6 widgets. They call services; they never open sessions or write SQL."""
