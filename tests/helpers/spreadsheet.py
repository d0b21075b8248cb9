"""Open CSV files in a real spreadsheet engine (LibreOffice, headless) and see what it made of them.

``open_in_calc(files, separator, work)`` imports each CSV the way a user in another locale would
(the separator, '"' as the text delimiter, UTF-8, optionally trimming spaces), saves it as .xlsx
and returns what each cell became: the formulas and the numbers. One soffice process converts all
the files given; a private profile per call keeps parallel runs from handing their work to each
other's instance.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui (.ci/run does)",
)
SEPARATOR_CODES = {",": 44, ";": 59, "\t": 9}
_CELL = re.compile(r'<c r="([A-Z]+\d+)"([^>]*)>(.*?)</c>', re.DOTALL)
_FORMULA = re.compile(r"<f[^>]*>([^<]*)</f>")
_VALUE = re.compile(r"<v>([^<]*)</v>")


@dataclass(frozen=True)
class Sheet:
    formulas: list[tuple[str, str]]  # (cell, formula) for every cell that became a formula
    numbers: list[tuple[str, str]]  # (cell, value) for every cell read as a number


def _sheet(xml: str) -> Sheet:
    formulas, numbers = [], []
    for ref, attrs, body in _CELL.findall(xml):
        if f := _FORMULA.search(body):
            formulas.append((ref, f[1]))
        elif 't="n"' in attrs and (v := _VALUE.search(body)):
            numbers.append((ref, v[1]))
    return Sheet(formulas, numbers)


def infilter(separator: str, *, trim_spaces: bool = False) -> str:
    """The CSV import options: separator, '"' quotes, UTF-8 (76), from line 1, language en-US,
    quoted fields not forced to text, special numbers detected, trim spaces, formulas evaluated."""
    code = SEPARATOR_CODES[separator]
    return f"CSV:{code},34,76,1,,1033,false,true,false,false,{str(trim_spaces).lower()},-1,true"


def open_in_calc(
    files: Sequence[Path], separator: str, work: Path, *, trim_spaces: bool = False
) -> dict[str, Sheet]:
    """File name -> what LibreOffice made of its cells."""
    assert SOFFICE is not None
    out = work / f"xlsx-{SEPARATOR_CODES[separator]}-{int(trim_spaces)}"
    out.mkdir(parents=True, exist_ok=True)
    profile = work / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            f"--infilter={infilter(separator, trim_spaces=trim_spaces)}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    found: dict[str, Sheet] = {}
    for f in files:
        book = out / (f.stem + ".xlsx")
        assert book.exists(), f"LibreOffice did not convert {f}"
        with zipfile.ZipFile(book) as z:
            found[f.name] = _sheet(z.read("xl/worksheets/sheet1.xml").decode("utf-8"))
    return found
