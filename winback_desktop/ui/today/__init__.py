"""The Today tab, with booking a call and logging an attempt."""
