"""Render every screen to PNG for a human look: `python tests/helpers/shots.py OUT_DIR`.

Not a test (pytest does not collect it): it loads the sample data into a temporary data dir,
walks the main window and each stage of a call, and saves screenshots.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from winback_desktop.app import create_app
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.ui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="winback-shots-"))
    ctx = open_app(Paths(tmp, custom=True))
    create_app()
    window = MainWindow(ctx)
    window.show()
    QApplication.processEvents()
    window.grab().save(str(out / "01-empty.png"))
    window.load_sample()
    QApplication.processEvents()
    window.grab().save(str(out / "02-list.png"))
    import datetime as dt

    from PySide6.QtCore import QDate

    from winback_desktop.services.schedule import booking as schedule

    first = schedule.agenda(ctx, days=14)[0]
    window.today.person.setCurrentIndex(window.today.person.findData(first.leader_id))
    window.today.day.setDate(QDate(first.local_start.year, first.local_start.month, first.local_start.day))
    window.tabs.setCurrentWidget(window.today)
    QApplication.processEvents()
    window.grab().save(str(out / "04-today.png"))
    window.show_tab(window.tabs.indexOf(window.followups))
    QApplication.processEvents()
    window.grab().save(str(out / "05-followups.png"))
    window.show_tab(window.tabs.indexOf(window.cycles))
    QApplication.processEvents()
    window.grab().save(str(out / "06-cycles.png"))
    window.tabs.setCurrentIndex(0)
    _ = dt
    window.search.setText("gmbh")
    window.refresh()
    QApplication.processEvents()
    window.grab().save(str(out / "03-search.png"))
    window.search.setText("Harbourline")  # a customer with an earlier call and open promises
    window.refresh()
    from tests.helpers.children.crash import started_call

    call = started_call(QApplication.instance(), window)
    QApplication.processEvents()
    for i, key in enumerate(call.stage_keys(), start=1):
        call.go_to(key)
        QApplication.processEvents()
        call.grab().save(str(out / f"1{i}-stage-{key}.png"))
    step = call.editor("next_steps").add_step()
    step.what.setText("Send the new delivery schedule")
    while not step.action_id:  # made by the database on a worker thread
        QApplication.processEvents()
    call.grab().save(str(out / "15-close-with-step.png"))
    preview = call.preview_sheet()
    import time

    deadline = time.monotonic() + 2  # QPdfView renders pages on a worker thread
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.05)
    preview.grab().save(str(out / "16-sheet-preview.png"))
    preview.close()
    call.close()
    volume = window.roster_menu.show_volume()
    QApplication.processEvents()
    volume.grab().save(str(out / "20-volume.png"))
    volume.close()
    from winback_desktop.ui.roster.import_dialog import ImportDialog

    sample = tmp / "crm-export.csv"
    sample.write_bytes(
        "Account ID;Account Name;First Name;Last Name;Mobile;Last order date;Annual revenue\r\n"
        "00586;Müller & Söhne GmbH;Jürgen;Müller;+49 30 1234567;31.01.2024;1.234,50\r\n"
        "00587;Société Générale Traiteur;Zoé;Lefèvre;+33 1 23 45 67 89;15.03.2024;980,00\r\n".encode("cp1252")
    )
    dialog = ImportDialog(ctx, "customers", window)
    dialog.load(sample)
    dialog.show()
    QApplication.processEvents()
    dialog.grab().save(str(out / "21-import.png"))
    dialog.close()
    window.close()
    ctx.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "shots"))
