"""Roster benchmark: 100,000 customers (and their order lines), bulk-inserted into a temporary
data dir, then the roster's interactions timed as the median of several runs.

    python bench/roster_bench.py [--customers 100000] [--orders-per-customer 10] [--runs 7]

"search" is one keystroke of search-as-you-type: a page (200 rows) plus the count, through the
same services the UI calls; its floor is the same two queries through plain sqlite3.
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

from winback_desktop.paths import Paths  # noqa: E402
from winback_desktop.services import roster  # noqa: E402
from winback_desktop.services.context import AppContext, open_app  # noqa: E402
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


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, result


def floor_search(db: Path, text: str) -> float:
    """The same page + count through plain sqlite3."""
    words = text.casefold().split()
    where = " AND ".join(["search_text LIKE ? ESCAPE '\\'"] * len(words)) or "1"
    params = [f"%{w}%" for w in words]
    conn = sqlite3.connect(db)
    try:
        t0 = time.perf_counter()
        conn.execute(
            f"SELECT id, company, priority FROM customers WHERE {where} ORDER BY priority DESC, id DESC LIMIT 200",
            params,
        ).fetchall()
        conn.execute(f"SELECT count(*) FROM customers WHERE {where}", params).fetchone()
        return (time.perf_counter() - t0) * 1000
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--orders-per-customer", type=int, default=10)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="build in DIR (empty) and keep it")
    args = ap.parse_args(argv)
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        tmp = args.keep or tmp
        ctx = open_app(Paths(Path(tmp), custom=True))
        t0 = time.perf_counter()
        n_orders = build(ctx, args.customers, args.orders_per_customer)
        print(
            f"built {args.customers:,} customers, {n_orders:,} order lines in {time.perf_counter() - t0:.1f} s"
        )
        rows: list[tuple[str, float, str]] = []

        def once(name: str, fn) -> object:
            t = time.perf_counter()
            result = fn()
            rows.append((name, (time.perf_counter() - t) * 1000, f"{result}"))
            return result

        once("refresh_statuses (first)", lambda: roster.refresh_statuses(ctx))
        once("refresh_priorities (first: all rows)", lambda: roster.refresh_priorities(ctx))
        ms, changed = timed(lambda: roster.refresh_priorities(ctx), 3)
        rows.append(("refresh_priorities (again: nothing changed)", ms, f"{changed}"))
        ms, res = timed(lambda: roster.refresh_statuses(ctx), 3)
        rows.append(("refresh_statuses (again)", ms, f"{res}"))
        ms, res = timed(lambda: len(roster.lapsed(ctx)), runs)
        rows.append(("lapsed() today", ms, f"{res:,} rows"))
        past = dt.date.today() - dt.timedelta(days=365)
        ms, res = timed(lambda: len(roster.lapsed(ctx, as_of=past)), runs)
        rows.append(("lapsed() a year ago (orders consulted)", ms, f"{res:,} rows"))
        for period in ("month", "quarter"):
            ms, res = timed(lambda p=period: len(roster.volume_departed(ctx, p)), runs)
            rows.append((f"volume_departed by {period}", ms, f"{res} periods"))
        ms, res = timed(lambda: len(roster.call_list(ctx, 50)), runs)
        rows.append(("call_list(50)", ms, f"{res} rows"))
        ms, res = timed(lambda: (len(roster.segments(ctx)), len(roster.owners(ctx))), runs)
        rows.append(("segments() + owners()", ms, f"{res}"))
        ids = [1, args.customers // 2, args.customers]
        ms, _ = timed(lambda: [roster.decide(ctx, i, "pursue") for i in ids], 3)
        rows.append(("decide() x3", ms, ""))
        ms, _ = timed(
            lambda: roster.decide(ctx, ids[1], "let_go", "bench") or roster.decide(ctx, ids[1], "pursue"), 3
        )
        rows.append(("let go + take back (rescore vs all)", ms, ""))
        out = Path(tmp) / "roster.csv"
        ms, res = timed(lambda: roster.export_customers(ctx, out), 1)
        rows.append(("export_customers", ms, f"{res:,} rows"))

        print(f"\n{'operation':48} {'ms':>9}  result")
        for name, ms, res in rows:
            print(f"{name:48} {ms:9.1f}  {res}")

        print(f"\nsearch as you type: page (200 rows) + count, median of {runs} runs")
        print(f"{'query':28} {'page':>7} {'count':>7} {'total':>7} {'floor':>7} {'ratio':>6}  matches")
        db = ctx.paths.database
        for label, q in QUERIES:
            filters = {k: v for k, v in q.items() if k not in ("sort", "descending", "offset")}
            page_ms, _ = timed(lambda q=q: roster.roster_page(ctx, **q), runs)
            count_ms, n = timed(lambda f=filters: roster.roster_count(ctx, **f), runs)
            floor = (
                statistics.median(floor_search(db, q.get("text", "")) for _ in range(runs))
                if "text" in q
                else 0
            )
            total = page_ms + count_ms
            ratio = f"{total / floor:5.1f}x" if floor else "     -"
            print(f"{label:28} {page_ms:7.1f} {count_ms:7.1f} {total:7.1f} {floor:7.1f} {ratio}  {n:,}")
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
