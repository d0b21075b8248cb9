"""``winback db dump``: a team database written to one file by PostgreSQL's own ``pg_dump``
(custom format: ``pg_restore`` reads it back, table by table if need be).

The URL's server, port, user and database go to pg_dump as arguments; a password never does
(the command line is visible to every user of the machine): libpq finds it in ``~/.pgpass``,
``PGPASSFILE`` or a service file, as it does for the app. A password written into the URL
anyway is handed over the same way, in a private password file that lives as long as the dump.
The file is written beside its target and renamed when complete, mode 0600: it is every
customer's data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from winback_desktop.store import server as urls

if TYPE_CHECKING:
    from sqlalchemy import URL

DEBIAN_PACKAGE = "postgresql-client"


class DumpError(RuntimeError):
    """pg_dump is missing or failed; the message says which and what to do."""


def pg_dump_command(url: URL, target: Path, program: str = "pg_dump") -> list[str]:
    """The command line: server, port, user as options; the database as a connection string
    with the URL's other settings (sslmode, service...); never a password."""
    command = [program, "--format=custom", "--no-password", f"--file={target}"]
    if url.host:
        command.append(f"--host={url.host}")
    if url.port:
        command.append(f"--port={url.port}")
    if url.username:
        command.append(f"--username={url.username}")
    words = [f"dbname={_quoted(url.database or '')}"]
    for key, value in sorted(url.query.items()):
        if key != "password":
            words.append(f"{key}={_quoted(value if isinstance(value, str) else value[-1])}")
    command.append(f"--dbname={' '.join(words)}")
    return command


def _quoted(value: str) -> str:
    """A libpq connection-string value: quoted, with ' and \\ escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _password_file(folder: Path, url: URL) -> Path:
    """A private .pgpass for a URL that carries its password (host:port:db:user:password)."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace(":", "\\:")

    fields = [url.host or "*", str(url.port or "*"), url.database or "*", url.username or "*"]
    path = folder / "pgpass"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(":".join(esc(x) for x in fields) + ":" + esc(str(url.password)) + "\n")
    return path


def dump(database_url: str, target: Path, *, timeout_s: float | None = None) -> Path:
    """Write the team database to ``target`` (pg_dump's custom format, mode 0600); returns it.
    Raises :class:`DumpError` naming what is wrong (pg_dump missing, the server's refusal)."""
    program = shutil.which("pg_dump")
    if program is None:
        raise DumpError(
            f"pg_dump is not installed: it comes with PostgreSQL's client tools "
            f"(on Debian: sudo apt install {DEBIAN_PACKAGE})"
        )
    url = urls.parse(database_url)
    target = target.expanduser().absolute()
    if not target.parent.is_dir():
        raise DumpError(f"cannot write {target}: there is no folder {target.parent}")
    part = target.with_name(target.name + ".part")
    fd = os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    env = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory(prefix="winback-dump-") as private:
            if url.password is not None:
                env["PGPASSFILE"] = str(_password_file(Path(private), url))
            done = subprocess.run(
                pg_dump_command(url, part, program),
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        if done.returncode != 0:
            lines = [line.removeprefix("pg_dump: ") for line in done.stderr.splitlines() if line.strip()]
            why = "; ".join(lines[-3:]) or f"pg_dump exited with {done.returncode}"
            raise DumpError(f"pg_dump could not dump {urls.redact(database_url)}: {why}")
        os.chmod(part, 0o600)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target
