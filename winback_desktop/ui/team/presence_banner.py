"""The calm note at the top of a call window: "Priya is in this call (at another desk since
10:42)". Not a question: the call goes on (two people can be on one call); the note comes and
goes as others open and close it.

The banner holds this window's lease (services/team/presence.py): it enters the call when the
window opens it, leaves when the window closes. The keeper tells it on its own thread; a
queued signal brings that to the GUI thread. A change to calls heard from elsewhere (another
desk opening one) makes it ask again at once rather than at the next heartbeat.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from winback_desktop.services.changes import Change, Changes
from winback_desktop.services.context import AppContext
from winback_desktop.services.dto import PersonInfo
from winback_desktop.services.people import team
from winback_desktop.services.team import presence
from winback_desktop.ui.kit.signals import app_signals
from winback_desktop.ui.kit.style import banner_style


class PresenceBanner(QFrame):
    """Who else has this call open; hidden while nobody has."""

    seen = Signal(object)  # list[Presence], from the keeper's thread

    def __init__(self, ctx: AppContext, call_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.call_id = ctx, call_id
        self.others: list[presence.Presence] = []
        self.entered = False
        self.setObjectName("presenceBanner")
        self.setStyleSheet(
            banner_style("presenceBanner", "ACCENT_FACE", "ACCENT_LINE", "ACCENT_TEXT", "padding: 0px;")
            + " #presenceBanner QLabel { background: transparent; border: none; }"
        )
        self.label = QLabel()
        self.label.setObjectName("presenceText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Who else is in this call")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        row.addWidget(self.label, 1)
        self.setVisible(False)
        self.seen.connect(self.show_others, Qt.ConnectionType.QueuedConnection)
        app_signals().attach(ctx.changes)
        app_signals().changed.connect(self._changed)

    def enter(self, caller: PersonInfo | None = None) -> None:
        """This window has the call open, as the person using this desk (else the call's
        caller, when this desk has nobody chosen)."""
        who: PersonInfo | None = team.current_user(self.ctx) or caller
        self.entered = True
        keeper = presence.keeper(self.ctx)
        keeper.enter(self.call_id, who.id if who else None, who.name if who else "", self.seen.emit)

    def leave(self) -> None:
        if self.entered:
            self.entered = False
            presence.keeper(self.ctx).leave(self.call_id)

    def show_others(self, others: list[presence.Presence]) -> None:
        self.others = list(others)
        text = presence.describe(self.others)
        if text:
            self.label.setText(f"<b>{html.escape(text)}</b>")
            self.setToolTip("Someone else has this call open too; you can both work in it.")
        self.setVisible(bool(text))

    def _changed(self, hub: Changes, kinds: frozenset[Change]) -> None:
        if self.entered and hub is self.ctx.changes and Change.CALLS in kinds:
            presence.keeper(self.ctx).refresh(self.call_id)
