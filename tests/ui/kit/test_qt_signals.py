"""Guard against a Qt binding that miscounts references when it delivers signals to Python.

PySide6 6.12.0 dropped a reference to True on every signal delivered to a Python slot; a long
session then dies in "Fatal Python error: bool_dealloc". pyproject excludes that release; this
test fails on any binding with the same fault, before a user's session does.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    bare = Signal()
    number = Signal(int)
    text = Signal(str)


def test_signal_delivery_keeps_reference_counts(qapp):
    emitter = Emitter()
    received = []
    emitter.bare.connect(lambda: received.append(None))
    emitter.number.connect(lambda n: received.append(n))
    emitter.text.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for i in range(500):
        emitter.bare.emit()
        emitter.number.emit(i)
        emitter.text.emit("x")
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    assert len(received) == 1500
    # received holds 500 extra references to None; True and False must be untouched.
    assert after[0] == before[0] and after[1] == before[1]
    assert after[2] == before[2] + 500
