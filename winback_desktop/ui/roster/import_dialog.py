"""Import customers or order history from CSV: preview, mapping, progress and cancel.

What the import will do is on screen before it runs: the preview table shows the first rows as
they will be read (import_preview.py), every field's column is chosen in a grid that needs no
scrolling (the dialog fits a 1366x768 screen), and the remarks say what the file does not: a
footer skipped, a known export's shape, a column left out and why.

The preview reads the file on a worker thread (a bounded amount of it: see
importers.sniff.preview_csv), so a hostile file (a 100 MB field, a million columns) gets its
answer while the window keeps answering. The import runs in a child process
(jobs/import_file.py), so the window stays responsive and Stop ends it: SQLite rolls back what it
had begun. A file with bad rows imports nothing and lists every one with its line number.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.formats import short_date_time
from winback_desktop.importers.errors import (
    CsvImportError,
)
from winback_desktop.services.context import AppContext
from winback_desktop.services.imports import importer as imports
from winback_desktop.ui.kit.access.focus import order_tabs
from winback_desktop.ui.kit.access.names import name_fields
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.confirm import confirm
from winback_desktop.ui.kit.jobs import ThreadJob, child_process
from winback_desktop.ui.kit.widgets import with_name
from winback_desktop.ui.roster import import_preview
from winback_desktop.ui.roster.import_preview import SHOWN_NAME_CHARS
from winback_desktop.ui.roster.import_preview import shown as _shown

KIND_TITLES = {"customers": "Import customers", "orders": "Import order history"}
NOT_MAPPED = "— not in this file —"
MAPPING_COLUMNS = 3  # pairs of (field, column) side by side: 13 fields in five rows
log = logging.getLogger(__name__)


class ImportDialog(QDialog):
    preview_ready = Signal()  # the preview was read, or why it could not be is shown

    def __init__(self, ctx: AppContext, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.kind = ctx, kind
        self.preview: imports.ImportPreview | None = None
        self._reading: ThreadJob | None = None
        self.summary = ""
        self.import_result: dict[str, Any] | None = None  # what the import job reported
        self._process: QProcess | None = None
        self._outcome: dict[str, Any] = {}
        self._allow_duplicates = False  # asked when the file's lines look already imported
        self._output = b""
        self._stopping = False
        self._committed = ""  # the job's summary once the import has committed (Stop cannot undo it)
        self.setWindowTitle(KIND_TITLES[kind])

        self.file_label = QLabel(wordWrap=True)
        self.format_label = with_name(QLabel(wordWrap=True), "hint")
        self.table = QTableWidget()
        self.table.setAccessibleName("The file's first lines")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        mapping_box = self._mapping_box()

        self.dates_box = QGroupBox("Dates like 03/04/2024 can be read two ways. This file writes:")
        self.day_first = QRadioButton("day first (31/01/2024)")
        self.month_first = QRadioButton("month first (01/31/2024)")
        self.date_group = QButtonGroup(self)
        for b in (self.day_first, self.month_first):
            self.date_group.addButton(b)
        dates_row = QHBoxLayout(self.dates_box)
        dates_row.addWidget(self.day_first)
        dates_row.addWidget(self.month_first)
        self.dates_box.hide()

        self.message = with_name(QLabel(wordWrap=True), "importMessage")
        self.errors = QListWidget()
        self.errors.setMaximumHeight(200)  # the preview above keeps its room (Save the list... has all)
        self.errors.hide()
        self.progress = QProgressBar()
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_list_button = self.buttons.addButton(
            "Save the list…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_list_button.setToolTip("Every bad line, its column and the problem, in a CSV file")
        self.save_list_button.clicked.connect(self.save_bad_lines)
        self.save_list_button.hide()
        self.rejected_lines: dict[str, Any] | None = None  # the last refused import's bad lines
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(mapping_box)
        self.splitter.setChildrenCollapsible(False)  # the mapping is never squeezed out of sight
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addWidget(self.format_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.remarks)
        layout.addWidget(self.dates_box)
        layout.addWidget(self.message)
        layout.addWidget(self.errors)
        layout.addWidget(self.progress)
        layout.addStretch(0)  # takes the room when a file that cannot be imported hides the rest
        layout.addWidget(self.buttons)
        self.day_first.toggled.connect(self._show_rows)
        ready(self, "import", QSize(1100, 680))  # within the screen's room (a 1366x768 laptop has ~1366x740)

    def _mapping_box(self) -> QGroupBox:
        """The fields and their columns in a grid (no scrolling), why each, and the remarks."""
        self.mapping_grid = QGridLayout()
        self.combos: dict[str, QComboBox] = {}
        self.mapping_box = QGroupBox("Which column holds what")
        box_layout = QVBoxLayout(self.mapping_box)
        box_layout.addLayout(self.mapping_grid)
        self.why_label = with_name(QLabel(wordWrap=True), "hint")
        box_layout.addWidget(self.why_label)
        self.remarks = with_name(QLabel(wordWrap=True), "importRemarks")
        self.remarks.setTextFormat(Qt.TextFormat.RichText)
        self.remarks.hide()
        return self.mapping_box

    # -- the file and its preview ------------------------------------------------------------
    def choose_file(self) -> bool:
        name, _ = QFileDialog.getOpenFileName(
            self, KIND_TITLES[self.kind], str(Path.home()), "CSV (*.csv *.txt);;All files (*)"
        )
        return bool(name) and self.load(Path(name))

    def load(self, path: Path) -> bool:
        """Start reading ``path`` in the background; :attr:`preview_ready` tells when it is read."""
        if self._reading is not None:
            self._reading.stop()
        self.preview = None
        self.splitter.show()
        self.cancel_button.setText("Cancel")
        self.file_label.setText(f"<b>{path.name}</b>  ({path.parent})")
        self.format_label.setText("")
        self.import_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self._say(f"Reading {path.name}…")
        ctx, kind = self.ctx, self.kind  # the worker thread must not touch the dialog

        def read(should_stop: Callable[[], bool]) -> imports.ImportPreview:
            return imports.preview_import(ctx, path, kind, should_stop=should_stop)

        self._reading = ThreadJob(self, read, name="winback-import-preview")
        self._reading.done.connect(self._show_preview)
        self._reading.failed.connect(self._cannot_preview)
        return True

    @property
    def reading(self) -> bool:
        return self._reading is not None and self._reading.running

    def _cannot_preview(self, exc: Exception) -> None:
        self._reading = None
        self.progress.hide()
        if not isinstance(exc, CsvImportError):
            raise exc  # a bug: the application's handler reports it
        self.splitter.hide()  # nothing to map: the reason is what there is to read
        self.cancel_button.setText("Close")
        self._say(f"<b>This file cannot be imported.</b> {escape(str(exc))}")
        self.preview_ready.emit()

    def _show_preview(self, p: imports.ImportPreview) -> None:
        self._reading = None
        self.progress.hide()
        self.preview = p
        remembered = " · using the mapping you chose last time for these columns" if p.remembered else ""
        where = (
            f"header on line {p.header_line}"
            if p.has_header
            else f"no header line: columns known by position, data from line {p.header_line + 1}"
        )
        self.format_label.setText(
            f"{p.encoding_label} · {p.layout_label or p.delimiter_label + '-separated'} · {where} · "
            f"about {p.row_estimate:,} rows{remembered}"
        )
        self._add_combos(p)
        if p.remarks:
            self.remarks.setText(
                "<br>".join(f"• {escape(r[:1].upper() + r[1:], quote=False)}." for r in p.remarks)
            )
        self.remarks.setVisible(bool(p.remarks))
        self._mapping_changed()
        if p.already_imported:
            self._say(
                f"This exact file was already imported on {short_date_time(p.already_imported)} (UTC): "
                "importing it again changes nothing."
            )
        elif p.notes:
            listed = "; ".join(p.notes[:3]) + (f"; and {len(p.notes) - 3} more" if len(p.notes) > 3 else "")
            self._say(
                f"<b>Some rows are over a limit:</b> {escape(listed)}. Such rows cannot be imported: "
                "Import lists every one, and imports nothing."
            )
        self.preview_ready.emit()

    def _add_combos(self, p: imports.ImportPreview) -> None:
        while self.mapping_grid.count():
            item = self.mapping_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self.combos.clear()
        examples = {} if p.has_header or not p.rows else dict(enumerate(p.rows[0][1]))
        rows = -(-len(p.fields) // MAPPING_COLUMNS)
        for n, spec in enumerate(p.fields):
            combo = QComboBox()
            combo.addItem(NOT_MAPPED, None)
            for i, column in enumerate(p.header):
                example = f" — {_shown(examples[i].strip(), 24)}" if examples.get(i, "").strip() else ""
                combo.addItem(_shown(column, SHOWN_NAME_CHARS) + example, column)
            combo.setCurrentIndex(max(combo.findData(p.mapping.get(spec.name)), 0))
            combo.currentIndexChanged.connect(self._mapping_changed)
            combo.setToolTip(spec.help or spec.label)
            combo.setAccessibleName(spec.label)
            self.combos[spec.name] = combo
            label = QLabel(spec.label + (" *" if spec.required else ""))
            label.setBuddy(combo)
            row, pair = n % rows, n // rows
            self.mapping_grid.addWidget(label, row, 2 * pair)
            self.mapping_grid.addWidget(combo, row, 2 * pair + 1)
        for pair in range(MAPPING_COLUMNS):
            self.mapping_grid.setColumnStretch(2 * pair + 1, 1)
        order_tabs(self)  # the column boxes where they show, not after the buttons
        name_fields(self)

    def mapping(self) -> dict[str, str | None]:
        return {name: combo.currentData() for name, combo in self.combos.items()}

    def _mapping_changed(self) -> None:
        if self.preview is None:
            return
        required = [s for s in self.preview.fields if s.required]
        mapping = self.mapping()
        missing = [s.label for s in required if not mapping.get(s.name)]
        if self.kind == "customers" and not mapping.get("contact_name") and mapping.get("first_name"):
            missing = [m for m in missing if "contact" not in m.lower()]
        self.import_button.setEnabled(not missing)
        self._show_rows()
        if missing:
            self._say("Choose a column for: " + ", ".join(missing) + ".")
        elif not self.errors.isVisible():
            self._say("Fields marked * are needed. Nothing is written unless every row is good.")

    def _show_rows(self) -> None:
        """The preview table and the reasons, for the mapping as the combos have it now."""
        p = self.preview
        if p is None:
            return
        mapping = self.mapping()
        reading = imports.read_rows(p, mapping, date_order=self.date_order())
        import_preview.fill(self.table, p, mapping, reading)
        self.why_label.setText(_why(p, mapping))

    def _say(self, text: str) -> None:
        self.message.setText(text)

    # -- running the import -------------------------------------------------------------------
    def date_order(self) -> str | None:
        if not self.dates_box.isVisible():
            return None
        if self.day_first.isChecked():
            return "dmy"
        if self.month_first.isChecked():
            return "mdy"
        return None

    def start_import(self) -> None:
        if self.preview is None or self._process is not None:
            return
        if self.dates_box.isVisible() and self.date_order() is None:
            self._say("Say whether the dates are written day first or month first.")
            return
        self.errors.hide()
        self.save_list_button.hide()
        self.progress.setRange(0, 0)
        self.progress.setFormat("%p%")
        self.progress.show()
        self.import_button.setEnabled(False)
        self.cancel_button.setText("Stop import")
        self._say("Importing… the window stays usable; Stop undoes the whole import.")
        self._stopping = False
        self._committed = ""
        self._output = b""
        self._process = child_process(
            self,
            "winback_desktop.jobs.import_file",
            [
                str(self.ctx.paths.data_dir),
                self.kind,
                str(self.preview.path),
                json.dumps(self.mapping()),
                self.date_order() or "",
                "allow-duplicates" if self._allow_duplicates else "",
            ],
        )
        self._process.readyReadStandardOutput.connect(self._read_output)
        self._process.finished.connect(self._finished)
        self._process.start()

    def _read_output(self) -> None:
        assert self._process is not None
        self._output += bytes(self._process.readAllStandardOutput().data())
        *lines, self._output = self._output.split(b"\n")
        for line in lines:
            message = json.loads(line) if line.strip().startswith(b"{") else {}
            if "progress" in message:
                done, total = message["progress"]
                if total > 0:
                    self.progress.setRange(0, total)
                    self.progress.setValue(done)
                    # The job reads and checks every row, then writes: the first half, the second.
                    self.progress.setFormat("Checking… %p%" if done * 2 < total else "Writing… %p%")
            elif "imported" in message:
                self._saved(message["imported"])
            elif "result" in message or "error" in message:
                self._outcome = message

    def _saved(self, summary: str) -> None:
        """The import has committed; the job still brings statuses and priorities up to date."""
        self._committed = summary
        self._say(f"<b>Imported.</b> {escape(summary)} Bringing statuses and priorities up to date…")
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(False)

    def cancel(self) -> None:
        if self._process is not None and self._committed:
            return  # saved already: the last step runs to its end
        if self._process is not None:
            self._stopping = True
            self._say("Stopping… nothing will be kept.")
            self._process.kill()  # the child's open transaction is rolled back by SQLite
        else:
            self.reject()

    def _finished(self, _code: int = 0, _status: QProcess.ExitStatus | None = None) -> None:
        assert self._process is not None
        self._read_output()
        stderr = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        outcome, self._outcome = self._outcome, {}
        self._process.deleteLater()
        self._process = None
        self.progress.hide()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        self.import_button.setEnabled(True)
        if self._stopping and not self._committed_after_all():
            self._say("Import stopped. Nothing was changed.")
        elif "result" in outcome:
            self.import_result = outcome["result"]
            self.summary = outcome["result"]["summary"]
            self.accept()
        elif "error" in outcome:
            self._show_error(outcome["error"])
        elif self._committed:  # saved, then ended before re-ranking (F5 re-ranks)
            self.summary = f"{self._committed} Statuses and priorities were not updated: press F5."
            self.accept()
        else:  # the child died without a word: a bug, logged with what it printed
            log.error("import process failed: %s", stderr[-4000:])
            self._say("The import stopped unexpectedly; nothing was changed. The details are in the log.")

    def _committed_after_all(self) -> bool:
        """After Stop: whether the import had committed before the job ended (Stop came in the
        moment between its commit and its word about it); then it is kept and said so."""
        p = self.preview
        if self._committed or p is None or p.already_imported is not None or not p.sha256:
            return bool(self._committed)
        when = imports.imported_on(self.ctx, self.kind, p.sha256)
        if when is not None:
            self._committed = f"{p.path.name} was imported on {short_date_time(when)} (UTC), before Stop."
        return when is not None

    def _show_error(self, error: dict[str, Any]) -> None:
        kind = error.get("type")
        if kind == "ImportRejected":
            self.errors.clear()
            self.errors.setUniformItemSizes(True)  # every problem is listed: keep 100,000 quick
            self.errors.addItems(error["errors"])
            if error["error_count"] > len(error["errors"]):
                self.errors.addItem(f"… and {error['error_count'] - len(error['errors']):,} more problems")
            self.errors.show()
            self.rejected_lines = error
            self.save_list_button.show()
            hints = "".join(
                f"<br>{escape(h[:1].upper() + h[1:], quote=False)}." for h in error.get("hints", [])
            )
            self._say(
                f"<b>{error['bad_rows']:,} bad {'row' if error['bad_rows'] == 1 else 'rows'}; nothing was "
                "imported.</b> Fix them in the file and "
                f"import it again.{hints}"
            )
        elif kind == "AmbiguousDatesError":
            self.dates_box.show()
            examples = ", ".join(error["examples"][:3])
            self._say(
                f"The dates in {escape(error.get('where') or error['column'])} ({examples}) read both ways. "
                "Say which order the file uses, then Import again."
            )
        elif kind == "LikelyDuplicatesError":
            self._say(escape(error["message"]))
            question = (
                f"{error['message']}\n\nImport them anyway? Each of those purchases would then be "
                "counted twice. (An import can be taken back later: File ▸ Imports…, or winback import undo.)"
            )
            if confirm(self, "Lines already imported?", question):
                self._allow_duplicates = True
                self.start_import()
        else:
            self._say(error.get("message", "The import failed; nothing was changed."))

    def save_bad_lines(self) -> Path | None:
        from winback_desktop.ui.roster.bad_lines import save_bad_lines

        if self.rejected_lines is None:
            return None
        saved = save_bad_lines(self, self.ctx.paths.exports, self.rejected_lines)
        if saved is not None:
            self._say(f"The list of {self.rejected_lines['error_count']:,} bad lines is saved in {saved}.")
        return saved

    def reject(self) -> None:
        if self._process is not None:  # Escape during an import stops it; the dialog stays
            self.cancel()
            return
        if self._reading is not None:
            self._reading.stop()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._reading is not None:
            self._reading.stop()
        if self._process is not None and self._committed:  # saved: the dialog closes when done
            event.ignore()
            return
        if self._process is not None:  # never leave an import running behind a closed dialog
            self._stopping = True
            self._process.kill()
            self._process.waitForFinished(5000)
        super().closeEvent(event)


def _why(p: imports.ImportPreview, mapping: dict[str, str | None]) -> str:
    """Why each field has its column, grouped: "By their names: Customer ID ← 'Record ID', ..."."""
    groups: dict[str, list[str]] = {}
    labels = {s.name: s.label for s in p.fields}
    for name, column in mapping.items():
        if column is None:
            continue
        reason = p.reasons.get(name, "") if p.mapping.get(name) == column else "as you chose"
        groups.setdefault(reason or "as you chose", []).append(f"{labels[name]} ← {_shown(column, 30)}")
    return " · ".join(
        f"{reason[:1].upper()}{reason[1:]}: {', '.join(items)}" for reason, items in groups.items()
    )
