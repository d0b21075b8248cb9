"""Use cases shared by the UI and the CLI. They own their transactions and return plain data."""
