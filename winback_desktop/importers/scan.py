"""The bytes of an import file, read once in bounded chunks: hash, lines, NUL bytes, encoding.

One pass serves the import (the whole file in memory) and the preview (the file streamed, so a
huge one costs time in the background but no memory): the SHA-256 that recognises a file
imported before, the physical line count, the first NUL byte's line, and which encoding the file
is in. A file is UTF-8 when every byte decodes as UTF-8, else Windows-1252 (Excel's "ANSI");
UTF-16 when it starts with its byte-order mark. A file that mixes UTF-8 and Windows-1252 lines
(two exports pasted together) would be stored as mojibake ("SociÃ©tÃ©") whichever is chosen, so
it is refused, naming the first line that does not read in the encoding the file began with.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from winback_desktop.importers.errors import ImportCancelled, NotCsvError

CHUNK_BYTES = 8 * 1024 * 1024
ENCODING_NAMES = {
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
}
# A valid UTF-8 sequence of two to four bytes: in a Windows-1252 file, only text that is really
# UTF-8 holds these (an accented capital before a quote mark, "É’", is the rare exception, and
# is told apart by what it would decode to: see _PLAUSIBLE).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Characters UTF-8 text in these files holds: Latin-1 and Latin Extended-A letters, Greek,
# Cyrillic, typographic punctuation and currency signs, and anything from three bytes up (CJK).
# Windows-1252 byte pairs that happen to be valid UTF-8 decode to Latin Extended-B, IPA, NKo...
_PLAUSIBLE = re.compile("[\u00a0-\u017f\u0370-\u052f\u2010-\u206f\u20a0-\u20cf\u0800-\U0010ffff]")
_NOT_ASCII = re.compile(rb"[\x80-\xff]")
ShouldStop = Callable[[], bool]


def line_breaks(data: bytes | str) -> int:
    """The line breaks io.StringIO(newline="") splits on: \\r\\n, \\n and a lone \\r."""
    if isinstance(data, str):
        return data.count("\n") + data.count("\r") - data.count("\r\n")
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def chunks(read: Callable[[int], bytes], should_stop: ShouldStop | None = None) -> Iterator[bytes]:
    """What ``read`` gives, in chunks of about CHUNK_BYTES that end after a line feed where the
    line is shorter than a chunk (so that a line is looked at whole)."""
    rest = b""
    while True:
        if should_stop is not None and should_stop():
            raise ImportCancelled()
        block = read(CHUNK_BYTES)
        if not block:
            if rest:
                yield rest
            return
        data = rest + block if rest else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            yield data
            rest = b""
        else:
            yield data[:cut]
            rest = data[cut:]


@dataclass
class ByteScan:
    """What one pass over the bytes found (see :func:`scan`)."""

    size: int = 0
    sha256: str = ""
    utf16: bytes = b""  # the line feed in UTF-16, when it starts with that byte-order mark
    bom: bool = False  # it starts with UTF-8's byte-order mark
    breaks: int = 0  # physical line breaks
    ends_with_break: bool = False
    nul_line: int | None = None  # the first line holding a NUL byte
    nul_count: int = 0
    utf8_line: int | None = None  # the first line with UTF-8 text beyond ASCII
    utf8_sample: str = ""  # ... and that text
    bad_utf8: tuple[int, int] | None = None  # (line, byte) of the first byte that is not UTF-8
    utf8_after: int | None = None  # the first UTF-8 line after that (in a Windows-1252 file)
    _last_cr: bool = field(default=False, repr=False)

    @property
    def lines(self) -> int:
        return self.breaks + (0 if self.ends_with_break or not self.size else 1)

    def encoding(self, name: str) -> str:
        """The codec to read the file with; NotCsvError when it mixes two, or holds a NUL byte."""
        if self.utf16:
            return "utf-16"  # (the decoder says where it is not: see sniff.decode)
        if self.nul_line is not None:
            raise NotCsvError(self._nul_message(name))
        if self.bad_utf8 is not None:
            line, byte = self.bad_utf8
            if self.bom or self.utf8_line is not None:
                began = (
                    "it says it is UTF-8 (it starts with a byte-order mark)"
                    if self.bom
                    else f"it reads as UTF-8 (line {self.utf8_line:,} has “{self.utf8_sample}”)"
                )
                as_1252 = bytes([byte]).decode("cp1252", "replace")
                raise NotCsvError(
                    f"{name} mixes two text encodings: {began}, but line {line:,} is not UTF-8 "
                    f"(byte 0x{byte:02X}, as Windows-1252 writes “{as_1252}”). "
                    "Save it again as “CSV UTF-8” from the program that made it."
                )
            if self.utf8_after is not None:
                raise NotCsvError(
                    f"{name} mixes two text encodings: line {line:,} is Windows-1252, but line "
                    f"{self.utf8_after:,} is UTF-8 (it would read as “Ã©” where “é” was meant). "
                    "Save it again as “CSV UTF-8” from the program that made it."
                )
            return "cp1252"
        return "utf-8-sig" if self.bom else "utf-8"

    def _nul_message(self, name: str) -> str:
        where = f"line {self.nul_line:,}"
        if self.nul_count > 16:
            return (
                f"{name} does not look like a CSV file (it contains {self.nul_count:,} NUL bytes, "
                f"the first on {where}, so it is binary data)"
            )
        others = self.nul_count - 1
        also = f" ({others:,} more further on)" if others else ""
        return (
            f"{name}: {where} holds a NUL byte (character 0){also}, which no text has: the file "
            "is damaged or was cut and pasted from binary data. Remove it and import again."
        )


def scan(parts: Iterable[bytes], *, should_stop: ShouldStop | None = None) -> ByteScan:
    """One pass over ``parts`` (see :func:`chunks`): everything ByteScan holds."""
    result = ByteScan()
    hasher = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf16 = codecs.getincrementaldecoder("utf-16")(errors="replace")
    first = True
    for part in parts:
        if should_stop is not None and should_stop():
            raise ImportCancelled()
        hasher.update(part)
        if first:
            first = False
            if part.startswith(codecs.BOM_UTF16_LE):
                result.utf16 = b"\n\x00"
            elif part.startswith(codecs.BOM_UTF16_BE):
                result.utf16 = b"\x00\n"
            result.bom = part.startswith(codecs.BOM_UTF8)
            if result.bom:
                part = part[len(codecs.BOM_UTF8) :]
                result.size += len(codecs.BOM_UTF8)
        if result.utf16:
            _count_utf16(result, part, utf16)
        else:
            _look_at(result, part, decoder)
        result.size += len(part)
    if not result.utf16 and result.bad_utf8 is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:  # the file ends inside a character
            result.bad_utf8 = (result.lines, exc.object[exc.start])
    result.sha256 = hasher.hexdigest()
    return result


def _count_utf16(result: ByteScan, part: bytes, decoder: codecs.IncrementalDecoder) -> None:
    """Line breaks of a UTF-16 chunk, counted in its decoded text: a chunk may end between the
    two bytes of a line feed, so counting byte pairs would miss it."""
    text = decoder.decode(part)
    joined = result._last_cr and text[:1] == "\n"  # a \r\n split between two chunks
    result.breaks += line_breaks(text) - joined
    if text:
        result.ends_with_break = text[-1:] in ("\n", "\r")
        result._last_cr = text[-1:] == "\r"


def _look_at(result: ByteScan, part: bytes, decoder: codecs.IncrementalDecoder) -> None:
    """Lines, NUL bytes and UTF-8 in one chunk of a file that is not UTF-16."""
    first_line = result.breaks + 1
    joined = result._last_cr and part[:1] == b"\n"  # a \r\n split between two chunks
    result.breaks += line_breaks(part) - joined
    if part:
        result.ends_with_break = part[-1:] in (b"\n", b"\r")
        result._last_cr = part[-1:] == b"\r"

    def line_at(offset: int) -> int:
        return first_line + max(line_breaks(part[: max(offset, 0)]) - joined, 0)

    if b"\x00" in part:
        if result.nul_line is None:
            result.nul_line = line_at(part.index(b"\x00"))
        result.nul_count += part.count(b"\x00")
    if result.bad_utf8 is None:
        try:
            text = decoder.decode(part)
        except UnicodeDecodeError as exc:
            offset = exc.start - (len(exc.object) - len(part))
            result.bad_utf8 = (line_at(offset), exc.object[exc.start])
            if result.utf8_line is None:
                _note_utf8(result, exc.object[: exc.start].decode("utf-8", "ignore"), first_line)
            _utf8_after(result, part, max(offset, 0), line_at)
            return
        if result.utf8_line is None and not text.isascii():
            _note_utf8(result, text, first_line)
    elif result.utf8_line is None and result.utf8_after is None and _NOT_ASCII.search(part):
        _utf8_after(result, part, 0, line_at)


def _note_utf8(result: ByteScan, text: str, first_line: int) -> None:
    """Note the first line of ``text`` (decoded UTF-8) with characters beyond ASCII."""
    if m := _PLAUSIBLE.search(text):
        at = m.start()
        result.utf8_line = first_line + line_breaks(text[:at])
        begin = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        begin = max(begin, at - 30)
        result.utf8_sample = text[begin : at + 30].splitlines()[0].strip()


def _utf8_after(result: ByteScan, part: bytes, start: int, line_at: Callable[[int], int]) -> None:
    """In a file that is not UTF-8 from ``start`` on: the first line that is UTF-8 nonetheless."""
    pos = start
    while m := _UTF8_SEQUENCE.search(part, pos):
        begin = max(part.rfind(b"\n", 0, m.start()), part.rfind(b"\r", 0, m.start())) + 1
        end = len(part)
        for brk in (b"\n", b"\r"):
            if (i := part.find(brk, m.end())) >= 0:
                end = min(end, i)
        line = part[begin:end]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            pos = end
            continue
        if _PLAUSIBLE.search(text):
            result.utf8_after = line_at(begin)
            return
        pos = end
