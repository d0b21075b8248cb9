"""A basket file shaped like dunnhumby's "The Complete Journey" transactions, and its floor.

The real ``transaction_data.csv`` has one row per product in a shopping basket:

    household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,
    WEEK_NO,COUPON_DISC,COUPON_MATCH_DISC

with 2,500 households, about nine lines per basket and about a hundred baskets per household.
The file generated here has the same twelve columns, the same value shapes and 1,470,000 lines
(about 100 MB), written to disk in blocks (never held in memory), from a fixed seed.

One difference, said where the numbers are printed: ``DAY`` in the real file is a day number
(1 to 711 from an undisclosed start); the importer reads dates, not day numbers, so the column
here holds the ISO date of that day (the last day is a week ago). Everything else is as the
real file writes it, including zero sales values and negative discounts.

The import maps household_key -> customer id, BASKET_ID -> order id (one purchase per basket),
DAY -> order date and SALES_VALUE -> amount (:data:`MAPPING`).

The floor (:func:`floor_import`) is the plainest Python that stores the same facts: ``csv.reader``
over the file, the households created, one ``executemany`` of every line in one transaction, and
the purchase figures in three ``UPDATE``s, run in a fresh process like the app's import job.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import Goal, Row, row

ROOT = Path(__file__).resolve().parents[1]

HEADER = (
    "household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,STORE_ID,RETAIL_DISC,TRANS_TIME,"
    "WEEK_NO,COUPON_DISC,COUPON_MATCH_DISC"
)
MAPPING = {
    "customer_external_id": "household_key",
    "order_ref": "BASKET_ID",
    "order_date": "DAY",
    "amount": "SALES_VALUE",
}
LINES = 1_470_000
QUICK_LINES = 50_000
HOUSEHOLDS = 2_500
DAYS = 711
PER_BASKET = 9.3  # lines per basket, on average (2,595,732 lines in 276,484 baskets)
SEED = 20_110_301
BLOCK = 20_000  # lines per write


def _prices(rng: random.Random, n: int) -> list[str]:
    """Sales values as the file writes them: 1.39, 2.5, 0.0, 10.0 ..."""
    out = []
    for _ in range(n):
        cents = int(rng.lognormvariate(5.3, 0.8)) if rng.random() > 0.01 else 0
        out.append(repr(cents / 100))
    return out


def write_basket_file(
    path: Path, lines: int = LINES, seed: int = SEED, last_day: dt.date | None = None
) -> int:
    """Write ``lines`` transaction lines (plus the header) to ``path``; returns its size in bytes."""
    rng = random.Random(seed)
    last_day = last_day or dt.date.today() - dt.timedelta(days=7)
    first = last_day - dt.timedelta(days=DAYS - 1)
    dates = [(first + dt.timedelta(days=d)).isoformat() for d in range(DAYS)]
    prices = _prices(rng, 5_000)
    discounts = ["0.0"] * 6 + ["-0.3", "-0.49", "-0.6", "-1.0", "-0.25", "-1.29", "-0.79"]
    coupons = ["0.0"] * 60 + ["-0.4", "-0.55", "-1.0"]
    products = [str(rng.randrange(25_000, 18_000_000)) for _ in range(92_000)]
    stores = [str(rng.randrange(1, 600)) for _ in range(580)]
    households = [str(h) for h in range(1, HOUSEHOLDS + 1)]
    basket = 26_984_851_472
    written = 0
    with path.open("w", encoding="ascii", newline="") as fh:
        fh.write(HEADER + "\r\n")
        block: list[str] = []
        while written < lines:
            # One basket: a household, a day (the file runs in day order), a store and a time.
            day = min(written * DAYS // lines, DAYS - 1)
            basket += rng.randrange(1, 60)
            head = f"{rng.choice(households)},{basket},{dates[day]},"
            tail = (
                f",{rng.choice(stores)},{{}},{rng.randrange(6, 23):02d}{rng.randrange(60):02d},"
                f"{day // 7 + 1},{{}},0.0"
            )
            for _ in range(min(max(1, int(rng.expovariate(1 / PER_BASKET))), lines - written)):
                qty = 1 if rng.random() < 0.85 else rng.randrange(2, 6)
                block.append(
                    head
                    + f"{rng.choice(products)},{qty},{rng.choice(prices)}"
                    + tail.format(rng.choice(discounts), rng.choice(coupons))
                )
                written += 1
            if len(block) >= BLOCK:
                fh.write("\r\n".join(block) + "\r\n")
                block = []
        if block:
            fh.write("\r\n".join(block) + "\r\n")
    return path.stat().st_size


def floor_import(db: Path, path: Path) -> int:
    """csv.reader + the households created + one executemany of every line, then the purchase
    figures in three UPDATEs; one transaction. Returns the lines stored."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
        conn.execute("BEGIN IMMEDIATE")
        ids: dict[str, int] = dict(conn.execute("SELECT external_id, id FROM customers"))

        def customer(ext: str) -> int:
            if ext not in ids:
                ids[ext] = conn.execute(
                    "INSERT INTO customers (external_id, company, contact_name, contact_title, phone, "
                    "email, value_lost, segment, owner, status, notes, search_text, created_at) "
                    "VALUES (?, ?, '', '', '', '', 0, '', '', 'lapsed', '', ?, ?)",
                    (ext, ext, ext, now),
                ).lastrowid
            return ids[ext]

        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)
            conn.executemany(
                "INSERT INTO orders (customer_id, order_ref, order_date, amount) VALUES (?, ?, ?, ?)",
                ((customer(r[0]), r[1], r[2], float(r[5])) for r in rows),
            )
        conn.execute(
            "UPDATE customers SET first_purchase = t.f, last_purchase = t.l, orders_count = t.n, "
            "total_revenue = t.s FROM (SELECT customer_id, min(order_date) AS f, max(order_date) AS l, "
            "count(DISTINCT order_ref) AS n, sum(amount) AS s FROM orders WHERE amount > 0 "
            "GROUP BY customer_id) AS t WHERE customers.id = t.customer_id"
        )
        conn.execute(
            "UPDATE customers SET yearly_revenue = (SELECT coalesce(sum(amount), 0) FROM orders o "
            "WHERE o.customer_id = customers.id AND o.order_date > date(customers.last_purchase, "
            "'-1 year')) WHERE last_purchase IS NOT NULL"
        )
        conn.execute("UPDATE customers SET value_lost = yearly_revenue")
        conn.execute("COMMIT")
        return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
    finally:
        conn.close()


# ------------------------------------------------------------------------------------ measure
@dataclass
class Run:
    seconds: float  # from just before the spawn to the child's exit
    peak_mib: float  # the child's peak resident memory (ru_maxrss from wait4)
    output: str


def spawn(args: list[str]) -> Run:
    """Run ``python ARGS`` in ROOT through bench/launch.py (so that the peak memory is the
    command's own, not this big process's); the clock runs from just before the spawn to the
    command's end."""
    paths = (str(ROOT), os.environ.get("PYTHONPATH"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    launcher = [sys.executable, str(ROOT / "bench" / "launch.py"), sys.executable, *args]
    with tempfile.TemporaryFile() as err:
        p = subprocess.run(launcher, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        ended = time.time()
        err.seek(0)
        problems = err.read().decode(errors="replace")
    *output, spawned, maxrss = p.stdout.splitlines()
    if p.returncode != 0 or not (spawned.startswith("spawned ") and maxrss.startswith("maxrss ")):
        raise RuntimeError(f"{args} exited {p.returncode}:\n{p.stdout[-3000:]}\n{problems[-3000:]}")
    seconds = ended - float(spawned.split()[1])
    return Run(seconds, int(maxrss.split()[1]) / 1024, "\n".join(output))  # ru_maxrss: KiB


def _fresh(folder: Path) -> Path:
    """A data dir with the app's schema and indexes; returns its database file."""
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths

    paths = Paths(folder, custom=True)
    open_app(paths).close()
    return paths.database


def measure_basket(root: Path, quick: bool, runs: int, log) -> list[Row]:
    """The basket file imported by the import job (``jobs/import_file``, as the import dialog
    runs it: open the database, import, re-rank), beside the floor in its own process."""
    path = root / "basket.csv"
    t0 = time.perf_counter()
    lines = QUICK_LINES if quick else LINES
    size = write_basket_file(path, lines)
    log(f"basket file: {lines:,} lines, {size / 1e6:.1f} MB, written in {time.perf_counter() - t0:.1f} s")
    app: list[Run] = []
    floor: list[Run] = []
    for i in range(runs):
        db = _fresh(root / f"basket-floor-{i}")
        floor.append(spawn(["-m", "bench.basket", str(db), str(path)]))
        stored = int(floor[-1].output.split()[-1])
        shutil.rmtree(db.parent, ignore_errors=True)

        db = _fresh(root / f"basket-app-{i}")
        job = [
            "-m",
            "winback_desktop.jobs.import_file",
            str(db.parent),
            "orders",
            str(path),
            json.dumps(MAPPING),
        ]
        app.append(spawn(job))
        result = json.loads(app[-1].output.splitlines()[-1])["result"]
        shutil.rmtree(db.parent, ignore_errors=True)
        log(
            f"basket run {i + 1}: app {app[-1].seconds:.1f} s, {app[-1].peak_mib:.0f} MiB; "
            f"floor {floor[-1].seconds:.1f} s, {floor[-1].peak_mib:.0f} MiB"
        )
        if result["added"] != stored:
            log(f"note: the app added {result['added']:,} lines, the floor {stored:,}")
    path.unlink()
    note = (
        f"{lines:,} lines of a dunnhumby-shaped basket file ({size / 1e6:.0f} MB; DAY as ISO dates); "
        "app: the import job in a fresh process (open, import, re-rank); floor: a fresh process doing "
        "csv.reader + executemany + the purchase figures in 3 UPDATEs"
    )
    return [
        row(
            "import_basket",
            statistics.median(r.seconds for r in app),
            "s",
            statistics.median(r.seconds for r in floor),
            Goal(ratio=3),
            note,
        ),
        row(
            "import_basket_memory",
            max(r.peak_mib for r in app),
            "MiB",
            max(r.peak_mib for r in floor),
            Goal(limit=1024),
            "peak RSS of the import job (the largest of the runs), beside the floor process's",
        ),
    ]


if __name__ == "__main__":  # python -m bench.basket DB FILE: the floor, as a child process
    print(floor_import(Path(sys.argv[1]), Path(sys.argv[2])))
