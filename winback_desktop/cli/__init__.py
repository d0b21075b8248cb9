"""The ``winback`` command: one module per area, each adding its sub-commands with a handler
(argparse ``set_defaults(func=...)``); ``entry`` builds the parser and dispatches."""

from winback_desktop.cli.entry import main

__all__ = ["main"]
