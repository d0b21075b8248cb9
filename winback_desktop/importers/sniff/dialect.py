"""How the cells are laid out: comma, semicolon or tab (csv.Sniffer and counting), or columns
aligned with spaces, as old systems and CDNOW's own ``.txt`` write them.

Space-aligned text has two readings: cells apart by two or more spaces (names with one space
inside stay whole: "Customer ID  Order date"), or by any run of spaces (numbers right-aligned
under each other, one space apart at the widest). The first that gives every row the same width
is the one; a header written with single spaces inside its names is read the wide way when only
that gives it the rows' width.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from winback_desktop.importers.errors import ErrorList
from winback_desktop.importers.sniff.records import (
    ALIGNED,
    SPACED,
    WIDE_SPACED,
    _blank,
    _records,
    split_aligned,
)
from winback_desktop.importers.sniff.text import SAMPLE_CHARS

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", SPACED: "space", WIDE_SPACED: "space"}
ALIGNED_SHARE = 0.9  # of the rows below the header, as wide as the most common width
SNIFFER_CHARS = 4096
SAMPLE_LINES = 100


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: csv.Sniffer's answer when the rows agree with it; columns aligned
    with spaces (:data:`ALIGNED`) when no delimiter makes a table and spaces do; else by counting."""
    sample = _sample(text)
    try:
        # Sniffer's quote regex is quadratic on unbalanced quotes: give it a few lines only.
        sniffed = (
            csv.Sniffer().sniff(_sample(sample, SNIFFER_CHARS), delimiters="".join(DELIMITERS)).delimiter
        )
    except csv.Error:
        sniffed = None
    scores = {d: _score(sample, d) for d in DELIMITERS}
    if sniffed in scores and scores[sniffed][0]:
        return sniffed
    if not any(agrees or share >= 0.5 for agrees, share, _width in scores.values()):
        if aligned := aligned_layout(sample):
            return aligned
    if not any(score[1] for score in scores.values()):  # no row reads as a table: e.g. a first
        head = sample[:SNIFFER_CHARS]  # line longer than the sample; count what it starts with
        counted = {d: head.count(d) for d in DELIMITERS}
        if any(counted.values()):
            return max(DELIMITERS, key=counted.__getitem__)
    return max(DELIMITERS, key=lambda d: scores[d])


def _sample(text: str, chars: int = SAMPLE_CHARS) -> str:
    """The first lines of ``text``, cut at a line end (a cut inside a quoted cell only costs a row)."""
    sample = text[:chars]
    lines = io.StringIO(sample, newline="").readlines()
    if len(text) > len(sample) and len(lines) > 1:
        lines = lines[:-1]
    return "".join(lines[:SAMPLE_LINES])


def _score(sample: str, delimiter: str) -> tuple[bool, float, int]:
    """(the header agrees with most rows, share of rows as wide as the most common width, width)."""
    widths = [
        len(cells) for _start, _end, cells in _records(sample, delimiter, ErrorList()) if not _blank(cells)
    ]
    if not widths:
        return (False, 0.0, 0)
    width, count = Counter(widths).most_common(1)[0]
    share = count / len(widths)
    agrees = width >= 2 and (len(widths) == 1 or share >= 0.8) and widths[0] == width
    return (agrees, share if width >= 2 else 0.0, width)


def aligned_layout(sample: str) -> str | None:
    """:data:`WIDE_SPACED` or :data:`SPACED` when (nearly) every row of ``sample`` below its
    first (a header, or data too) splits that way into the same two or more cells; else None.
    When both do, the one with more cells: numbers right-aligned in columns are one space apart
    at the widest and two or more elsewhere ("00001 19970101  2 11.77"), and are four cells."""
    lines = [line for line in io.StringIO(sample, newline="").read().splitlines() if line.strip()]
    if len(lines) < 2 or any('"' in line for line in lines[:3]):
        return None
    rows = lines[1:]
    found: dict[str, int] = {}
    for layout in ALIGNED:
        widths = Counter(len(split_aligned(line, layout)) for line in rows)
        width, count = widths.most_common(1)[0]
        if width >= 2 and count >= ALIGNED_SHARE * len(rows):
            found[layout] = width
    return max(found, key=found.__getitem__, default=None)


def header_cells(line: str, layout: str, width: int) -> list[str]:
    """The header of space-aligned text: split as the rows are, else (names with one space inside,
    "Customer ID Order date" over numbers one space apart) by two or more spaces when only that
    gives the rows' ``width``."""
    cells = split_aligned(line, layout)
    if len(cells) != width and layout == SPACED:
        wide = split_aligned(line, WIDE_SPACED)
        if len(wide) == width:
            return wide
    return cells
