"""Win-Back Desk at 100,000 customers: every interaction beside its floor.

    python bench/run.py [--quick] [--json FILE] [--keep DIR] [--only NAME ...] [--database-url URL]

Generates 100,000 customers, 1,000,000 order lines and 20,000 calls (with --quick ten times
fewer, and fewer repeats: a smoke test for CI) in a temporary data dir, then measures start,
search, open, autosave, import, lapsed, sheet, insight and memory, each as the median of several
runs beside its floor -- the same work done the most direct way, measured in the same run.
Prints a table (measure, value, floor, ratio, goal, met?); --json writes the same rows.

With --database-url postgresql://USER@HOST/DB the same data goes into that PostgreSQL database,
which must be EMPTY (the benchmark migrates and fills it, and leaves it filled: drop it after;
one holding customers is refused, untouched), and search, open, autosave and lapsed are measured
on it beside floors that use psycopg directly, against the same goals. The team load test (20
desk processes on one server) is its own entry: python bench/team_load.py --help.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import measures  # noqa: E402
from bench.basket import measure_basket  # noqa: E402
from bench.dataset import Sizes, build  # noqa: E402
from bench.report import table, write_json  # noqa: E402

MEASURES = ("start", "search", "lapsed", "insight", "autosave", "open", "sheet", "import", "basket")
# On a PostgreSQL server (--database-url): the interactions whose floors have a server form.
ON_SERVER = ("search", "open", "autosave", "lapsed")


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores, {cpu}, {ram} RAM, Python {platform.python_version()}, {platform.system()}"
    )


def load() -> str:
    """The load average: other work on the machine skews every number."""
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average ?"


def _on_the_dataset(
    root: Path, sizes: Sizes, reps: measures.Repeats, wanted, log, database_url: str | None = None
) -> list:
    """The measures on the generated customers, orders and calls."""
    rows = []
    ds = build(root, sizes, log=log, database_url=database_url)
    if "start" in wanted:  # first: fresh processes, before this one holds the database open
        from bench.start_measure import measure_start

        rows += measure_start(ds, reps, log)
    from winback_desktop.bootstrap import open_app

    ctx = open_app(ds.paths)
    try:
        for name in wanted:
            if name in ("start", "import", "basket"):
                continue
            fn = getattr(measures, f"measure_{name}")
            rows += fn(ctx, ds, reps, log)
    finally:
        ctx.close()
    if "import" in wanted:
        rows += measures.measure_import(ds, reps, log)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="ten times smaller, fewer repeats (CI smoke test)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the rows as JSON")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR (empty) and keep it")
    ap.add_argument("--only", nargs="+", choices=MEASURES, help="run only these measures")
    ap.add_argument(
        "--database-url",
        metavar="URL",
        help="an EMPTY PostgreSQL database to fill and measure on (left filled; "
        f"measures: {', '.join(ON_SERVER)})",
    )
    args = ap.parse_args(argv)
    if args.database_url:
        from winback_desktop.store.server import ServerUrlError, parse

        try:
            parse(args.database_url)
        except ServerUrlError as exc:
            ap.error(str(exc))
        off = sorted(set(args.only or ()) - set(ON_SERVER))
        if off:
            ap.error(f"on a server only {', '.join(ON_SERVER)} are measured, not {', '.join(off)}")

    sizes = Sizes.quick() if args.quick else Sizes.full()
    reps = measures.Repeats.quick() if args.quick else measures.Repeats.full()
    wanted = args.only or (ON_SERVER if args.database_url else MEASURES)
    root = args.keep or Path(tempfile.mkdtemp(prefix="winback-bench-"))
    root.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(f"  {msg}", flush=True)

    started = time.perf_counter()
    print(f"Win-Back Desk benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}; {machine()}; {load()}", flush=True)
    if args.database_url:
        from bench import pg

        print(f"on PostgreSQL: {pg.server_version(args.database_url)}", flush=True)
    rows = []
    try:
        if set(wanted) - {"basket"}:  # the basket file is its own data
            rows += _on_the_dataset(root, sizes, reps, wanted, log, args.database_url)
        if "basket" in wanted:
            rows += measure_basket(root, args.quick, reps.imports, log)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    order = [
        "start",
        "start_ready",
        "start_first_of_day",
        "search",
        "search_worst",
        "open",
        "autosave",
        "keystroke_to_disk",
        "import_customers",
        "import_orders",
        "import_basket",
        "import_basket_memory",
        "lapsed",
        "refresh_priorities",
        "sheet",
        "sheet_batch",
        "sheet_batch_one_pdf",
        "insight",
        "memory",
    ]
    rows.sort(key=lambda r: order.index(r.name) if r.name in order else len(order))
    print()
    print(table(rows, quick=args.quick))
    print(f"\n(total {time.perf_counter() - started:.0f} s; at the end: {load()})")
    if args.json:
        write_json(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
