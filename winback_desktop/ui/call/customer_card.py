"""The customer card beside the call: who they are, what they were worth, what we promised."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout, QWidget

from winback_desktop.formats import day_month_year, months_ago
from winback_desktop.services.dto import CallSummary, CustomerCard
from winback_desktop.services.vocab import CallStatus
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.format import money, short_date
from winback_desktop.ui.kit.widgets import with_name

STATUS_LABELS = {s.value: s.label.lower() for s in CallStatus}  # in a sentence: "unfinished"
CALL_LINK = "call:"  # a link to an earlier call: opens it (read-only when finished)
SAID_CHARS = 120  # what the customer said, as much as the card shows
TIMELINE_SHOWN, PROMISES_SHOWN = 4, 2  # the card is short: the latest calls, their first promises
NO_DIALER = (
    "No program on this computer is set up to dial phone links (tel:).\n\n"
    "Dial {phone} on your phone; the number is copied, to paste where you need it.\n\n"
    "To dial from here, install a softphone or set one as the default for tel: links "
    "(on Linux: xdg-mime default YOUR-PHONE.desktop x-scheme-handler/tel)."
)


def tel_url(phone: str) -> QUrl:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return QUrl(f"tel:{digits}")


class CustomerCardView(QWidget):
    """``open_call(call_id)``: an earlier call's link on the timeline was followed."""

    open_call = Signal(int)

    def __init__(self, card: CustomerCard, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.card = card
        self.label = with_name(QLabel(wordWrap=True), "cardText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label.setOpenExternalLinks(False)
        self.label.linkActivated.connect(self._link)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.label.setText(render_card(card))

    def _link(self, url: str) -> None:
        if url.startswith(CALL_LINK):
            self.open_call.emit(int(url.removeprefix(CALL_LINK)))
        elif url.startswith("tel:"):
            self.dial()
        else:
            QDesktopServices.openUrl(QUrl(url))

    def dial(self) -> bool:
        """Hand the number to the phone program; without one (or a number), say what to do."""
        phone = self.card.phone.strip()
        if not phone:
            QMessageBox.information(
                self,
                "Dial",
                f"There is no phone number for {self.card.company}.\n\nAdd one in the customer file.",
            )
            return False
        if QDesktopServices.openUrl(tel_url(phone)):
            return True
        QGuiApplication.clipboard().setText(phone)
        QMessageBox.information(self, "No phone program", NO_DIALER.format(phone=phone))
        return False


def render_card(c: CustomerCard, today: dt.date | None = None) -> str:
    e = html.escape
    months = c.months_since_purchase(today)
    parts = [f"<h2 style='margin:0'>{e(c.company)}</h2>"]
    if c.external_id:
        parts.append(
            f"<span style='color:{palette.colour('HINT')}'>Customer {e(c.external_id)} · {e(c.status)}</span>"
        )
    contact = e(c.contact_name) + (f", {e(c.contact_title)}" if c.contact_title else "")
    parts.append(f"<p><b>{contact}</b><br>")
    if c.phone:
        parts.append(f"☎ <a href='{tel_url(c.phone).toString()}'>{e(c.phone)}</a> (Ctrl+D)<br>")
    if c.email:
        parts.append(f"✉ <a href='mailto:{e(c.email)}'>{e(c.email)}</a>")
    parts.append("</p><p>")
    parts.append(f"Yearly business lost: <b>{money(c.value_lost)}</b><br>")
    if c.last_purchase:
        ago = f" ({months_ago(months)})" if months is not None else ""
        parts.append(f"Last purchase: <b>{short_date(c.last_purchase)}</b>{ago}")
    else:
        parts.append("Last purchase: unknown")
    parts.append("</p>")
    parts.append("<h3>Open promises</h3>")
    if c.open_promises:
        items = "".join(
            f"<li>{e(a.what or '(no text)')} — {e(a.owner_name or 'no owner')}, "
            f"due {short_date(a.due_date)}</li>"
            for a in c.open_promises
        )
        parts.append(f"<ul style='margin-left:-20px'>{items}</ul>")
    else:
        parts.append(f"<p style='color:{palette.colour('HINT')}'>None.</p>")
    parts.append("<h3>Earlier calls</h3>")
    if c.earlier_calls:
        shown = [k for k in c.earlier_calls if k.said or k.promised or k.status != "scheduled"][
            :TIMELINE_SHOWN
        ]
        parts.append("".join(_timeline_entry(k) for k in shown))
        if len(c.earlier_calls) > len(shown):
            more = len(c.earlier_calls) - len(shown)
            parts.append(f"<p style='color:{palette.colour('HINT')}'>and {more} more booked or earlier</p>")
    else:
        parts.append(f"<p style='color:{palette.colour('HINT')}'>No other calls with them.</p>")
    return "".join(parts)


def _timeline_entry(k: CallSummary) -> str:
    """One earlier call: when, who, how it ended; what the customer said; what was promised."""
    e = html.escape
    when = day_month_year(k.when.date() if k.when else None) or "no date"
    how = e(STATUS_LABELS.get(k.status, k.status)) + (
        f" · {e(k.outcome.replace('_', ' '))}" if k.outcome else ""
    )
    verb = "Read" if k.status == "completed" else "Open"
    head = (
        f"<p style='margin:6px 0 0 0'><b>{when}</b> · {e(k.caller_name or '—')} · {how} · "
        f"<a href='{CALL_LINK}{k.id}'>{verb}</a></p>"
    )
    said = k.said.replace("\n", " ")
    if len(said) > SAID_CHARS:
        said = said[: SAID_CHARS - 1].rstrip() + "…"
    body = f"<div style='margin-left:10px'>“{e(said)}”</div>" if said else ""
    for a in k.promised[:PROMISES_SHOWN]:
        state = "" if a.status == "open" else f" ({e(a.status)})"
        due = f", by {day_month_year(a.due_date)}" if a.due_date else ""
        body += (
            f"<div style='margin-left:10px'>Promised: {e(a.what or '(no text)')} — "
            f"{e(a.owner_name or 'no owner')}{due}{state}</div>"
        )
    if len(k.promised) > PROMISES_SHOWN:
        more = len(k.promised) - PROMISES_SHOWN
        body += f"<div style='margin-left:10px'>and {more} more promised ({verb.lower()} the call)</div>"
    return head + body
