"""Someone else changed what you were editing: both texts side by side, and the choice (the
dialog the call window, the roster's decisions and the next steps share)."""
