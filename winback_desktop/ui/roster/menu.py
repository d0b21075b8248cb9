"""The Customers menu's commands: import, export, the lapse rule, re-ranking and volume departed.

The menu itself is declared with the main window's other actions (ui/main_window.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from winback_desktop.formats import count
from winback_desktop.services.changes import Change
from winback_desktop.ui.roster.panel import load_roster_service
from winback_desktop.ui.roster.ranking import Ranking

if TYPE_CHECKING:
    from winback_desktop.services.context import AppContext
    from winback_desktop.ui.kit.context import ContextWindow
    from winback_desktop.ui.roster.imports_view import ImportsDialog
    from winback_desktop.ui.roster.volume_view import VolumeDialog


class RosterMenu:
    def __init__(self, window: ContextWindow, ranking: Ranking):
        self.window, self.ranking = window, ranking
        self.imports_dialog: ImportsDialog | None = None

    @property
    def ctx(self) -> AppContext:
        return self.window.attached_ctx

    def import_file(self, kind: str) -> None:
        from winback_desktop.ui.roster.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx, kind, self.window)
        if dialog.choose_file() and dialog.exec():
            self.ctx.changed(Change.CUSTOMERS)  # the import job wrote (and ranked) them
            self.window.statusBar().showMessage(dialog.summary, 15000)

    def show_imports(self) -> ImportsDialog:
        """File ▸ Imports…: one window, brought forward when already open (it stays usable
        beside the main window while an undo runs)."""
        from winback_desktop.ui.roster.imports_view import ImportsDialog

        dialog = self.imports_dialog
        if dialog is None or dialog.ctx is not self.ctx:
            if dialog is not None:
                dialog.deleteLater()
            dialog = self.imports_dialog = ImportsDialog(self.ctx, self.window)
            dialog.import_wanted.connect(self._import_instead)
        else:
            dialog.refresh()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _import_instead(self, kind: str) -> None:
        """The empty Imports window's button: that window closes, the import dialog opens."""
        if self.imports_dialog is not None:
            self.imports_dialog.close()
        self.import_file(kind)

    def show_volume(self) -> VolumeDialog:
        from winback_desktop.ui.roster.volume_view import VolumeDialog

        roster = load_roster_service()
        dialog = VolumeDialog(lambda period: roster.volume_departed(self.ctx, period), self.window)
        dialog.show()
        return dialog

    def edit_lapse_rule(self) -> None:
        months, ok = QInputDialog.getInt(
            self.window,
            "Lapse rule",
            "A customer has lapsed after how many calendar months without a purchase?",
            load_roster_service().lapse_months(self.ctx),
            1,
            60,
        )
        if ok:
            from winback_desktop.services import settings

            settings.set_lapse_months(self.ctx, months)
            self.ranking.start(lambda _figures: f"Lapse rule: no purchase for {months} months.")

    def recompute(self) -> None:
        """F5: re-rank in the background; the roster follows when it is done."""
        self.ranking.start()

    def export_customers(self) -> Path | None:
        default = self.ctx.paths.exports / "customers.csv"
        name, _ = QFileDialog.getSaveFileName(self.window, "Export customers", str(default), "CSV (*.csv)")
        if not name:
            return None
        try:
            n = load_roster_service().export_customers(self.ctx, Path(name))
        except OSError as exc:
            QMessageBox.warning(
                self.window, "Export failed", f"Could not write {name}:\n{exc.strerror or exc}"
            )
            return None
        self.window.statusBar().showMessage(f"Exported {count(n, 'customer')} to {name}", 8000)
        return Path(name)
