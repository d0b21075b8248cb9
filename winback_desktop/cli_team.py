"""Command-line commands of this feature area (see COMMAND_MODULES in cli.py)."""

from __future__ import annotations

import argparse


def register(add) -> None:
    """Add this area's sub-commands; ``add(name, help)`` returns an argparse sub-parser."""


def run(args: argparse.Namespace, ctx) -> int | None:
    """Run the command if it is one of this area's; None otherwise."""
    return None
