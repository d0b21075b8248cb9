"""Bytes to text: which files are text at all, and in which encoding they are read.

Excel and CRMs write CSV as UTF-8 (with or without a byte-order mark), as Windows-1252 ("ANSI",
which covers Latin-1 text in practice), or as UTF-16 with a BOM ("Unicode text"); scan.py reads
the bytes and tells which. Anything else that holds NUL bytes or is mostly control characters is
not a CSV file, and is refused with a message naming the file (and the line) rather than being
read as garbage.
"""

from __future__ import annotations

import codecs

from winback_desktop.importers.errors import NotCsvError
from winback_desktop.importers.scan import ByteScan, line_breaks, scan

SAMPLE_CHARS = 64 * 1024

# Leading bytes of files people pick by mistake, and what to call them.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive, e.g. an Excel .xlsx workbook: save it as CSV first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook: save it as CSV first"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "a SQLite database"),
)
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\x1a"}  # \x1a: the DOS end-of-file mark old tools append


def _cp1252_undefined(exc: UnicodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined decode as Windows itself does: to the C1 controls.
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("winback_cp1252", _cp1252_undefined)


def decode(data: bytes, name: str, facts: ByteScan | None = None, *, final: bool = True) -> tuple[str, str]:
    """The text of ``data`` and the codec that read it; NotCsvError when it is not text, mixes
    two encodings or holds a NUL byte (naming the line). ``facts``: the scan of the whole file
    when ``data`` is only its start (then ``final=False``: a character cut at the end is left out)."""
    if not data.strip():
        raise NotCsvError(f"{name} is empty")
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise NotCsvError(f"{name} does not look like a CSV file (it is {what})")
    facts = facts or scan([data])
    if facts.nul_line is not None and not facts.utf16 and _looks_like_utf16(data):
        raise NotCsvError(
            f"{name} does not look like a CSV file (it looks like UTF-16 text without a "
            "byte-order mark: save it as CSV UTF-8)"
        )
    encoding = facts.encoding(name)
    if encoding == "utf-16":
        text = _utf16_text(data, name, final)
    elif encoding == "cp1252":
        text = data.decode("cp1252", errors="winback_cp1252")
    else:  # the scan found every byte UTF-8
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    if "\x00" in text:
        raise NotCsvError(f"{name} does not look like a CSV file (it contains NUL characters)")
    sample = text[:SAMPLE_CHARS]
    controls = sum(1 for ch in sample if ch < " " and ch not in _TEXT_CONTROLS) + sum(
        1 for ch in sample if "\x7f" <= ch <= "\x9f"
    )
    if controls > max(2, len(sample) // 100):
        raise NotCsvError(
            f"{name} does not look like a CSV file ({controls} control characters "
            f"in its first {len(sample):,} characters: it looks like binary data)"
        )
    if not text.strip():
        raise NotCsvError(f"{name} is empty")
    return text, encoding


def _utf16_text(data: bytes, name: str, final: bool) -> str:
    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        return decoder.decode(data, final=final)
    except UnicodeDecodeError as exc:
        line = 1 + line_breaks(data[: exc.start - exc.start % 2].decode("utf-16", "replace"))
        raise NotCsvError(
            f"{name} does not look like a CSV file (it starts like UTF-16 text "
            f"but line {line:,} is not UTF-16: byte {exc.start:,})"
        ) from None


def _looks_like_utf16(data: bytes) -> bool:
    head = data[:4096]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    return max(even, odd) > len(head) // 4 and min(even, odd) <= len(head) // 50
