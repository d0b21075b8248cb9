"""The Rescue cycles tab and its dialogs."""
