"""The customer card beside the call: who they are, what they were worth, what we promised."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from winback_desktop.services.dto import CustomerCard
from winback_desktop.services.vocab import CallStatus
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.format import money, short_date
from winback_desktop.ui.kit.widgets import with_name

STATUS_LABELS = {s.value: s.label.lower() for s in CallStatus}  # in a sentence: "unfinished"


def tel_url(phone: str) -> QUrl:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return QUrl(f"tel:{digits}")


class CustomerCardView(QWidget):
    def __init__(self, card: CustomerCard, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.card = card
        self.label = with_name(QLabel(wordWrap=True), "cardText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label.setOpenExternalLinks(False)
        self.label.linkActivated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.label.setText(render_card(card))

    def dial(self) -> None:
        if self.card.phone:
            QDesktopServices.openUrl(tel_url(self.card.phone))


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
        ago = f" ({months} months ago)" if months is not None else ""
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
        items = "".join(
            f"<li>{short_date(k.when.date() if k.when else None)} · {e(k.caller_name or '—')} · "
            f"{e(STATUS_LABELS.get(k.status, k.status))}"
            f"{' · ' + e(k.outcome.replace('_', ' ')) if k.outcome else ''}</li>"
            for k in c.earlier_calls
        )
        parts.append(f"<ul style='margin-left:-20px'>{items}</ul>")
    else:
        parts.append(f"<p style='color:{palette.colour('HINT')}'>This is the first call.</p>")
    return "".join(parts)
