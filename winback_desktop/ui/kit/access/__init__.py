"""Every control within reach: windows that fit the screen and remember their size, accessible
names for every field, the call script's zoom (what a laptop, a keyboard or a screen reader needs)."""
