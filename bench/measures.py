"""The measures: each times the app doing one thing, beside its floor measured in the same run."""

from __future__ import annotations

import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench import floors
from bench.dataset import Dataset
from bench.report import Goal, Row, median_time, row

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024  # ru_maxrss is in KiB on Linux


@dataclass(frozen=True)
class Repeats:
    start: int
    fast: int  # search, open, lapsed, sheet, insight
    autosave: int
    keystroke: int
    imports: int
    rank: int
    batch: int  # action sheets in the batch

    @classmethod
    def full(cls) -> Repeats:
        return cls(start=5, fast=5, autosave=20, keystroke=3, imports=3, rank=3, batch=500)

    @classmethod
    def quick(cls) -> Repeats:
        return cls(start=2, fast=3, autosave=5, keystroke=1, imports=1, rank=1, batch=50)


def ms(seconds: float) -> float:
    return seconds * 1000


def floor_connect(ds: Dataset):
    """The floors' plain connection: sqlite3 on the file, or psycopg on the team database."""
    if ds.paths.database_url is not None:
        from bench import pg

        return pg.connect(ds.paths.database_url)
    return floors.connect(ds.paths.database)


# ------------------------------------------------------------------------------------ search
def keystrokes(terms: list[str]) -> list[str]:
    """Each term typed letter by letter (a trailing space runs the same query: skipped)."""
    out = []
    for term in terms:
        out += [term[:i] for i in range(1, len(term) + 1) if not term[:i].endswith(" ")]
    return out


def measure_search(ctx, ds: Dataset, reps: Repeats, log) -> list[Row]:
    """One keystroke as the roster panel handles it once its search delay fires: the panel's
    refresh (whatever page and count queries it makes, and the model reset)."""
    from winback_desktop.ui.roster.panel import RosterPanel

    qapp()
    panel = RosterPanel(ctx)
    conn = floor_connect(ds)
    # SQLite: the faster of its index walk and a table scan; PostgreSQL's planner picks itself.
    scans = (False, True) if ds.paths.database_url is None else (False,)
    per_key = []
    try:
        for q in keystrokes(ds.search_terms):
            panel.search.blockSignals(True)  # no search-delay timer: refresh is timed directly
            panel.search.setText(q)
            panel.search.blockSignals(False)
            panel.refresh()
            app_s = median_time(panel.refresh, reps.fast)
            count_s = median_time(lambda q=q: floors.search_count(conn, q), reps.fast)
            page_s = min(
                median_time(lambda q=q, scan=scan: floors.search_page(conn, q, scan=scan), reps.fast)
                for scan in scans
            )
            per_key.append((q, ms(app_s), ms(count_s + page_s), panel.model.total))
    finally:
        conn.close()
        panel.deleteLater()
    worst = max(per_key, key=lambda x: x[1])
    log(
        "search per keystroke (ms app/floor, matches): "
        + ", ".join(f"{q!r} {a:.0f}/{f:.0f} {n:,}" for q, a, f, n in per_key)
    )
    med_app = statistics.median(a for _q, a, _f, _n in per_key)
    med_floor = statistics.median(f for _q, _a, f, _n in per_key)
    goal = Goal(limit=50, ratio=3)
    floor_note = (
        "floor: plain COUNT + the faster of index walk / table scan for the page"
        if ds.paths.database_url is None
        else "floor: plain COUNT + the plain page query (psycopg, the planner's plan)"
    )
    return [
        row("search", med_app, "ms", med_floor, goal, f"median of {len(per_key)} keystrokes; {floor_note}"),
        row(
            "search_worst",
            worst[1],
            "ms",
            worst[2],
            goal,
            f"slowest keystroke: {worst[0]!r}, {worst[3]:,} matches",
        ),
    ]


# -------------------------------------------------------------------------------- open, autosave
def qapp():
    from winback_desktop.app import create_app

    return create_app()


def measure_open(ctx, ds: Dataset, reps: Repeats, log) -> list[Row]:
    from winback_desktop.services.calls import lifecycle as calls
    from winback_desktop.ui.call.window import CallWindow

    app = qapp()
    call_id = ds.history_call
    card = calls.detail(ctx, call_id).customer
    fields = [f for st in ctx.script.stages for f in st.fields]
    text_keys = {f.key for f in fields if f.kind == "text"}

    def close(w) -> None:
        w.close()
        w.deleteLater()
        app.processEvents()

    def app_once() -> float:
        t0 = time.perf_counter()
        w = CallWindow(ctx, call_id)
        w.show()
        app.processEvents()
        w.repaint()
        took = time.perf_counter() - t0
        close(w)
        return took

    conn = floor_connect(ds)
    style = app.styleSheet()
    app.setStyleSheet("")  # the floor is a bare widget

    def floor_once() -> float:
        t0 = time.perf_counter()
        w = floors.open_form(conn, call_id, len(fields), text_keys)
        took = time.perf_counter() - t0
        close(w)
        return took

    try:
        floor_once()
        floor_s = statistics.median(floor_once() for _ in range(reps.fast))
    finally:
        app.setStyleSheet(style)
        conn.close()
    first = app_once()
    app_s = statistics.median(app_once() for _ in range(reps.fast))
    log(f"open: first call window {ms(first):.0f} ms (imports, fonts, style)")
    note = (
        f"call {call_id}: {len(card.earlier_calls)} earlier calls, {len(card.open_promises)} open promises; "
        f"floor: a QWidget form of {len(fields)} fields from one query"
    )
    return [row("open", ms(app_s), "ms", ms(floor_s), Goal(limit=150), note)]


def measure_autosave(ctx, ds: Dataset, reps: Repeats, log) -> list[Row]:
    from PySide6.QtCore import QEventLoop, QTimer

    from winback_desktop.services.calls import lifecycle as calls
    from winback_desktop.ui.call.autosave import DELAY_MS, Autosaver

    app = qapp()
    call_id, stage, key = ds.history_call, "probe", "their_story"
    base = "They told us the deliveries kept arriving late and nobody called. "
    n = [0]

    def save() -> None:
        n[0] += 1
        calls.save_field(ctx, call_id, stage, key, base + "x" * n[0])

    conn = floor_connect(ds)
    try:
        save()
        floors.save_note(conn, call_id, stage, key, base)
        floor_s = median_time(
            lambda: floors.save_note(conn, call_id, stage, key, base + str(n[0])), reps.autosave
        )
    finally:
        conn.close()
    app_s = median_time(save, reps.autosave)

    # Keystroke to disk: the real Autosaver (its throttle on a QTimer), the recovery journal,
    # then the commit by the notes writer's thread.
    from winback_desktop.services.calls.journal import field_save
    from winback_desktop.services.calls.writer import notes_writer

    saver = Autosaver(notes_writer(ctx), call_id)
    loop = QEventLoop()
    saver.saved.connect(lambda _t: loop.quit())
    saver.failed.connect(lambda _m: loop.quit())
    times = []
    for _ in range(reps.keystroke):
        guard = QTimer(singleShot=True, interval=10_000)
        guard.timeout.connect(loop.quit)
        t0 = time.perf_counter()
        n[0] += 1
        saver.schedule(key, lambda: field_save(call_id, stage, key, base + "x" * n[0]))
        guard.start()
        loop.exec()
        times.append(time.perf_counter() - t0)
        guard.stop()
    app.processEvents()
    to_disk = statistics.median(times)
    how = "(WAL, FULL)" if ds.paths.database_url is None else "(on the server)"
    return [
        row(
            "autosave",
            ms(app_s),
            "ms",
            ms(floor_s),
            Goal(limit=5),
            f"one calls.save_field commit {how}",
        ),
        row(
            "keystroke_to_disk",
            to_disk,
            "s",
            DELAY_MS / 1000 + floor_s,
            Goal(limit=1),
            f"Autosaver throttle ({DELAY_MS} ms) + journal + commit; floor: throttle + plain commit",
        ),
    ]


# ------------------------------------------------------------------------------------ import
def measure_import(ds: Dataset, reps: Repeats, log) -> list[Row]:
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.services.imports import importer as imports

    work = ds.root / "imports"
    app_c, app_o, floor_c, floor_o = [], [], [], []
    for i in range(reps.imports):
        d = work / f"floor-{i}"
        paths = Paths(d, custom=True)
        open_app(paths).close()  # the app's schema and indexes
        t0 = time.perf_counter()
        nc = floors.import_customers(paths.database, ds.customers_csv)
        t1 = time.perf_counter()
        no = floors.import_orders(paths.database, ds.orders_csv)
        t2 = time.perf_counter()
        floor_c.append(t1 - t0)
        floor_o.append(t2 - t1)
        shutil.rmtree(d, ignore_errors=True)

        d = work / f"app-{i}"
        ctx = open_app(Paths(d, custom=True))
        try:
            t0 = time.perf_counter()
            rc = imports.import_customers(ctx, ds.customers_csv)
            t1 = time.perf_counter()
            ro = imports.import_orders(ctx, ds.orders_csv)
            t2 = time.perf_counter()
        finally:
            ctx.close()
        app_c.append(t1 - t0)
        app_o.append(t2 - t1)
        shutil.rmtree(d, ignore_errors=True)
        log(
            f"import run {i + 1}: customers {app_c[-1]:.2f} s (floor {floor_c[-1]:.2f}), "
            f"orders {app_o[-1]:.2f} s (floor {floor_o[-1]:.2f})"
        )
        if (rc.added, ro.added) != (nc, no):
            log(f"note: the app added {rc.added:,} customers / {ro.added:,} lines, the floor {nc:,} / {no:,}")
    return [
        row(
            "import_customers",
            statistics.median(app_c),
            "s",
            statistics.median(floor_c),
            Goal(ratio=3),
            f"{ds.sizes.customers:,} rows; floor: csv.reader + executemany",
        ),
        row(
            "import_orders",
            statistics.median(app_o),
            "s",
            statistics.median(floor_o),
            Goal(ratio=3),
            f"{ds.sizes.orders:,} lines; floor: csv.reader + executemany + purchase figures in 3 UPDATEs",
        ),
    ]


# --------------------------------------------------------------------------------- lapsed, rank
def measure_lapsed(ctx, ds: Dataset, reps: Repeats, log) -> list[Row]:
    from winback_desktop.services import roster

    r = roster.rule(ctx)
    conn = floor_connect(ds)
    try:
        n = len(roster.lapsed(ctx))
        nf = floors.lapsed(conn, r.as_of, r.cutoff)
        app_s = median_time(lambda: roster.lapsed(ctx), reps.fast)
        floor_s = median_time(lambda: floors.lapsed(conn, r.as_of, r.cutoff), reps.fast)

        def reset() -> None:
            conn.execute("UPDATE customers SET priority = 0, priority_reason = ''")

        rank_s = median_time(lambda: roster.refresh_priorities(ctx), reps.rank, before=reset)
        ranked = conn.execute("SELECT priority, priority_reason, id FROM customers").fetchall()
        rank_floor = median_time(lambda: floors.rank(conn, ranked), reps.rank, before=reset)
        roster.refresh_priorities(ctx)  # leave the stored ranking as the app makes it
    finally:
        conn.close()
    if n != nf:
        log(f"lapsed: the app lists {n:,} customers, the floor query {nf:,}")
    return [
        row("lapsed", app_s, "s", floor_s, Goal(limit=1), f"{n:,} lapsed customers, by stored priority"),
        row(
            "refresh_priorities",
            rank_s,
            "s",
            rank_floor,
            Goal(),
            f"re-rank all {ds.sizes.customers:,} (every row changed); floor: read facts + write every row",
        ),
    ]


# ------------------------------------------------------------------------------------- sheet
def measure_sheet(ctx, ds: Dataset, reps: Repeats, log) -> list[Row]:
    from winback_desktop.reports.action_sheet import build_action_sheet, write_action_sheet
    from winback_desktop.services import settings
    from winback_desktop.services.calls import lifecycle as calls

    company = settings.configured_company_name(ctx)
    call_id = ds.sheet_calls[0]
    detail = calls.detail(ctx, call_id)
    conn = floor_connect(ds)
    try:
        texts = floors.sheet_texts(conn, call_id)
        t0 = time.perf_counter()
        build_action_sheet(detail, company_name=company)
        first = time.perf_counter() - t0
        floors.sheet(texts)
        app_s = median_time(lambda: build_action_sheet(detail, company_name=company), reps.fast)
        floor_s = median_time(lambda: floors.sheet(texts), reps.fast)
        log(f"sheet: first action sheet in the process {ms(first):.0f} ms (font registration)")

        batch = ds.sheet_calls[: reps.batch]
        out = ds.root / "sheets"
        out.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        for cid in batch:
            write_action_sheet(calls.detail(ctx, cid), out / f"app-{cid}.pdf", company_name=company)
        batch_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for cid in batch:
            floors.sheet_to_file(conn, cid, out / f"floor-{cid}.pdf")
        batch_floor = time.perf_counter() - t0
        one_pdf = None
        try:  # the batch export (one PDF for many calls), where this version has it
            from winback_desktop.reports.batch import write_batch
            from winback_desktop.services.calls.sheets import sheet_batch
        except ImportError:
            log("sheet: no reports.batch.write_batch in this version; batch-as-one-PDF not measured")
        else:
            t0 = time.perf_counter()
            write_batch(sheet_batch(ctx, batch), out / "app-batch.pdf")
            one_pdf = time.perf_counter() - t0
            t0 = time.perf_counter()
            floors.sheets_one_document(conn, batch, out / "floor-batch.pdf")
            one_pdf_floor = time.perf_counter() - t0
        shutil.rmtree(out, ignore_errors=True)
    finally:
        conn.close()
    n = len(batch)
    extra = []
    if one_pdf is not None:
        extra.append(
            row(
                "sheet_batch_one_pdf",
                one_pdf,
                "s",
                one_pdf_floor,
                Goal(limit=30 * n / 500),
                f"reports.batch.write_batch: the same {n} calls as one PDF; floor: one minimal document",
            )
        )
    return [
        row(
            "sheet",
            ms(app_s),
            "ms",
            ms(floor_s),
            Goal(limit=100),
            "build_action_sheet, detail fetched before",
        ),
        row(
            "sheet_batch",
            batch_s,
            "s",
            batch_floor,
            Goal(limit=30 * n / 500),
            f"{n} sheets: calls.detail + write_action_sheet each",
        ),
        *extra,
    ]


# ----------------------------------------------------------------------------------- insight
def measure_insight(ctx, ds: Dataset, reps: Repeats, log) -> list[Row]:
    from winback_desktop.services.insights import reasons as insights

    conn = floor_connect(ds)
    try:
        got = insights.reasons_by_revenue(ctx)
        want = floors.insight(conn)
        if [(r.reason_code, r.calls, r.customers) for r in got] != [(w[0], w[3], w[4]) for w in want]:
            log("insight: the service and the floor query disagree")
        app_s = median_time(lambda: insights.reasons_by_revenue(ctx), reps.fast)
        floor_s = median_time(lambda: floors.insight(conn), reps.fast)
    finally:
        conn.close()
    calls_n = sum(r.calls for r in got)
    return [
        row(
            "insight",
            ms(app_s),
            "ms",
            ms(floor_s),
            Goal(limit=300),
            f"{calls_n:,} calls with a primary reason",
        )
    ]
