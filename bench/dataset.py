"""The benchmark's data: customers, order lines and calls, as CSV files and as a database.

Everything is generated from a fixed seed, relative to today (so the lapse rule sees realistic
lapses), into a temporary data dir. The database is filled with bulk Core inserts and the
driver's ``executemany`` — never ORM objects and never the import service (that one is measured
on its own fresh database) — then ``roster.refresh`` runs once so priorities exist.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from bench import pg
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths
from winback_desktop.services import roster
from winback_desktop.services.context import AppContext
from winback_desktop.store.models import (
    ActionItem,
    Call,
    CallOffer,
    CallReason,
    Customer,
    DepartureReason,
    HelpOption,
    Person,
    StageAnswer,
    customer_search_text,
)
from winback_desktop.store.server import redact

SEED = 20250630
FIRST = "Harbour Copper Nord Müller Café Großmann Åkesson Meridian Castle Willow Saffron Zest Oak".split()
FIRST += "Atlantic Pacific Riverside Sunrise Lakeshore Brennan Çelik Ørsted São Thornfield Bramble".split()
FIRST += "Golden Silver Green Red Blue North South East West Old New Royal Kings Queens Park".split()
SECOND = "Foods Bakery Hotel Kitchen Provisions Grocers Catering Farm Inn Deli Market Stores Dining".split()
SUFFIX = ["Ltd", "GmbH", "AB", "AS", "BV", "LLC", "Inc.", "& Sons", "Group", "Co.", ""]
GIVEN = "Grace Alan Amélie Jürgen Catherine Kenji Naomi Diego Tom Gareth Ingrid Lucia Mark Sofia".split()
FAMILY = "Osei Whitfield Rousseau Großmann Ashdown Watanabe Adeyemi Fernández Jenkins Evans Berg".split()
TITLES = ["Purchasing Manager", "Owner", "Head Chef", "Operations Director", "Buyer", "Office Manager", ""]
SEGMENTS = ["Wholesale", "Retail", "Hospitality", "Institutional", "Online", "Export"]
OWNERS = [f"{g} {f}" for g in GIVEN[:5] for f in FAMILY[:5]]
PEOPLE = [
    ("Eleanor Hartley", "executive", "Chief Operating Officer"),
    ("Rafael Mendonça", "executive", "Chief Commercial Officer"),
    ("Mei Chen", "executive", "Managing Director"),
    ("Priya Raman", "caller", "Senior Recovery Caller"),
    ("Tomás Quintero", "caller", "Recovery Caller"),
    ("Aoife Brennan", "caller", "Recovery Caller"),
    ("Jonas Weber", "caller", "Recovery Caller"),
    ("Daniel Okonkwo", "partner", "Executive Assistant to the COO"),
    ("Sofie Lindqvist", "partner", "Account Manager"),
    ("Kwame Mensah", "partner", "Customer Service Lead"),
    ("Lena Fischer", "partner", "Logistics Coordinator"),
]

# Sentences that notes are made of: a caller types what the customer says, in their words.
SAID = [
    "The last three deliveries came a day late and nobody called to tell us.",
    "We had a kitchen full of staff waiting for a pallet that never turned up on the Friday.",
    "Your driver left the chilled goods on the loading bay in the sun for two hours.",
    "When I rang about the invoice I was passed between four people and nobody owned it.",
    "Honestly the price went up twice in six months without a word of warning.",
    "A competitor offered us next-day delivery and a named contact, so we moved.",
    "The quality of the flour changed and our bread stopped rising the way it used to.",
    "Our account manager left and after that nobody seemed to know who we were.",
    "We were charged for cases we never received and it took eight weeks to get a credit.",
    "It wasn't one thing, it was lots of small things that added up over the year.",
    "We asked for the organic range and were told it had been discontinued, full stop.",
    "The person on the phone was rude to my assistant, and that was the last straw.",
    "We merged with another site and their supplier came with the deal.",
    "I would come back if I knew the deliveries were reliable and someone answered the phone.",
    "Send me something in writing about what has changed and I will look at it with my team.",
]
OWN = [
    "Owned it: said it should not have happened and that it was our responsibility.",
    "They confirmed the read-back and added that the driver was not the problem, dispatch was.",
    "Clarified: the trouble started in March, after the change of depot.",
    "They were calmer by the end and said they appreciated the call.",
]
FAULT = [
    "Dispatch at the north depot",
    "Credit control",
    "Customer service line",
    "Pricing team",
    "Our account team",
]
TAKES = [
    "A named contact who answers within the day, and a written delivery guarantee for three months.",
    "Matching the competitor on the core lines for a quarter, then a review together.",
    "Proof that the depot problem is fixed: on-time figures for the last two months.",
    "A trial order on approval so the head chef can check the quality herself.",
]
ACTIONS = [
    "Send the on-time delivery figures for the last two months with a short covering note",
    "Arrange a visit from the depot manager to walk through the new dispatch process",
    "Issue the credit for the disputed cases and confirm it in writing",
    "Set up a named account contact and introduce them by email",
    "Send the organic range price list and samples of the two closest lines",
    "Book a service review with the account team in three weeks",
]
OUTCOMES = ["won_back", "open_door", "open_door", "not_now", "not_now", "never_again"]
ANSWERS = ["never_again", "can_do", "can_do", "cannot_provide"]
HELP = ["yes", "yes", "not_yet", "no"]


@dataclass(frozen=True)
class Sizes:
    customers: int
    orders: int
    calls: int

    @classmethod
    def full(cls) -> Sizes:
        return cls(100_000, 1_000_000, 20_000)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(10_000, 100_000, 2_000)


@dataclass
class Dataset:
    root: Path  # the temporary folder holding everything
    paths: Paths  # the app's data dir, database filled
    customers_csv: Path
    orders_csv: Path
    sizes: Sizes
    history_call: int  # an open call with a customer who has earlier calls and open promises
    sheet_calls: list[int]  # completed calls with notes, reasons, offers and actions
    search_terms: list[str]  # words that appear in the data, to type letter by letter


def _text(rng: random.Random, bank: list[str], lo: int, hi: int) -> str:
    return " ".join(rng.choice(bank) for _ in range(rng.randint(lo, hi)))


def _customers(rng: random.Random, n: int, orders: int, today: dt.date):
    """Customer rows (as dicts for Core) and their order lines (tuples), consistent figures."""
    avg = orders / n
    counts = [max(1, int(rng.expovariate(1 / avg) + 0.5)) for _ in range(n)]
    diff = orders - sum(counts)
    while diff:  # make the total exact
        i = rng.randrange(n)
        if diff > 0:
            counts[i] += 1
            diff -= 1
        elif counts[i] > 1:
            counts[i] -= 1
            diff += 1
    iso: dict[int, str] = {}
    lines: list[tuple] = []  # (customer_id, external_id, iso date, amount, order_ref)
    customers = []
    ref = 0
    for cid in range(1, n + 1):
        company = " ".join(
            p for p in (rng.choice(FIRST), rng.choice(FIRST), rng.choice(SECOND), rng.choice(SUFFIX)) if p
        )
        contact = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        ext = f"C-{cid:06d}"
        phone = f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        email = f"{contact.split()[0].lower()}@{company.split()[0].lower()}-{cid}.example"
        last_ago = min(int(rng.expovariate(1 / 330)), 2400)
        span = rng.randint(0, 1500)
        k = counts[cid - 1]
        days = sorted((last_ago + rng.randint(0, span) for _ in range(k - 1)), reverse=True) + [last_ago]
        total = 0
        yearly = 0
        j = 0
        while j < k:  # orders of one to three lines, each line its own amount
            ref += 1
            size = min(rng.choice((1, 1, 1, 2, 3)), k - j)
            ago = days[j]
            day = iso.get(ago)
            if day is None:
                day = iso[ago] = (today - dt.timedelta(days=ago)).isoformat()
            for _ in range(size):
                cents = int(rng.random() * 250_000) + 500
                total += cents
                if ago < last_ago + 365:
                    yearly += cents
                lines.append((cid, ext, day, cents, f"SO{ref:08d}"))
                j += 1
        last = today - dt.timedelta(days=last_ago)
        customers.append(
            {
                "id": cid,
                "external_id": ext,
                "company": company,
                "contact_name": contact,
                "contact_title": rng.choice(TITLES),
                "phone": phone,
                "email": email,
                "value_lost": Decimal(yearly) / 100,
                "last_purchase": last,
                "first_purchase": today - dt.timedelta(days=days[0]),
                "orders_count": len({x[4] for x in lines[-k:]}),
                "total_revenue": Decimal(total) / 100,
                "yearly_revenue": Decimal(yearly) / 100,
                "status": "active" if last_ago < 180 else "lapsed",
                "segment": rng.choice(SEGMENTS),
                "owner": rng.choice(OWNERS),
                "notes": _text(rng, SAID, 1, 3) if rng.random() < 0.3 else "",
                "search_text": customer_search_text(company, contact, ext, phone, email),
                "created_at": dt.datetime(2024, 1, 1),
            }
        )
    return customers, lines


def _write_csvs(folder: Path, customers: list[dict], lines: list[tuple]) -> tuple[Path, Path]:
    cust = folder / "customers.csv"
    with cust.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["Customer ID", "Company", "Contact", "Job title", "Phone", "Email", "Revenue", "Last purchase"]
            + ["Segment", "Account owner"]
        )
        w.writerows(
            (
                c["external_id"],
                c["company"],
                c["contact_name"],
                c["contact_title"],
                c["phone"],
                c["email"],
                f"{c['yearly_revenue']:.2f}",
                c["last_purchase"].isoformat(),
                c["segment"],
                c["owner"],
            )
            for c in customers
        )
    ords = folder / "orders.csv"
    with ords.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Customer ID", "Order date", "Amount", "Order ID"])
        w.writerows(
            (ext, day, f"{cents // 100}.{cents % 100:02d}", ref) for _cid, ext, day, cents, ref in lines
        )
    return cust, ords


def _insert_orders(conn, lines: list[tuple]) -> None:
    """Order lines through the driver: the same values SQLAlchemy stores (ISO dates, floats);
    on PostgreSQL with COPY (a million lines by ``executemany`` take minutes there)."""
    rows = ((cid, ref, day, cents / 100) for cid, _ext, day, cents, ref in lines)
    if conn.dialect.name == "postgresql":
        pg.copy_rows(conn, "orders", ("customer_id", "order_ref", "order_date", "amount"), rows)
        return
    conn.exec_driver_sql(
        "INSERT INTO orders (customer_id, order_ref, order_date, amount) VALUES (?, ?, ?, ?)", list(rows)
    )


def _calls(ctx: AppContext, rng: random.Random, customers: list[dict], n: int, now: dt.datetime) -> dict:
    """Calls with notes, reasons, offers and action items, inserted in bulk; returns picks."""
    with ctx.engine.begin() as conn:
        conn.execute(Person.__table__.insert(), [{"name": a, "role": b, "title": c} for a, b, c in PEOPLE])
        people = conn.execute(select(Person.id, Person.role)).all()
        reasons = list(conn.scalars(select(DepartureReason.id)))
        options = list(conn.scalars(select(HelpOption.id)))
    callers = [p for p, role in people if role in ("executive", "caller")]
    partners = [p for p, role in people if role == "partner"]
    departed = [c["id"] for c in customers if c["status"] == "lapsed"]
    # About 60% of the called customers get one call, the rest two to four: history.
    called: list[int] = []
    while len(called) < n:
        cid = rng.choice(departed)
        called.extend([cid] * min(rng.choice((1, 1, 1, 2, 3, 4)), n - len(called)))
    snapshot, script = ctx.script.text, ctx.script
    fields = [(st.key, f.key) for st in script.stages for f in st.fields if f.kind in ("text", "line")]
    call_rows, answers, call_reasons, offers, actions = [], [], [], [], []
    in_progress: set[int] = set()
    for call_id, cid in enumerate(called, start=1):
        started = now - dt.timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 600))
        kind = rng.random()
        status = "completed" if kind < 0.9 else ("scheduled" if kind < 0.98 else "in_progress")
        if status == "in_progress" and cid in in_progress:  # one open call per customer (0008)
            status = "completed"
        if status == "in_progress":
            in_progress.add(cid)
        row = {
            "id": call_id,
            "customer_id": cid,
            "caller_id": rng.choice(callers),
            "partner_id": rng.choice(partners),
            "scheduled_at": started - dt.timedelta(days=rng.randint(1, 10)),
            "started_at": None,
            "ended_at": None,
            "status": status,
            "current_stage": "initiate",
            "outcome": "",
            "customer_answer": "",
            "accepts_help": "",
            "keep_in_touch": None,
            "next_contact": None,
            "script_name": script.name,
            "script_version": script.version,
            "script_snapshot": "",
            "duration_minutes": 30,
            "cycle_id": None,
            "updated_at": started,
        }
        call_rows.append(row)
        if status == "scheduled":
            row["started_at"] = None
            row["scheduled_at"] = now + dt.timedelta(days=rng.randint(1, 30))
            continue
        row["started_at"], row["script_snapshot"] = started, snapshot
        if status == "completed":
            ended = started + dt.timedelta(minutes=rng.randint(8, 45))
            row.update(
                ended_at=ended,
                current_stage="close",
                outcome=rng.choice(OUTCOMES),
                customer_answer=rng.choice(ANSWERS),
                accepts_help=rng.choice(HELP),
                keep_in_touch=rng.random() < 0.7,
                next_contact=(ended + dt.timedelta(days=rng.randint(14, 90))).date(),
                updated_at=ended,
            )
        else:
            row["current_stage"] = "probe"
        for stage, key in fields:
            if key == "fault":
                value = rng.choice(FAULT)
            elif key == "what_it_takes":
                value = _text(rng, TAKES, 1, 2)
            elif key == "heard_back":
                value = _text(rng, SAID, 2, 4) + "\n\n" + _text(rng, OWN, 1, 2)
            else:
                value = _text(rng, SAID, 2, 6)
            answers.append(
                {"call_id": call_id, "stage": stage, "field": key, "value": value, "updated_at": started}
            )
        picked = rng.sample(reasons, rng.randint(1, 3))
        call_reasons += [
            {"call_id": call_id, "reason_id": r, "is_primary": i == 0} for i, r in enumerate(picked)
        ]
        offers += [{"call_id": call_id, "help_option_id": o, "text": ""} for o in rng.sample(options, 2)]
        if rng.random() < 0.3:
            offers.append({"call_id": call_id, "help_option_id": None, "text": rng.choice(TAKES)})
        for _ in range(rng.randint(1, 3)):
            done = status == "completed" and rng.random() < 0.5
            actions.append(
                {
                    "call_id": call_id,
                    "customer_id": cid,
                    "what": rng.choice(ACTIONS),
                    "owner_id": row["partner_id"],
                    "due_date": (started + dt.timedelta(days=rng.randint(3, 30))).date(),
                    "status": "done" if done else "open",
                    "done_note": "Done as agreed; customer thanked us." if done else "",
                    "created_at": started,
                    "done_at": started + dt.timedelta(days=5) if done else None,
                }
            )
    with ctx.engine.begin() as conn:
        for table, rows in (
            (Call.__table__, call_rows),
            (StageAnswer.__table__, answers),
            (CallReason.__table__, call_reasons),
            (CallOffer.__table__, offers),
            (ActionItem.__table__, actions),
        ):
            for i in range(0, len(rows), 20_000):
                conn.execute(table.insert(), rows[i : i + 20_000])
    # An open call with a customer who has history (earlier calls, promises still open).
    calls_of: dict[int, int] = {}
    for cid in called:
        calls_of[cid] = calls_of.get(cid, 0) + 1
    open_calls = [
        r["id"] for r in call_rows if r["status"] == "in_progress" and calls_of[r["customer_id"]] > 1
    ]
    completed = [r["id"] for r in call_rows if r["status"] == "completed"]
    return {"history_call": open_calls[0] if open_calls else completed[0], "completed": completed}


def build(root: Path, sizes: Sizes, seed: int = SEED, log=print, database_url: str | None = None) -> Dataset:
    """Generate the CSV files and the filled database under ``root`` (an empty folder), or in
    the EMPTY PostgreSQL database ``database_url`` (migrated and filled with the same data; it is
    left filled: drop it afterwards)."""
    import time

    rng = random.Random(seed)
    today = dt.date.today()
    t0 = time.perf_counter()
    customers, lines = _customers(rng, sizes.customers, sizes.orders, today)
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    cust_csv, orders_csv = _write_csvs(files, customers, lines)
    t1 = time.perf_counter()
    paths = Paths(root / "data", custom=True, database_url=database_url)
    if database_url is not None:
        pg.refuse_filled(database_url)
    ctx = open_app(paths)
    try:
        with ctx.engine.begin() as conn:
            for i in range(0, len(customers), 20_000):
                conn.execute(Customer.__table__.insert(), customers[i : i + 20_000])
            _insert_orders(conn, lines)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        picks = _calls(ctx, rng, customers, sizes.calls, now)
        if database_url is not None:
            pg.advance_sequences(ctx.engine)  # the rows came with their ids
        t2 = time.perf_counter()
        roster.refresh(ctx)
        t3 = time.perf_counter()
        if database_url is None:
            with ctx.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # as after a restart
            size = paths.database.stat().st_size
        else:
            size = pg.settle(ctx.engine)  # VACUUM ANALYZE, as autovacuum leaves a table
    finally:
        ctx.close()
    where = "database" if database_url is None else f"PostgreSQL database {redact(database_url)}"
    log(
        f"dataset: {sizes.customers:,} customers, {sizes.orders:,} order lines, {sizes.calls:,} calls; "
        f"generated {t1 - t0:.1f} s, inserted {t2 - t1:.1f} s, roster.refresh {t3 - t2:.1f} s; "
        f"{where} {size / 2**20:.0f} MiB"
    )
    sheet_calls = picks["completed"]
    return Dataset(
        root=root,
        paths=paths,
        customers_csv=cust_csv,
        orders_csv=orders_csv,
        sizes=sizes,
        history_call=picks["history_call"],
        sheet_calls=sheet_calls,
        search_terms=["harbour foods", "grace", "c-04217"],
    )
