"""The call window: stepper, stage pages, field editors, the customer card, autosave."""
