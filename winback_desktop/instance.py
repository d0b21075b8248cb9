"""One app per data folder: a lock file, and a local channel to bring the first window forward.

QLockFile notices a lock left by a crashed process (its PID is gone) and takes it over. The
channel is a local socket (a named pipe / Unix socket): no network is involved.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from collections.abc import Callable

from PySide6.QtCore import QLockFile, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from winback_desktop.paths import Paths, make_private_dir

log = logging.getLogger(__name__)
RAISE_MESSAGE = b"raise\n"


class InstanceLock:
    def __init__(self, paths: Paths):
        self.path = paths.lock_file
        self._lock = QLockFile(str(paths.lock_file))
        # 0: never treat a live holder's lock as stale because of its age (the default 30 s
        # would let a second instance take the lock from a long-running first one).
        self._lock.setStaleLockTime(0)

    def acquire(self) -> bool:
        try:
            make_private_dir(self.path.parent)
        except OSError:  # a read-only or full disk: no lock can be written (held_elsewhere: no)
            log.warning("cannot make %s for the lock file", self.path.parent, exc_info=True)
            return False
        return self._lock.tryLock(200)

    @property
    def held_elsewhere(self) -> bool:
        """After a failed :meth:`acquire`: another running app holds the lock. False when the
        lock file could not be written at all (a full or read-only disk), which is no sign of
        another app: ``QLockFile`` reports that as a permission or unknown error."""
        return self._lock.error() == QLockFile.LockError.LockFailedError

    def release(self) -> None:
        if self._lock.isLocked():
            self._lock.unlock()


def channel_name(paths: Paths) -> str:
    digest = hashlib.sha256(str(paths.data_dir).encode()).hexdigest()[:16]
    return f"winback-desk-{getpass.getuser()}-{digest}"


def ask_running_instance_to_raise(paths: Paths, timeout_ms: int = 1000) -> bool:
    """Tell the app already open on this data folder to come forward; True if it answered."""
    socket = QLocalSocket()
    socket.connectToServer(channel_name(paths))
    if not socket.waitForConnected(timeout_ms):
        return False
    written = socket.write(RAISE_MESSAGE)
    if socket.bytesToWrite():  # flushed already when it was small enough
        socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return written == len(RAISE_MESSAGE)


class RaiseListener(QObject):
    """Listens on the channel; calls ``on_raise`` when a second start asks for the window."""

    def __init__(self, paths: Paths, on_raise: Callable[[], None], parent: QObject | None = None):
        super().__init__(parent)
        self._on_raise = on_raise
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        name = channel_name(paths)
        QLocalServer.removeServer(name)  # a socket file left by a crashed instance
        if self._server.listen(name):
            log.info("listening for other starts on %s", name)
        else:
            log.warning("cannot listen on %s: %s", name, self._server.errorString())
        self._server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(conn.deleteLater)

    def _read(self, conn: QLocalSocket) -> None:
        if bytes(conn.readAll().data()).startswith(RAISE_MESSAGE.strip()):
            log.info("another start asked for this window")
            self._on_raise()
