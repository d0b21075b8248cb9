"""Rows of the benchmark: a value beside its floor and its goal; the table and the JSON file."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

KEYS = ("name", "value", "unit", "floor", "ratio", "goal", "met")


@dataclass
class Goal:
    """At most ``limit`` (in the row's unit) and/or at most ``ratio`` times the floor."""

    limit: float | None = None
    ratio: float | None = None

    def text(self, unit: str) -> str:
        parts = []
        if self.limit is not None:
            parts.append(f"<= {self.limit:g} {unit}")
        if self.ratio is not None:
            parts.append(f"<= {self.ratio:g}x floor")
        return " and ".join(parts) or "-"

    def met(self, value: float, floor: float | None) -> bool | None:
        if self.limit is None and self.ratio is None:
            return None
        ok = True
        if self.limit is not None:
            ok = ok and value <= self.limit
        if self.ratio is not None:
            ok = ok and floor is not None and floor > 0 and value <= self.ratio * floor
        return ok


@dataclass
class Row:
    name: str
    value: float
    unit: str
    floor: float | None
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""  # printed under the table, not written to the JSON

    def as_json(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in KEYS}


def row(name: str, value: float, unit: str, floor: float | None, goal: Goal, note: str = "") -> Row:
    ratio = value / floor if floor else None
    return Row(
        name,
        round(value, 4),
        unit,
        None if floor is None else round(floor, 4),
        None if ratio is None else round(ratio, 2),
        goal.text(unit),
        goal.met(value, floor),
        note,
    )


def median_time(fn: Callable[[], object], runs: int, *, before: Callable[[], object] | None = None) -> float:
    """Median wall time of ``fn()`` in seconds over ``runs`` runs (``before`` runs untimed)."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "MiB":
        return f"{v:,.0f} MiB"
    if unit == "ms":
        return f"{v:,.1f} ms" if v < 100 else f"{v:,.0f} ms"
    if unit == "s":
        return f"{v:,.3f} s" if v < 10 else f"{v:,.1f} s"
    return f"{v:g} {unit}"


def table(rows: list[Row], *, quick: bool) -> str:
    head = ("measure", "value", "floor", "ratio", "goal", "met?")
    body = [
        (
            r.name,
            _fmt(r.value, r.unit),
            _fmt(r.floor, r.unit),
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            r.goal,
            {True: "yes", False: "NO", None: "-"}[r.met],
        )
        for r in rows
    ]
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(len(head))]
    right = {1, 2, 3}

    def line(cells) -> str:
        return (
            "| "
            + " | ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    out = [
        line(head),
        "|"
        + "|".join(("-" * (w + 1) + ":" if i in right else "-" * (w + 2)) for i, w in enumerate(widths))
        + "|",
    ]
    out += [line(b) for b in body]
    notes = [f"- {r.name}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", *notes]
    if quick:
        out += [
            "",
            "QUICK MODE: a dataset ten times smaller and fewer repeats -- a smoke test; the goals are",
        ]
        out += ["for the full run (python bench/run.py) and are not judged by this one."]
    return "\n".join(out)


def write_json(rows: list[Row], path: Path) -> None:
    path.write_text(json.dumps([r.as_json() for r in rows], indent=2) + "\n", encoding="utf-8")
