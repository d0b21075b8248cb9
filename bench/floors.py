"""Floors: the same work as each measure, done the most direct way (plain sqlite3, stdlib csv,
a bare PySide6 widget, a minimal reportlab document). Nothing here imports the app's services."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape

# The roster page's columns (services/roster_query.py ROW_COLUMNS).
ROSTER_COLUMNS = (
    "id, external_id, company, contact_name, phone, email, status, segment, owner, last_purchase, "
    "orders_count, total_revenue, yearly_revenue, value_lost, priority, priority_reason, decision, "
    "decision_reason, verify_contact, contact_verified_on"
)


def connect(db: Path) -> sqlite3.Connection:
    """A plain connection with the app's pragmas (WAL, synchronous=FULL), autocommit mode."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


# ------------------------------------------------------------------------------------ search
def _where(text: str) -> tuple[str, list[str]]:
    words = text.casefold().split()
    where = " AND ".join(["search_text LIKE ? ESCAPE '\\'"] * len(words)) or "1"
    return where, [f"%{w}%" for w in words]


def search_count(conn: sqlite3.Connection, text: str) -> int:
    """How many customers match every word of ``text`` (LIKE on search_text: a full scan)."""
    where, params = _where(text)
    return conn.execute(f"SELECT count(*) FROM customers WHERE {where}", params).fetchone()[0]


def search_page(conn: sqlite3.Connection, text: str, scan: bool) -> int:
    """The first 200 by priority: walking the priority index, or (``scan``) a table scan + sort.
    Which is faster depends on how many match; the floor takes the faster of the two."""
    where, params = _where(text)
    table = "customers NOT INDEXED" if scan else "customers"
    return len(
        conn.execute(
            f"SELECT {ROSTER_COLUMNS} FROM {table} WHERE {where} ORDER BY priority DESC, id DESC LIMIT 200",
            params,
        ).fetchall()
    )


# -------------------------------------------------------------------------------------- open
def open_form(conn: sqlite3.Connection, call_id: int, n_fields: int, text_keys: set[str]):
    """A bare QWidget with a form of ``n_fields`` fields filled from one query, shown and painted."""
    from PySide6.QtWidgets import QApplication, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

    rows = conn.execute(
        "SELECT a.field, a.value, c.company FROM stage_answers a JOIN calls k ON k.id = a.call_id "
        "JOIN customers c ON c.id = k.customer_id WHERE a.call_id = ?",
        (call_id,),
    ).fetchall()
    values = {f: v for f, v, _company in rows}
    w = QWidget()
    form = QFormLayout(w)
    keys = list(values) + [f"extra{i}" for i in range(max(0, n_fields - len(values)))]
    for key in keys[:n_fields]:
        editor = QPlainTextEdit(values.get(key, "")) if key in text_keys else QLineEdit(values.get(key, ""))
        form.addRow(key, editor)
    w.resize(1120, 760)
    w.show()
    QApplication.processEvents()
    w.repaint()
    return w


# ---------------------------------------------------------------------------------- autosave
def save_note(conn: sqlite3.Connection, call_id: int, stage: str, key: str, value: str) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    conn.execute("BEGIN")
    conn.execute(
        "UPDATE stage_answers SET value = ?, updated_at = ? WHERE call_id = ? AND stage = ? AND field = ?",
        (value, now, call_id, stage, key),
    )
    conn.execute("UPDATE calls SET updated_at = ? WHERE id = ?", (now, call_id))
    conn.execute("COMMIT")


# ------------------------------------------------------------------------------------ import
def import_customers(db: Path, path: Path) -> int:
    """csv.reader + one executemany into customers (search_text built as the app stores it)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    conn = connect(db)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO customers (external_id, company, contact_name, contact_title, phone, email, "
                "value_lost, last_purchase, segment, owner, status, notes, search_text, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'lapsed', '', ?, ?)",
                (
                    (*r, " ".join(p for p in (r[1], r[2], r[0], r[4], r[5]) if p).casefold(), now)
                    for r in rows
                ),
            )
            conn.execute("COMMIT")
        return conn.execute("SELECT count(*) FROM customers").fetchone()[0]
    finally:
        conn.close()


def import_orders(db: Path, path: Path) -> int:
    """csv.reader + one executemany into orders (ids looked up once), then the purchase figures
    (first/last purchase, purchases, total, yearly revenue) recomputed with three UPDATEs."""
    conn = connect(db)
    try:
        ids = dict(conn.execute("SELECT external_id, id FROM customers"))
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO orders (customer_id, order_date, amount, order_ref) VALUES (?, ?, ?, ?)",
                ((ids[r[0]], r[1], float(r[2]), r[3]) for r in rows),
            )
        conn.execute(
            "UPDATE customers SET first_purchase = t.f, last_purchase = t.l, orders_count = t.n, "
            "total_revenue = t.s FROM (SELECT customer_id, min(CASE WHEN a > 0 THEN d END) AS f, "
            "max(CASE WHEN a > 0 THEN d END) AS l, sum(a > 0) AS n, sum(a) AS s FROM ("
            # one row per order (a ref's lines, or a line): a purchase is one with a positive
            # amount, as services/roster/purchases.py defines it
            "SELECT customer_id, min(order_date) AS d, round(sum(amount), 2) AS a FROM orders "
            "GROUP BY customer_id, order_ref, CASE WHEN order_ref IS NULL THEN id END) "
            "GROUP BY customer_id) AS t WHERE customers.id = t.customer_id"
        )
        conn.execute(
            "UPDATE customers SET yearly_revenue = (SELECT coalesce(sum(amount), 0) FROM orders o "
            "WHERE o.customer_id = customers.id AND o.order_date > date(customers.last_purchase, "
            "'-1 year')) WHERE last_purchase IS NOT NULL"
        )
        conn.execute("UPDATE customers SET value_lost = yearly_revenue")
        conn.execute("COMMIT")
        return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        conn.close()


# ------------------------------------------------------------------------------------ lapsed
def lapsed(conn: sqlite3.Connection, as_of: dt.date, cutoff: dt.date) -> int:
    """Customers whose last purchase is before the cutoff and who were not won back since."""
    start, end = dt.datetime.combine(cutoff, dt.time()), dt.datetime.combine(as_of, dt.time())
    end += dt.timedelta(days=1)
    rows = conn.execute(
        "SELECT c.id, c.external_id, c.company, c.contact_name, c.status, c.last_purchase, "
        "c.orders_count, c.total_revenue, c.yearly_revenue, c.value_lost, c.priority, "
        "c.priority_reason, c.decision FROM customers c WHERE c.last_purchase < ? AND NOT EXISTS ("
        "SELECT 1 FROM calls k WHERE k.customer_id = c.id AND k.status = 'completed' AND "
        "k.outcome = 'won_back' AND coalesce(k.ended_at, k.started_at) >= ? AND "
        "coalesce(k.ended_at, k.started_at) < ?) ORDER BY c.priority DESC, "
        "CASE WHEN c.yearly_revenue > 0 THEN c.yearly_revenue ELSE c.value_lost END DESC, c.company, c.id",
        (cutoff.isoformat(), start.isoformat(" "), end.isoformat(" ")),
    ).fetchall()
    return len(rows)


def rank(conn: sqlite3.Connection, new: list[tuple[float, str, int]]) -> None:
    """The I/O of a re-ranking: read every customer's facts, write every priority and reason."""
    conn.execute(
        "SELECT id, yearly_revenue, value_lost, last_purchase, orders_count, status, decision, "
        "decision_reason, priority, priority_reason FROM customers"
    ).fetchall()
    conn.execute("BEGIN")
    conn.executemany("UPDATE customers SET priority = ?, priority_reason = ? WHERE id = ?", new)
    conn.execute("COMMIT")


# ------------------------------------------------------------------------------------- sheet
def sheet_texts(conn: sqlite3.Connection, call_id: int) -> list[str]:
    """The text an action sheet prints, fetched with plain queries."""
    c = conn.execute(
        "SELECT c.company, c.contact_name, c.contact_title, c.phone, c.email, c.external_id, "
        "c.value_lost, c.last_purchase, k.outcome, k.customer_answer, k.accepts_help, k.next_contact "
        "FROM calls k JOIN customers c ON c.id = k.customer_id WHERE k.id = ?",
        (call_id,),
    ).fetchone()
    texts = [str(x) for x in c if x is not None]
    texts += [v for (v,) in conn.execute("SELECT value FROM stage_answers WHERE call_id = ?", (call_id,))]
    texts += [
        r
        for (r,) in conn.execute(
            "SELECT d.label FROM call_reasons r JOIN departure_reasons d ON d.id = r.reason_id "
            "WHERE r.call_id = ?",
            (call_id,),
        )
    ]
    texts += [
        r
        for (r,) in conn.execute(
            "SELECT coalesce(h.label, o.text) FROM call_offers o LEFT JOIN help_options h "
            "ON h.id = o.help_option_id WHERE o.call_id = ?",
            (call_id,),
        )
    ]
    texts += [
        f"{w} ({n or ''}, {d or ''})"
        for w, n, d in conn.execute(
            "SELECT a.what, p.name, a.due_date FROM action_items a LEFT JOIN people p ON p.id = a.owner_id "
            "WHERE a.call_id = ?",
            (call_id,),
        )
    ]
    return texts


def sheet(texts: list[str]) -> bytes:
    """A minimal reportlab platypus document with ``texts`` as paragraphs (built-in font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4)
    doc.build([Paragraph(escape(t).replace("\n", "<br/>"), style) for t in texts])
    return buf.getvalue()


def sheets_one_document(conn: sqlite3.Connection, call_ids: list[int], out: Path) -> None:
    """The texts of many calls in ONE minimal document, a page break between calls."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    story = []
    for call_id in call_ids:
        story += [Paragraph(escape(t).replace("\n", "<br/>"), style) for t in sheet_texts(conn, call_id)]
        story.append(PageBreak())
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    out.write_bytes(buf.getvalue())


def sheet_to_file(conn: sqlite3.Connection, call_id: int, out: Path) -> None:
    out.write_bytes(sheet(sheet_texts(conn, call_id)))


# ----------------------------------------------------------------------------------- insight
def insight(conn: sqlite3.Connection) -> list[tuple]:
    """Per reason: calls naming it primary, distinct customers, the sum of their yearly business."""
    return conn.execute(
        "SELECT d.code, d.label, d.category, coalesce(sum(pc.calls), 0), count(pc.customer_id), "
        "coalesce(sum(pc.v), 0) AS revenue FROM departure_reasons d LEFT JOIN ("
        "SELECT r.reason_id, k.customer_id, count(*) AS calls, max(CASE WHEN c.yearly_revenue > 0 "
        "THEN c.yearly_revenue ELSE c.value_lost END) AS v FROM call_reasons r "
        "JOIN calls k ON k.id = r.call_id JOIN customers c ON c.id = k.customer_id "
        "WHERE r.is_primary = 1 GROUP BY r.reason_id, k.customer_id) pc ON pc.reason_id = d.id "
        "GROUP BY d.id HAVING d.active = 1 OR count(pc.customer_id) > 0 ORDER BY revenue DESC"
    ).fetchall()
