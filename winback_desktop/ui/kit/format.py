"""How numbers and dates read in the UI: the app's one set of formats (``winback_desktop/formats.py``)
under the names the screens use; ``money`` here is whole units ("1,234"), "—" for nothing."""

from __future__ import annotations

from winback_desktop.formats import money_whole as money
from winback_desktop.formats import short_date

__all__ = ["money", "short_date"]
