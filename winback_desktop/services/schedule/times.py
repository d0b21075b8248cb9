"""What booking (``booking``) and the read side (``views``) share about a call's time slot.

Conversions between the stored naive UTC and local time live in ``services/clock.py``.
"""

from __future__ import annotations

ACTIVE = ("scheduled", "in_progress")  # calls that still take someone's time
DEFAULT_MINUTES = 30
