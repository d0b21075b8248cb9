"""The start floor: a fresh Python process that imports PySide6, shows a bare QMainWindow with a
QTableView of the 200 highest-priority customers read with plain sqlite3, and prints when painted.

    python bench/floor_start.py DATABASE      ->  "shown <epoch> rows=200"
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

COLUMNS = "priority, company, contact_name, external_id, yearly_revenue, last_purchase, orders_count, "
COLUMNS += "status, decision, segment, owner"


def main() -> int:
    app = QApplication(sys.argv[:1])
    conn = sqlite3.connect(sys.argv[1])
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM customers ORDER BY priority DESC, id DESC LIMIT 200"
    ).fetchall()
    conn.close()
    model = QStandardItemModel(len(rows), 11)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            model.setItem(i, j, QStandardItem("" if v is None else str(v)))
    window = QMainWindow()
    view = QTableView()
    view.setModel(model)
    window.setCentralWidget(view)
    window.resize(1240, 720)
    window.show()

    def shown() -> None:
        window.repaint()
        print(f"shown {time.time():.6f} rows={model.rowCount()}", flush=True)
        app.quit()

    QTimer.singleShot(0, shown)
    code = app.exec()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 can crash freeing the items at exit


if __name__ == "__main__":
    sys.exit(main())
