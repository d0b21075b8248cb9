"""The user is told, in a dialog, when the database is damaged, empty or missing, at start-up
and the moment the background check finds damage while the app is open; writes stop then."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.helpers.dialogs import Answerer, answer
from tests.helpers.faults import unindexed_change, zero_pages
from tests.ui.call.test_call_flow import open_call_by_keyboard
from winback_desktop import app
from winback_desktop.bootstrap import open_app
from winback_desktop.paths import Paths
from winback_desktop.services.demo import load_demo
from winback_desktop.services.maintenance import backups as maintenance
from winback_desktop.services.people import team
from winback_desktop.store import integrity
from winback_desktop.store.integrity import WritesStoppedError
from winback_desktop.ui.kit import damage
from winback_desktop.ui.main_window import MainWindow

Button = QMessageBox.StandardButton


@pytest.fixture
def demo_paths(paths: Paths) -> Paths:
    ctx = open_app(paths)
    load_demo(ctx)
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.close()
    return paths


@pytest.mark.sqlite_only  # the SQLite file damaged, emptied or gone
def test_a_damaged_database_with_no_good_backup_says_so_with_the_paths(qtbot, demo_paths, tmp_path):
    zero_pages(demo_paths.database, 3, 3)
    answerer = Answerer([Button.Ok], shots=tmp_path).start()
    assert app.open_or_recover(demo_paths) is None  # the start-up's own question, answered
    ((title, text),) = answerer.seen
    assert "no good backup" in title
    for where in (demo_paths.database, demo_paths.backups, demo_paths.logs / "winback.log"):
        assert str(where) in text
    assert "Nothing was written to it" in text
    assert (tmp_path / "dialog-1.png").stat().st_size > 0


@pytest.mark.sqlite_only  # the SQLite file damaged, emptied or gone
@pytest.mark.parametrize("kind", ["empty", "missing"])
def test_an_empty_or_missing_database_offers_the_backup_and_declining_makes_nothing(
    qtbot, demo_paths, tmp_path, kind
):
    maintenance.backup_now(demo_paths)
    if kind == "empty":
        demo_paths.database.write_bytes(b"")
    else:
        demo_paths.database.unlink()
    answerer = Answerer([Button.No], shots=tmp_path).start()
    assert app.open_or_recover(demo_paths) is None
    ((_title, text),) = answerer.seen
    assert f"is {kind}" in text and "Restore the newest good backup (" in text
    assert str(demo_paths.database) in text
    if kind == "missing":
        assert not demo_paths.database.exists() and str(demo_paths.backups) in text
    else:
        assert demo_paths.database.stat().st_size == 0


@pytest.mark.sqlite_only  # the SQLite file damaged, emptied or gone
def test_damage_found_while_the_app_is_open_stops_writes_and_is_shown_at_once(qtbot, demo_paths, tmp_path):
    maintenance.backup_now(demo_paths)
    unindexed_change(
        demo_paths.database,
        "ix_customers_company",
        "UPDATE customers SET company = company || ' Ltd' WHERE id % 4 = 0",
    )
    ctx = open_app(demo_paths)  # the quick check passes: the index is the only thing wrong
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    call = open_call_by_keyboard(qtbot, window, "Harbourline")
    editor = call.editor("what_happened")
    qtbot.keyClicks(editor, "Typed before the check")
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Saved"), timeout=5000)

    answerer = Answerer([Button.No], shots=tmp_path)
    watch = damage.watch(window, demo_paths)  # the real check, in its child process
    answerer.start()
    qtbot.waitUntil(lambda: bool(answerer.seen), timeout=60000)
    ((title, text),) = answerer.seen
    assert "damaged" in title and "ix_customers_company" in text and "stopped writing" in text
    assert "Restore the newest good backup (" in text
    assert watch.banner is not None and watch.banner.isVisible()
    assert "nothing more is saved" in watch.banner.text()
    window.grab().save(str(tmp_path / "window-with-banner.png"))

    qtbot.keyClicks(editor, " and after it")
    qtbot.waitUntil(lambda: call.saved_label.text().startswith("Not saved yet"), timeout=5000)
    assert "damaged" in call.saved_label.text()
    assert editor.value() == "Typed before the check and after it"  # on screen, not lost
    with pytest.raises(WritesStoppedError):
        team.add_person(ctx, "Nobody", "caller")
    # A button that writes, pressed now: a clear message, not "unexpected error".
    previous = sys.excepthook
    app.install_excepthook(tmp_path / "winback.log", window.save_everything)
    refused = Answerer([Button.Ok]).start()
    try:
        try:
            team.add_person(ctx, "Nobody", "caller")
        except WritesStoppedError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    ((_title, text),) = refused.seen
    assert "unexpected" not in text and "is damaged" in text and "Nothing was changed" in text
    # Closing the call now asks (its last words never reached the damaged file); close anyway:
    # they stay in the recovery journal for the next start.
    asked: list[str] = []
    answer("Close anyway", asked)
    call.close()
    assert asked and "not reached the database" in asked[0]
    answer("Close anyway", asked)  # quitting asks once more: the closed call's notes still wait
    window.close()
    assert len(asked) == 2


@pytest.mark.sqlite_only  # the SQLite file damaged, emptied or gone
def test_restoring_from_the_damage_dialog_brings_writes_back(qtbot, demo_paths, tmp_path):
    good = maintenance.backup_now(demo_paths)
    ctx = open_app(demo_paths)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    watch = damage.DamageWatch(window, demo_paths)
    integrity.mark_damaged(demo_paths.database, "page 9 is zeroed")  # as the check job does
    answerer = Answerer([Button.Yes], shots=tmp_path).start()
    watch.found("page 9 is zeroed", good)
    assert answerer.seen and "page 9 is zeroed" in answerer.seen[0][1]
    assert watch.banner is not None and not watch.banner.isVisible()
    assert integrity.recorded_damage(demo_paths.database) is None
    team.add_person(window.ctx, "Written after the restore", "caller")
    assert list(demo_paths.backups.glob("replaced-*.sqlite3"))  # the damaged file, kept


def test_what_opening_found_in_the_log_is_shown(qtbot, tmp_path):
    notice = (
        "The database's write-ahead log is damaged (frame 12 fails its checksum): the last 3 saved "
        "changes, made before 14:05, may be missing. The damaged log is kept at "
        "/home/u/.local/share/winback-desk/backups/damaged-wal-20260301-140712-1a2b3c4d.sqlite3-wal."
    )
    answerer = Answerer([Button.Ok], shots=tmp_path).start()
    damage.show_notices(None, [notice])
    ((title, text),) = answerer.seen
    assert "may be missing" in title and text == notice


@pytest.mark.sqlite_only  # the SQLite file damaged, emptied or gone
def test_damage_found_by_a_backup_made_now_is_shown_like_the_checks(qtbot, demo_paths, tmp_path):
    unindexed_change(
        demo_paths.database, "ix_customers_status", "UPDATE customers SET status = 'x' WHERE id % 5 = 0"
    )
    ctx = open_app(demo_paths)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    answerer = Answerer([Button.Ok], shots=tmp_path).start()
    assert window.backup_now() is None  # File › Back up now
    ((title, text),) = answerer.seen
    assert "no good backup" in title and "ix_customers_status" in text and "stopped writing" in text
    assert window.damage_watch.banner.isVisible()
    assert not list(demo_paths.backups.iterdir())  # no copy of a damaged file kept as a backup
    with pytest.raises(WritesStoppedError):
        team.add_person(ctx, "Nobody", "caller")
