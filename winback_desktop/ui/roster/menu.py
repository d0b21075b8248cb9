"""The Customers menu: import, export, the lapse rule, and volume departed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox

from winback_desktop.ui.roster.panel import RosterPanel, load_roster_service

if TYPE_CHECKING:
    from winback_desktop.ui.roster.volume_view import VolumeDialog


class RosterMenu:
    def __init__(self, window: QMainWindow, panel: RosterPanel):
        self.window, self.panel = window, panel
        menu = window.menuBar().addMenu("C&ustomers")
        self.menu = menu
        self.import_customers_action = self._add(
            "&Import customers…", "Ctrl+I", lambda: self.import_file("customers")
        )
        self.import_orders_action = self._add(
            "Import &order history…", "Ctrl+Shift+I", lambda: self.import_file("orders")
        )
        menu.addSeparator()
        self._add("&Volume departed…", "Ctrl+Shift+V", self.show_volume)
        self._add("&Lapse rule…", None, self.edit_lapse_rule)
        self._add("&Recompute priorities", "F5", self.recompute)
        menu.addSeparator()
        self._add("E&xport customers as CSV…", None, self.export_customers)

    @property
    def ctx(self):
        return self.window.ctx

    def _add(self, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    def import_file(self, kind: str) -> None:
        from winback_desktop.ui.roster.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx, kind, self.window)
        if dialog.choose_file() and dialog.exec():
            self.after_data_change(refresh=False)  # the import job ranked what it brought
            self.window.statusBar().showMessage(dialog.summary, 15000)

    def after_data_change(self, refresh: bool = True) -> None:
        if refresh:
            load_roster_service().refresh(self.ctx)
        self.panel.reload_filter_lists()
        self.window.refresh()

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
            from winback_desktop.services import catalogue

            catalogue.set_setting(self.ctx, "lapse_months", str(months))
            self.after_data_change()
            self.window.statusBar().showMessage(f"Lapse rule: no purchase for {months} months.", 8000)

    def recompute(self) -> None:
        changed, ranked = load_roster_service().refresh(self.ctx)
        self.panel.refresh()
        self.window.statusBar().showMessage(f"{changed} statuses changed; {ranked} priorities updated.", 8000)

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
        self.window.statusBar().showMessage(f"Exported {n} customers to {name}", 8000)
        return Path(name)
