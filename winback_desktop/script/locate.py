"""Find the line of a key in a TOML text, so a script error can name file, line and key.

tomllib gives no positions, so this scans table headers and ``key =`` lines. It understands the
shapes call scripts use (tables, arrays of tables, dotted headers); for anything else it falls
back to the nearest enclosing table.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'[^\']*\'')

Path = tuple[str | int, ...]


def line_index(text: str) -> dict[Path, int]:
    """Map each table and key path (e.g. ("stages", 1, "fields", 0, "kind")) to its 1-based line."""
    index: dict[Path, int] = {}
    counts: dict[Path, int] = {}
    current: Path = ()
    depth = 0  # bracket depth of multi-line arrays: their inner lines are not keys
    in_multiline = False  # inside a triple-quoted string: nothing here is a header or key
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_multiline:
            in_multiline = quotes % 2 == 0
            continue
        if quotes % 2 == 1:
            in_multiline = True
        bare = _STRINGS.sub('""', line).split("#", 1)[0]
        if depth == 0:
            header = _HEADER.match(line)
            if header:
                is_array = header.group(1) == "[["
                parts = [p.strip() for p in header.group(2).split(".")]
                path: Path = ()
                for i, part in enumerate(parts):
                    path = (*path, part)
                    last = i == len(parts) - 1
                    if last and is_array:
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
        if depth or _KEY.match(line):
            depth = max(depth + bare.count("[") - bare.count("]"), 0)
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
