"""The command registry: every sub-command and nested action resolves to its area's handler
(argparse ``set_defaults``), says whether it opens the database, and has a working --help; the
desktop app starts without loading the sub-commands' modules."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from tests.helpers.paths import ROOT
from winback_desktop.cli import entry
from winback_desktop.cli.entry import build_parser, main

# Every command path the parser must know; a command dropped or added shows up here.
COMMANDS = {
    ("gui",),
    ("demo",),
    ("sheet",),
    ("export",),
    ("paths",),
    ("doctor",),
    ("backup",),
    ("restore",),
    ("db",),
    ("db", "upgrade"),
    ("db", "dump"),
    ("db", "copy"),
    ("import",),
    ("import", "customers"),
    ("import", "orders"),
    ("import", "list"),
    ("import", "undo"),
    ("lapsed",),
    ("volume",),
    ("agenda",),
    ("today",),
    ("cycle",),
    ("cycle", "new"),
    ("cycle", "fill"),
    ("cycle", "show"),
    ("cycle", "list"),
    ("cycle", "close"),
    ("people",),
    ("people", "list"),
    ("people", "add"),
    ("people", "edit"),
    ("people", "retire"),
    ("people", "unretire"),
    ("people", "current"),
    ("brief",),
    ("sheets",),
    ("followups",),
}
# They work on the database file itself and must not open (or migrate) it.
ON_FILES = {
    ("paths",),
    ("doctor",),
    ("backup",),
    ("restore",),
    ("db", "upgrade"),
    ("db", "dump"),
    ("db", "copy"),
}
# Only a nested action runs: the parent's own ACTION argument is required.
GROUPS = {("import",), ("cycle",), ("db",)}


@pytest.fixture(autouse=True)
def keep_umask():
    """main() sets a private umask for the whole process; put the test runner's back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def _actions(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return found[0] if found else None


def walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every sub-parser below ``parser``, nested ones too, with its command path."""
    actions = _actions(parser)
    for name, child in (actions.choices if actions else {}).items():
        yield (*path, name), child
        yield from walk(child, (*path, name))


def test_the_parser_knows_every_command():
    assert {path for path, _ in walk(build_parser())} == COMMANDS


def test_every_command_resolves_to_a_handler_of_its_area():
    for path, parser in walk(build_parser()):
        func = parser.get_default("func")
        if path == ("gui",):
            assert func is None  # main() starts the app before any dispatch
            continue
        if path in GROUPS:
            actions = _actions(parser)
            assert func is None and actions is not None and actions.required, path
            continue
        assert callable(func), path
        assert func.__module__ in entry.AREAS, (path, func.__module__)
        assert parser.get_default("needs_db") is (path not in ON_FILES), path


@pytest.mark.parametrize(
    ("argv", "handler_of"),
    [
        (["people"], ["people", "list"]),  # no action: the team is listed
        (["people", "list", "--all"], ["people", "list"]),
        (["export", "customers", "-o", "x.csv"], ["export", "calls", "-o", "x.csv"]),
        (["import", "orders", "f.csv"], ["import", "customers", "f.csv"]),
    ],
)
def test_parsing_picks_the_same_handler(argv, handler_of):
    parser = build_parser()
    assert parser.parse_args(argv).func is parser.parse_args(handler_of).func


def test_a_nested_action_overrides_its_parents_handler():
    parser = build_parser()
    listing = parser.parse_args(["people"]).func
    for action in ("add", "edit", "retire", "unretire", "current"):
        extra = {"add": ["N", "--role", "caller"], "current": []}.get(action, ["1"])
        args = parser.parse_args(["people", action, *extra])
        assert args.func is not listing and args.needs_db, action


@pytest.mark.parametrize(
    "argv",
    [
        ["--data-dir", "X", "cycle", "list"],
        ["cycle", "list", "--data-dir", "X"],
        ["cycle", "--data-dir", "X", "list"],
        ["people", "--data-dir", "X"],
        ["--data-dir", "X", "doctor"],
        ["restore", "b.sqlite3", "--data-dir", "X"],
    ],
)
def test_data_dir_before_or_after_the_command(argv):
    assert build_parser().parse_args(argv).data_dir == "X"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_of_every_command(path, capsys):
    with pytest.raises(SystemExit) as info:
        main([*path, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: winback {' '.join(path)} ")
    assert "--data-dir DIR" in out


def test_the_app_starts_without_the_sub_commands():
    """``winback gui`` reads its own arguments: neither the areas' modules nor SQLAlchemy load."""
    script = textwrap.dedent(
        """
        import sys, types
        started = []
        app = types.ModuleType("winback_desktop.app")
        app.run_gui = lambda data_dir, database_url=None: started.append(data_dir) or 0
        sys.modules["winback_desktop.app"] = app
        from winback_desktop.cli import main
        code = main(["gui", "--data-dir", "d"])
        loaded = sorted(m for m in sys.modules if m.startswith("winback_desktop.cli."))
        print(code, started, loaded, "sqlalchemy" in sys.modules)
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.split(None, 1)[1].strip() == (
        "['d'] ['winback_desktop.cli.common', 'winback_desktop.cli.entry'] False"
    )
    assert out.split()[0] == "0"
