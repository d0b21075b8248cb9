"""Find the line of a key in a TOML text, so a script error can name file, line and key.

tomllib gives no positions, so this scans table headers and ``key =`` lines. It understands the
shapes call scripts use (tables, arrays of tables, dotted headers); for anything else it falls
back to the nearest enclosing table.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")

Path = tuple[str | int, ...]


def _scan(line: str, depth: int, open_string: str | None) -> tuple[int, str | None]:
    """Track array bracket depth and an open triple-quoted string across one line.

    ``open_string`` is the delimiter (\"\"\" or ''') of a multi-line string still open at the start
    of the line. Brackets inside strings and comments do not count.
    """
    i, n = 0, len(line)
    while i < n:
        if open_string:
            end = line.find(open_string, i)
            while end != -1 and open_string == '"""' and _escaped(line, end):
                end = line.find(open_string, end + 1)
            if end == -1:
                return depth, open_string
            i = end + 3
            while i < n and line[i] == open_string[0]:  # up to two quotes may end the content
                i += 1
            open_string = None
            continue
        c = line[i]
        if c == "#":
            break
        if line.startswith('"""', i) or line.startswith("'''", i):
            open_string = line[i : i + 3]
            i += 3
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif c == "'":
            end = line.find("'", i + 1)
            i = n if end == -1 else end + 1
        else:
            if c == "[":
                depth += 1
            elif c == "]":
                depth = max(depth - 1, 0)
            i += 1
    return depth, open_string


def _escaped(line: str, pos: int) -> bool:
    backslashes = 0
    while pos - backslashes - 1 >= 0 and line[pos - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def line_index(text: str) -> dict[Path, int]:
    """Map each table and key path (e.g. ("stages", 1, "fields", 0, "kind")) to its 1-based line.

    An array of tables is also found under its own path (("stages",)): the line of its first header.
    """
    index: dict[Path, int] = {}
    counts: dict[Path, int] = {}
    current: Path = ()
    depth = 0  # bracket depth of multi-line arrays: their inner lines are not keys
    open_string: str | None = None  # inside a triple-quoted string: nothing is a header or key
    for number, line in enumerate(text.splitlines(), start=1):
        if open_string is None and depth == 0:
            header = _HEADER.match(line)
            if header:
                is_array = header.group(1) == "[["
                parts = [p.strip() for p in header.group(2).split(".")]
                path: Path = ()
                for i, part in enumerate(parts):
                    path = (*path, part)
                    last = i == len(parts) - 1
                    if last and is_array:
                        index.setdefault(path, number)
                        n = counts.get(path, -1) + 1
                        counts[path] = n
                        path = (*path, n)
                    elif not last and path in counts:
                        path = (*path, counts[path])  # inside the latest element of an array
                current = path
                index.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                index.setdefault((*current, key.group(1)), number)
        depth, open_string = _scan(line, depth, open_string)
    return index


def locate(text: str, path: Path) -> int | None:
    """The line of ``path``, or of its nearest ancestor found in the text."""
    index = line_index(text)
    probe = tuple(path)
    while probe:
        if probe in index:
            return index[probe]
        probe = probe[:-1]
    return None
