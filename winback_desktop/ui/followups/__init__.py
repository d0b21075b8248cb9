"""The Follow-ups tab: the partner's board of promises."""
