"""Win-Back Desk: a desktop call desk for winning back lost and lapsed customers."""

__version__ = "0.1.0"
APP_NAME = "Win-Back Desk"
