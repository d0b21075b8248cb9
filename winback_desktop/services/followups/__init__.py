"""The partner's follow-up board: every promise made on a call, and its status."""
