"""Hostile files: how long the import preview (and the import's read) takes to answer.

Each file is generated in a temporary folder: a 100 MB field on line 3, 1,000,000 columns on the
header line, a UTF-8 file whose line 200,002 is Windows-1252, a NUL byte on line 100,000 of a
5 MB file, and 10,000 bad lines. Beside each, the floor: reading the file's bytes and hashing
them (SHA-256), the least a preview must do to say whether the file was imported before. Before
the limits (issue 11) the 100 MB field froze the window for 50 s and the million columns never
answered (3.9 GB); the preview now runs off the GUI thread, and these are its times.

    python bench/hostile_bench.py [--repeat N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from winback_desktop.importers import CsvImportError, preview_csv, read_csv  # noqa: E402

MB = 1024 * 1024


def make_files(folder: Path) -> dict[str, Path]:
    files = {}
    path = files["100 MB field"] = folder / "big-field.csv"
    with path.open("wb") as fh:
        fh.write(b'id,company,notes\n1,A,x\n2,B,"')
        for _ in range(100):
            fh.write(b"x" * MB)
        fh.write(b'"\n3,C,y\n')
    path = files["1,000,000 columns"] = folder / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n1,2\n", encoding="utf-8")
    path = files["mixed encodings"] = folder / "mixed.csv"
    with path.open("wb") as fh:
        fh.write(b"id,company\n")
        fh.write(b"".join(f"{i},Société {i}\n".encode() for i in range(200_000)))
        fh.write("200000,Müller\n".encode("cp1252"))
    path = files["a NUL byte"] = folder / "nul.csv"
    lines = [f"{i},Company {i},2024-01-31\n".encode() for i in range(200_000)]
    lines[99_998] = b"99998,Company\x0099998,2024-01-31\n"
    path.write_bytes(b"id,company,last purchase\n" + b"".join(lines))
    path = files["10,000 bad lines"] = folder / "bad.csv"
    rows = "".join(f"{i},Company {i},2024-02-30\n" for i in range(10_000))
    path.write_text("Customer ID,Company,Last purchase\n" + rows, encoding="utf-8")
    return files


def floor(path: Path) -> None:
    hashlib.sha256(path.read_bytes()).hexdigest()


def timed(work: Callable[[Path], object], path: Path, repeat: int) -> tuple[float, str]:
    times, said = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            result = work(path)
            notes = getattr(result, "notes", ())
            said = notes[0] if notes else "read"
        except CsvImportError as exc:
            said = str(exc)
        times.append(time.perf_counter() - started)
    return statistics.median(times), said


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, metavar="DIR", help="generate the files in DIR and keep them")
    args = ap.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="winback-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        files = make_files(folder)
        print(f"{'file':<18} {'size':>9} {'floor':>8} {'preview':>8} {'read':>8}  what the preview says")
        for name, path in files.items():
            base, _ = timed(floor, path, args.repeat)
            shown, said = timed(preview_csv, path, args.repeat)
            whole, _ = timed(read_csv, path, args.repeat)
            size = path.stat().st_size / MB
            print(f"{name:<18} {size:>6.1f} MB {base:>7.3f}s {shown:>7.3f}s {whole:>7.3f}s  {said[:90]}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
