"""Look at a PDF before printing or saving it (QtPdf), and print it through the Qt print dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.style import style_named_widgets
from winback_desktop.ui.kit.widgets import with_name

PRINT_DPI = 300


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Render every page (or the chosen range) onto ``printer``; returns pages printed."""
    first, last = 0, document.pageCount() - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage() - 1, min(printer.toPage() - 1, last)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be started")
    printed = 0
    try:
        for index in range(first, last + 1):
            if printed:
                printer.newPage()
            target = painter.viewport()
            size = document.pagePointSize(index)
            scale = min(target.width() / size.width(), target.height() / size.height())
            pixels = QSize(int(size.width() * PRINT_DPI / 72), int(size.height() * PRINT_DPI / 72))
            image = document.render(index, pixels)
            w, h = size.width() * scale, size.height() * scale
            painter.drawImage(QRectF((target.width() - w) / 2, (target.height() - h) / 2, w, h), image)
            printed += 1
    finally:
        painter.end()
    return printed


class PdfPreview(QDialog):
    """The PDF as the partner will get it, with Print… and Save as… (Ctrl+P, Ctrl+S)."""

    def __init__(self, data: bytes, title: str, suggested_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.data, self.suggested_name = data, suggested_name
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        pages = self.document.pageCount()
        info = with_name(QLabel(f"{pages} page{'s' if pages != 1 else ''}"), "hint")
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton("Print…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton("Save as…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.reject)
        self.print_button.setToolTip("Print (Ctrl+P)")
        self.save_button.setToolTip("Save the PDF (Ctrl+S)")
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        row = QVBoxLayout()
        row.addWidget(info)
        layout.addLayout(row)
        layout.addWidget(buttons)
        ready(self, "pdf_preview", QSize(760, 900))
        style_named_widgets(self)  # its parent may be a call window, which has no window sheet

    def print_document(self, printer: QPrinter | None = None) -> int:
        printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        if not isinstance(printer, QPrinter):  # called from a button's clicked(bool)
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat:
            dialog = QPrintDialog(printer, self)
            dialog.setMinMax(1, max(self.document.pageCount(), 1))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return 0
        try:
            return print_pdf(self.document, printer)
        except OSError as exc:
            QMessageBox.warning(self, "Not printed", str(exc))
            return 0

    def save_as(self, target: Path | None = None) -> Path | None:
        if not isinstance(target, Path):
            name, _ = QFileDialog.getSaveFileName(self, "Save PDF", self.suggested_name, "PDF (*.pdf)")
            if not name:
                return None
            target = Path(name)
        from winback_desktop.files import atomic_write_bytes

        try:
            atomic_write_bytes(target, self.data)
        except OSError as exc:
            QMessageBox.warning(self, "Not saved", f"Could not write {target}:\n{exc}")
            return None
        return target
