"""The Customers tab: the ranked roster, its menu, the import dialog and volume departed."""
