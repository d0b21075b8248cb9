"""Import benchmark: 100,000 customers and 1,000,000 order lines, beside their floor.

The floor is what the same rows cost with nothing but the standard library: csv.reader over the
file and one sqlite3 ``executemany`` into the same schema (same indexes, WAL, synchronous=FULL),
in one transaction. The import does more (decoding, sniffing, validating every cell, dates and
amounts per column, matching, purchase figures), so it is slower; the aim is within ~3x.

    python bench/import_bench.py [--customers 100000] [--orders 1000000] [--repeat N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths  # noqa: E402
from winback_desktop.services.imports.importer import import_customers, import_orders

SEGMENTS = ("Wholesale", "Retail", "Hospitality", "Healthcare", "Education", "Public sector")
OWNERS = ("Ana Costa", "Ben Okafor", "Chloé Martin", "Dieter Groß", "Eva Nowak")
WORDS = ("Harbour", "Copper", "Kettle", "Nordic", "Müller", "Société", "Ærø", "Atlas", "Summit", "Lumen")


def make_files(folder: Path, customers: int, orders: int, seed: int = 7) -> tuple[Path, Path]:
    rnd = random.Random(seed)
    today = dt.date(2025, 6, 30)
    ids = [f"{i:07d}" for i in range(1, customers + 1)]
    cust = folder / "customers.csv"
    with cust.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["Customer ID", "Company", "Contact", "Job title", "Phone", "Email", "Revenue", "Last purchase"]
            + ["Segment", "Account owner"]
        )
        for ext in ids:
            company = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {ext[-4:]} Ltd"
            w.writerow(
                [
                    ext,
                    company,
                    f"Contact {ext}",
                    "Purchasing",
                    f"+44 20 {rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)}",
                    f"buyer{ext}@example.com",
                    f"{rnd.randint(100, 500000)}.{rnd.randint(0, 99):02d}",
                    (today - dt.timedelta(days=rnd.randint(0, 1500))).isoformat(),
                    rnd.choice(SEGMENTS),
                    rnd.choice(OWNERS),
                ]
            )
    ords = folder / "orders.csv"
    with ords.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Customer ID", "Order date", "Amount", "Order ID"])
        ref = 0
        lines_left = 0
        ext, day = ids[0], today
        for _ in range(orders):
            if lines_left == 0:  # a new order of one to three lines
                ref += 1
                lines_left = rnd.choice((1, 1, 2, 3))
                ext = rnd.choice(ids)
                day = today - dt.timedelta(days=rnd.randint(0, 2000))
            lines_left -= 1
            w.writerow(
                [ext, day.isoformat(), f"{rnd.randint(1, 50000)}.{rnd.randint(0, 99):02d}", f"SO{ref:08d}"]
            )
    return cust, ords


def fresh_db(folder: Path) -> Paths:
    paths = Paths(folder, custom=True)
    open_app(paths).close()  # the schema, migrated as the app does it
    return paths


class Timer:
    """Wall and CPU seconds: the machine may be shared, and CPU time is steadier under load."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def floor_customers(db: Path, path: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO customers (external_id, company, contact_name, contact_title, phone, email, "
            "value_lost, last_purchase, segment, owner, status, notes, search_text, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'lapsed', '', '', '2025-01-01')",
            rows,
        )
        conn.execute("COMMIT")
    conn.close()


def floor_orders(db: Path, path: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO orders (customer_id, order_date, amount, order_ref) VALUES (?, ?, ?, ?)", rows
        )
        conn.execute("COMMIT")
    conn.close()


def best(timers: list[Timer]) -> Timer:
    """The fastest run: on a shared machine the others measure the neighbours too."""
    return min(timers, key=lambda t: t.wall)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=1, help="run everything N times, report the best")
    ap.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temporary dir)")
    ap.add_argument("--profile", action="store_true", help="profile the imports with pyinstrument")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="winback-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[Timer]] = {k: [] for k in ("fc", "fo", "ic", "io", "same")}
    try:
        cust, ords = make_files(work, args.customers, args.orders)
        size = f"{cust.stat().st_size / 1e6:.1f} MB and {ords.stat().st_size / 1e6:.1f} MB"
        print(f"generated {args.customers:,} customers and {args.orders:,} order lines ({size})")
        for run in range(args.repeat):
            shutil.rmtree(work / "floor", ignore_errors=True)
            shutil.rmtree(work / "app", ignore_errors=True)
            floor_paths = fresh_db(work / "floor")
            with Timer() as t:
                floor_customers(floor_paths.database, cust)
            runs["fc"].append(t)
            with Timer() as t:
                floor_orders(floor_paths.database, ords)
            runs["fo"].append(t)

            ctx = open_app(fresh_db(work / "app"))
            profiler = None
            if args.profile and run == 0:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            try:
                with Timer() as t:
                    rc = import_customers(ctx, cust)
                runs["ic"].append(t)
                with Timer() as t:
                    ro = import_orders(ctx, ords)
                runs["io"].append(t)
                with Timer() as t:
                    again = import_orders(ctx, ords)
                runs["same"].append(t)
            finally:
                if profiler is not None:
                    profiler.stop()
                    print(profiler.output_text(unicode=True, color=False, show_all=False))
                ctx.close()
        print(
            f"{'':28}{'import':>10}{'floor':>10}{'ratio':>8}   {'(CPU: import':>12}{'floor':>8}{'ratio)':>8}"
        )
        for label, mine, floor in (
            (f"customers ({args.customers:,} rows)", best(runs["ic"]), best(runs["fc"])),
            (f"orders ({args.orders:,} lines)", best(runs["io"]), best(runs["fo"])),
        ):
            print(
                f"{label:28}{mine.wall:>9.2f}s{floor.wall:>9.2f}s{mine.wall / floor.wall:>7.1f}x"
                f"   {mine.cpu:>11.2f}s{floor.cpu:>7.2f}s{mine.cpu / floor.cpu:>6.1f}x"
            )
        print(f"{'same orders file again':28}{best(runs['same']).wall:>9.2f}s")
        if args.repeat > 1:
            print(f"(best of {args.repeat} runs)")
        print(rc.summary())
        print(ro.summary())
        print(again.summary())
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
