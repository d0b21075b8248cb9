"""Roster benchmark: 100,000 customers (and their order lines), bulk-inserted into a temporary
data dir, then the roster's interactions timed as the median of several runs.

    python bench/roster_bench.py [--customers 100000] [--orders-per-customer 10] [--runs 7]

"search" is one keystroke of search as you type: ``roster_search`` (a page of 200 rows plus the
count, as the UI asks for them); its floor is the same page and count as two plain sqlite3
queries. Times are medians, wall clock and CPU (CPU stays honest when the machine is busy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths  # noqa: E402
from winback_desktop.services import roster
from winback_desktop.services.context import AppContext
from winback_desktop.store.models import Customer, Order, customer_search_text  # noqa: E402

FIRST = "Harbour Copper Nord Müller Café Großmann Åkesson Meridian Castle Willow Saffron Zest Oak".split()
FIRST += "Atlantic Pacific Riverside Sunrise Lakeshore Brennan Çelik Ørsted São Thornfield Bramble".split()
FIRST += "Golden Silver Green Red Blue North South East West Old New Royal Kings Queens Park".split()
SECOND = "Foods Bakery Hotel Kitchen Provisions Grocers Catering Farm Inn Deli Market Stores Dining".split()
SUFFIX = ["Ltd", "GmbH", "AB", "AS", "BV", "LLC", "Inc.", "& Sons", "Group", "Co.", ""]
GIVEN = "Grace Alan Amélie Jürgen Catherine Kenji Naomi Diego Tom Gareth Ingrid Lucia Mark Sofia".split()
FAMILY = "Osei Whitfield Rousseau Großmann Ashdown Watanabe Adeyemi Fernández Jenkins Evans Berg".split()
SEGMENTS = ["Wholesale", "Retail", "Hospitality", "Institutional", "Online", "Export"]
OWNERS = [f"{g} {f}" for g in GIVEN[:5] for f in FAMILY[:5]]

QUERIES = [
    ("first keystroke", {"text": "h"}),
    ("word prefix", {"text": "har"}),
    ("whole word", {"text": "harbour"}),
    ("two words", {"text": "harbour foods"}),
    ("accented", {"text": "müller"}),
    ("phone digits", {"text": "7946 03"}),
    ("external id", {"text": "C-01234"}),
    ("no match", {"text": "zzqx"}),
    ("status + text", {"text": "ca", "status": "lapsed"}),
    ("segment, by company", {"segment": "Retail", "sort": "company", "descending": False}),
    ("owner, by value", {"owner": OWNERS[3], "sort": "value"}),
    ("min priority", {"min_priority": 60}),
    ("page 50 (offset 10,000)", {"offset": 10_000}),
]


def build(ctx: AppContext, n: int, orders_per: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    today = dt.date.today()
    customers, orders = [], []
    for i in range(1, n + 1):
        company = " ".join(
            p for p in (rng.choice(FIRST), rng.choice(FIRST), rng.choice(SECOND), rng.choice(SUFFIX)) if p
        )
        contact = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        ext = f"C-{i:05d}"
        phone = f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        email = f"{contact.split()[0].lower()}@{company.split()[0].lower()}-{i}.example"
        last = today - dt.timedelta(days=int(rng.expovariate(1 / 400)))
        k = max(1, int(rng.expovariate(1 / orders_per))) if orders_per else rng.randint(0, 60)
        first = last - dt.timedelta(days=rng.randint(0, 2000)) if k > 1 else last
        total = Decimal(0)
        yearly = Decimal(0)
        for j in range(k if orders_per else 0):
            day = last if j == 0 else first + dt.timedelta(days=rng.randint(0, (last - first).days))
            amount = Decimal(rng.randint(100, 500_000)) / 100
            total += amount
            if day > last - dt.timedelta(days=365):
                yearly += amount
            orders.append({"customer_id": i, "order_date": day, "amount": amount, "order_ref": f"O{i}-{j}"})
        if not orders_per:
            total = Decimal(rng.randint(100, 5_000_000)) / 100
            yearly = total / 3
        customers.append(
            {
                "id": i,
                "external_id": ext,
                "company": company,
                "contact_name": contact,
                "contact_title": "",
                "phone": phone,
                "email": email,
                "value_lost": yearly,
                "last_purchase": last,
                "first_purchase": first,
                "orders_count": k,
                "total_revenue": total,
                "yearly_revenue": yearly,
                "status": "active",
                "segment": rng.choice(SEGMENTS),
                "owner": rng.choice(OWNERS),
                "notes": "",
                "search_text": customer_search_text(company, contact, ext, phone, email),
                "created_at": dt.datetime(2024, 1, 1),
            }
        )
    with ctx.engine.begin() as conn:
        conn.execute(Customer.__table__.insert(), customers)
        for i in range(0, len(orders), 100_000):
            conn.execute(Order.__table__.insert(), orders[i : i + 100_000])
    return len(orders)


def timed(fn, runs: int) -> tuple[float, float, object]:
    """(median wall ms, median CPU ms, last result): CPU time stays honest on a busy machine."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, result


def floor_search(db: Path, q: dict) -> object:
    """The same page + count the most direct way: two plain sqlite3 queries."""
    words = q.get("text", "").casefold().split()
    where = ["search_text LIKE ? ESCAPE '\\'"] * len(words)
    params: list[object] = [f"%{w}%" for w in words]
    for column in ("status", "segment", "owner"):
        if column in q:
            where.append(f"{column} = ?")
            params.append(q[column])
    if "min_priority" in q:
        where.append("priority >= ?")
        params.append(q["min_priority"])
    sql_where = " AND ".join(where) or "1"
    order = {
        "company": "company",
        "value": "CASE WHEN yearly_revenue > 0 THEN yearly_revenue ELSE value_lost END",
    }
    key = order.get(q.get("sort", ""), "priority")
    direction = "DESC" if q.get("descending", True) else "ASC"
    conn = sqlite3.connect(db)

    def run():
        conn.execute(
            f"SELECT * FROM customers WHERE {sql_where} ORDER BY {key} {direction}, id {direction} "
            f"LIMIT 200 OFFSET {q.get('offset', 0)}",
            params,
        ).fetchall()
        return conn.execute(f"SELECT count(*) FROM customers WHERE {sql_where}", params).fetchone()[0]

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--orders-per-customer", type=int, default=10)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="build in DIR (empty, or built before) and keep it")
    args = ap.parse_args(argv)
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        ctx = open_app(Paths(folder, custom=True))
        t0 = time.perf_counter()
        if roster.roster_count(ctx, cap=1) == 0:
            n_orders = build(ctx, args.customers, args.orders_per_customer)
            took = time.perf_counter() - t0
            print(f"built {args.customers:,} customers and {n_orders:,} order lines in {took:.1f} s")
        rows: list[tuple[str, float, float, str]] = []

        def measure(name: str, fn, n: int = runs, show=str) -> None:
            wall, cpu, result = timed(fn, n)
            rows.append((name, wall, cpu, show(result)))

        measure("refresh() first: statuses, priorities, ANALYZE", lambda: roster.refresh(ctx), 1)
        measure("refresh_priorities(), nothing changed", lambda: roster.refresh_priorities(ctx), 3)
        measure("refresh_statuses(), nothing changed", lambda: roster.refresh_statuses(ctx), 3)
        measure("refresh() again", lambda: roster.refresh(ctx), 3)
        measure("lapsed() as of today", lambda: len(roster.lapsed(ctx)), show="{:,} rows".format)
        past = dt.date.today() - dt.timedelta(days=365)
        measure("lapsed() a year ago (orders consulted)", lambda: len(roster.lapsed(ctx, as_of=past)),
                show="{:,} rows".format)  # fmt: skip
        for period in ("month", "quarter"):
            measure(f"volume_departed() by {period}", lambda p=period: len(roster.volume_departed(ctx, p)),
                    show="{} periods".format)  # fmt: skip
        measure("call_list(50)", lambda: len(roster.call_list(ctx, 50)), show="{} rows".format)
        measure("segments() + owners()", lambda: (len(roster.segments(ctx)), len(roster.owners(ctx))))
        mid = args.customers // 2
        measure("decide(pursue)", lambda: roster.decide(ctx, mid, "pursue"), show=lambda _: "")
        measure("decide(let_go) + decide(pursue): rescored",
                lambda: roster.decide(ctx, mid, "let_go", "bench") or roster.decide(ctx, mid, "pursue"), 3,
                show=lambda _: "")  # fmt: skip
        out = folder / "roster.csv"
        measure("export_customers()", lambda: roster.export_customers(ctx, out), 1, show="{:,} rows".format)

        print(f"\n{'operation':52} {'wall ms':>8} {'cpu ms':>8}  result")
        for name, wall, cpu, res in rows:
            print(f"{name:52} {wall:8.1f} {cpu:8.1f}  {res}")

        print(f"\nsearch as you type: roster_search() = page (200 rows) + count, median of {runs} runs;")
        print("floor: the same page and count as two plain sqlite3 queries")
        print(f"{'query':26} {'wall ms':>8} {'cpu ms':>8} {'floor':>8} {'ratio':>6}  matches")
        db = ctx.paths.database
        for label, q in QUERIES:
            wall, cpu, result = timed(lambda q=q: roster.roster_search(ctx, **q), runs)
            floor_wall, _, _ = timed(floor_search(db, q), runs)
            shown = f"{result.total:,}{'+' if result.capped else ''}"
            print(f"{label:26} {wall:8.1f} {cpu:8.1f} {floor_wall:8.1f} {wall / floor_wall:5.2f}x  {shown}")
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
