"""Which screenshots changed, pixel by pixel: `python tests/helpers/compare_shots.py BEFORE AFTER`.

Prints each PNG whose pixels differ (with the box they differ in) and exits 1 when any does."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def differing_box(before: Path, after: Path) -> tuple[int, int, int, int] | None:
    """None when the images are identical; else the (left, top, right, bottom) of the change."""
    from PySide6.QtGui import QImage

    a = QImage(str(before)).convertToFormat(QImage.Format.Format_RGB32)
    b = QImage(str(after)).convertToFormat(QImage.Format.Format_RGB32)
    if a.size() != b.size():
        return (0, 0, max(a.width(), b.width()), max(a.height(), b.height()))
    if a.constBits().tobytes() == b.constBits().tobytes():
        return None
    xs, ys = [], []
    for y in range(a.height()):
        for x in range(a.width()):
            if a.pixel(x, y) != b.pixel(x, y):
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys))


def main(argv: list[str]) -> int:
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication(sys.argv[:1])
    before, after = Path(argv[0]), Path(argv[1])
    names = sorted({p.name for p in before.glob("*.png")} | {p.name for p in after.glob("*.png")})
    changed = 0
    for name in names:
        if not (before / name).exists() or not (after / name).exists():
            print(f"{name}: only in {'after' if (after / name).exists() else 'before'}")
            changed += 1
        elif (box := differing_box(before / name, after / name)) is not None:
            print(f"{name}: differs in {box}")
            changed += 1
    print(f"{len(names)} screens, {changed} differ")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
