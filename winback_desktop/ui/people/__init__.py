"""The People dialog: the team and who is using this desk."""
