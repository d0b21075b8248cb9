"""The roster at the window's default size: every column shown fits (no sideways scrolling),
and the details pane shows how to reach the customer."""

from __future__ import annotations

from winback_desktop.ui.main_window import MainWindow


def test_columns_fit_the_default_width_and_the_details_show_the_phone(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(1240, 720)  # the main window's default size (ready(self, "main", ...))
    table, header = window.table, window.table.horizontalHeader()
    qtbot.waitUntil(
        lambda: header.length() <= table.viewport().width() and not table.horizontalScrollBar().isVisible()
    )
    for i in range(header.count()):  # each column shown is wide enough for its own title
        if not header.isSectionHidden(i):
            title = str(table.model().headerData(i, 1))
            assert header.sectionSize(i) >= header.fontMetrics().horizontalAdvance(title), title
    hidden = [i for i in range(header.count()) if header.isSectionHidden(i)]
    shows = [a for a in header.actions() if a.isCheckable() and not a.isChecked()]
    assert len(shows) == len(hidden)  # each hidden column can be shown from the header's menu
    shows[0].setChecked(True)
    assert len([i for i in range(header.count()) if header.isSectionHidden(i)]) == len(hidden) - 1
    row = window.model.row_at(table.currentIndex().row())
    assert row.phone and row.phone in window.roster.details.title.text()
