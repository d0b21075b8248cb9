"""Team load: many desk processes on one PostgreSQL database, autosaving and searching.

    python bench/team_load.py --database-url postgresql://USER@HOST/DB [--desks 20] [--seconds 60]

Each desk is its own process with its own data dir (journal, logs), as a desk on its own machine
is: it opens the database with ``bootstrap.open_app``, has one call in progress, and for
``--seconds`` types into three of its notes -- every save through the app's notes writer
(journal, then ``calls.save_field`` on the writer's thread), one every 0.4-1.2 s -- and now and
then searches the roster letter by letter (``roster_search``, as the roster panel does, 120-250
ms between keystrokes). Afterwards every note's final text is read back with plain SQL on a
connection of its own and compared with the last text its desk saved: a difference is a lost
write. Reported: the saves, p50/p99 of a save (submit until the writer has committed it) and of a
search keystroke, lost writes, desk errors and timeouts, and the serialization failures and
deadlocks the desks' engines met (SQLSTATE 40001/40P01, counted by each desk's engine) beside the
server's own deadlock count (``pg_stat_database``).

The database: an EMPTY one (``psql ... -c 'create database team_x'``) is migrated and filled with
the benchmark's generated customers (``--customers``, default 20,000); one that already holds
customers (a database ``bench/run.py --database-url`` filled, say) is used as it is. Either way
the test adds one person and one call per desk and leaves them. Loopback or a LAN server only:
the numbers say nothing about a database across the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TERMS = ["harbour foods", "grace", "meridian", "c-042", "müller", "oak inn", "sofia", "castle"]
NOTES = 3  # notes each desk types into
READY_S = 300  # for all desks to have opened the database (20 Python starts on a busy machine)
SAVE_TIMEOUT_S = 15.0  # a save not committed by then is a timeout (a stuck or deadlocked desk)
RETRYABLE = {"40001": "serialization", "40P01": "deadlock"}


# ------------------------------------------------------------------------------------ a desk
@dataclass
class DeskResult:
    desk: int
    call_id: int
    saves: int = 0
    save_ms: list[float] = field(default_factory=list)
    search_ms: list[float] = field(default_factory=list)
    last: dict[str, str] = field(default_factory=dict)  # "stage.key" -> the last text saved
    errors: list[str] = field(default_factory=list)
    retried: dict[str, int] = field(default_factory=dict)  # SQLSTATE kind -> how many met


def _count_retryable(engine, result: DeskResult) -> None:
    """Count the serialization failures and deadlocks this desk's engine meets (the app may
    retry them: each is counted once, retried or not)."""
    from sqlalchemy import event

    def heard(context) -> None:
        code = getattr(context.original_exception, "sqlstate", None)
        if code in RETRYABLE:
            kind = RETRYABLE[code]
            result.retried[kind] = result.retried.get(kind, 0) + 1

    event.listen(engine, "handle_error", heard)


def _search(ctx, rng: random.Random, result: DeskResult, deadline: float) -> None:
    from winback_desktop.services.roster.query import roster_search

    term = rng.choice(TERMS)
    for i in range(1, len(term) + 1):
        if time.monotonic() >= deadline:
            return
        if term[i - 1] == " ":
            continue
        t0 = time.perf_counter()
        roster_search(ctx, text=term[:i])
        result.search_ms.append((time.perf_counter() - t0) * 1000)
        time.sleep(rng.uniform(0.12, 0.25))  # the panel's search delay and the next key


def _save(writer, call_id: int, slot: tuple[str, str], text: str, result: DeskResult) -> None:
    from winback_desktop.services.calls.journal import field_save

    stage, key = slot
    t0 = time.perf_counter()
    problem = writer.submit([field_save(call_id, stage, key, text)])
    result.last[f"{stage}.{key}"] = text
    if problem:
        result.errors.append(f"journal: {problem}")
    if not writer.wait(call_id, timeout=SAVE_TIMEOUT_S):
        why = writer.state(call_id).problem or "no answer from the database"
        result.errors.append(f"save not committed within {SAVE_TIMEOUT_S:.0f} s: {why}")
        return
    result.save_ms.append((time.perf_counter() - t0) * 1000)
    result.saves += 1


def run_desk(desk: int, url: str, data_dir: Path, call_id: int, seed: int) -> DeskResult:
    """One desk: open the database, say "ready", wait for "go SECONDS", work, return the tally."""
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.services.calls.writer import notes_writer
    from winback_desktop.services.roster.query import roster_search

    result = DeskResult(desk, call_id)
    rng = random.Random(seed)
    ctx = open_app(Paths(data_dir, custom=True, database_url=url))
    try:
        _count_retryable(ctx.engine, result)
        slots = [(st.key, f.key) for st in ctx.script.stages for f in st.fields if f.kind == "text"]
        slots = slots[:NOTES]
        writer = notes_writer(ctx)
        roster_search(ctx, text=TERMS[0])  # warm: imports, the first queries
        print("ready", flush=True)
        seconds = float(sys.stdin.readline().split()[1])
        deadline = time.monotonic() + seconds
        next_search = time.monotonic() + rng.uniform(2, 6)
        texts = {slot: f"Desk {desk} notes:" for slot in slots}
        while time.monotonic() < deadline:
            if time.monotonic() >= next_search:
                _search(ctx, rng, result, deadline)
                next_search = time.monotonic() + rng.uniform(4, 8)
                continue
            slot = rng.choice(slots)
            texts[slot] += f" {result.saves + 1}:" + rng.choice(("late", "crates", "credit", "call back"))
            _save(writer, call_id, slot, texts[slot], result)
            time.sleep(rng.uniform(0.4, 1.2))  # the Autosaver's throttle and a person typing
        if not writer.wait(timeout=SAVE_TIMEOUT_S):
            result.errors.append("saves still owed to the database at the end")
    except Exception as exc:  # noqa: BLE001 - reported as this desk's error, never hidden
        result.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
    finally:
        ctx.close()
    return result


# ------------------------------------------------------------------------------ the coordinator
@dataclass
class TeamResult:
    desks: int
    seconds: float
    customers: int
    results: list[DeskResult]
    lost: list[str]  # "desk N call C stage.key: wanted ... found ..."
    failed: list[str]  # desks that crashed, timed out or reported errors
    server_deadlocks: int

    @property
    def saves(self) -> int:
        return sum(r.saves for r in self.results)

    def retried(self, kind: str) -> int:
        return sum(r.retried.get(kind, 0) for r in self.results)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.failed and self.server_deadlocks == 0 and self.saves > 0


def _prepare(url: str, desks: int, customers: int, work: Path, log) -> tuple[list[int], int]:
    """Migrate (and fill, when empty) the database; one person and one call per desk."""
    from sqlalchemy import exists, func, select

    from bench.dataset import Sizes, build
    from winback_desktop.bootstrap import open_app
    from winback_desktop.paths import Paths
    from winback_desktop.services.calls.lifecycle import start_call
    from winback_desktop.services.people.team import add_person
    from winback_desktop.store.models import Call, Customer

    paths = Paths(work / "coordinator", custom=True, database_url=url)
    ctx = open_app(paths)
    try:
        with ctx.sessions() as s:
            held = s.scalar(select(func.count()).select_from(Customer)) or 0
    finally:
        ctx.close()
    if not held:
        build(work / "dataset", Sizes(customers, customers * 5, customers // 50), log=log, database_url=url)
        held = customers
    ctx = open_app(paths)
    try:
        with ctx.sessions() as s:
            free = list(
                s.scalars(
                    select(Customer.id)
                    .where(~exists().where(Call.customer_id == Customer.id, Call.status != "completed"))
                    .order_by(Customer.id)
                    .limit(desks)
                )
            )
        if len(free) < desks:
            raise SystemExit(f"only {len(free)} customers without an open call: fewer than {desks} desks")
        stamp = time.strftime("%H%M%S")
        calls = []
        for i, customer_id in enumerate(free):
            person = add_person(ctx, f"Load desk {i + 1} ({stamp})", "caller")
            calls.append(start_call(ctx, customer_id, caller_id=person))
    finally:
        ctx.close()
    return calls, held


def _spawn(desk: int, url: str, work: Path, call_id: int) -> subprocess.Popen:
    err = (work / f"desk-{desk}.stderr").open("w")  # a file: a full pipe would stop the desk
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, PYTHONPATH=path)
    env.pop("WINBACK_DATABASE_URL", None)  # the desk is given its URL; nothing else decides
    cmd = [sys.executable, "-m", "bench.team_load", "--desk", str(desk), "--call", str(call_id)]
    cmd += ["--database-url", url, "--data-dir", str(work / f"desk-{desk}")]
    return subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, env=env
    )


def _wait_ready(procs: list[subprocess.Popen]) -> list[str]:
    """Until every desk said "ready" (or died, or the time ran out): the problems of the rest."""
    import selectors

    deadline = time.monotonic() + READY_S
    waiting = {}
    with selectors.DefaultSelector() as sel:
        for i, p in enumerate(procs):
            assert p.stdout is not None
            sel.register(p.stdout, selectors.EVENT_READ, i)
            waiting[i] = p
        while waiting and time.monotonic() < deadline:
            for key, _ev in sel.select(timeout=1.0):
                i = key.data
                line = procs[i].stdout.readline()  # type: ignore[union-attr]
                if line.strip() == "ready" or not line:  # ready, or its end (it died)
                    sel.unregister(key.fileobj)
                    if line.strip() == "ready":
                        del waiting[i]
    return [f"desk {i + 1} never got ready (exit {p.poll()})" for i, p in waiting.items()]


def _collect(procs: list[subprocess.Popen], seconds: float, work: Path) -> tuple[list[DeskResult], list[str]]:
    results, failed = [], []
    deadline = time.monotonic() + seconds + 60 + SAVE_TIMEOUT_S
    for i, p in enumerate(procs):
        try:
            out, _err = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            out, _err = p.communicate()
            failed.append(f"desk {i + 1} did not finish in time (killed): stuck or deadlocked")
            continue
        found = [ln for ln in out.splitlines() if ln.startswith("{")]
        if p.returncode != 0 or not found:
            tail = (work / f"desk-{i + 1}.stderr").read_text(errors="replace").strip().splitlines()[-1:]
            failed.append(f"desk {i + 1} exited {p.returncode}: {tail}")
            continue
        r = DeskResult(**json.loads(found[-1]))
        results.append(r)
        if r.errors:
            failed.append(f"desk {r.desk}: {len(r.errors)} errors, first: {r.errors[0]}")
    return results, failed


def read_back(url: str, results: list[DeskResult]) -> list[str]:
    """Every desk's notes as the database holds them, read with plain SQL on a connection of
    its own, beside the last text the desk saved: the differences (lost writes)."""
    from bench import pg

    conn = pg.connect(url)
    lost = []
    try:
        for r in results:
            held = {
                f"{stage}.{key}": value
                for stage, key, value in conn.execute(
                    "SELECT stage, field, value FROM stage_answers WHERE call_id = ?", (r.call_id,)
                )
            }
            for slot, text in r.last.items():
                if held.get(slot) != text:
                    found = held.get(slot)
                    lost.append(
                        f"desk {r.desk} call {r.call_id} {slot}: saved ...{text[-40:]!r}, database holds "
                        + ("nothing" if found is None else f"...{found[-40:]!r}")
                    )
    finally:
        conn.close()
    return lost


def server_deadlocks(url: str) -> int:
    from bench import pg

    conn = pg.connect(url)
    try:
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        return int(row[0]) if row else 0
    finally:
        conn.close()


def run(url: str, desks: int = 20, seconds: float = 60, customers: int = 20_000, log=print) -> TeamResult:
    """The whole test: prepare, start the desks, let them work ``seconds``, check every write."""
    with tempfile.TemporaryDirectory(prefix="winback-team-") as tmp:
        work = Path(tmp)
        calls, held = _prepare(url, desks, customers, work, log)
        log(f"{desks} desks starting on {held:,} customers")
        procs = [_spawn(i + 1, url, work, call_id) for i, call_id in enumerate(calls)]
        try:
            failed = _wait_ready(procs)
            before = server_deadlocks(url)
            for p in procs:
                if p.poll() is None and p.stdin is not None:
                    p.stdin.write(f"go {seconds}\n")
                    p.stdin.flush()
            log(f"all ready; working {seconds:g} s")
            results, more = _collect(procs, seconds, work)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        deadlocks = server_deadlocks(url) - before
    return TeamResult(desks, seconds, held, results, read_back(url, results), failed + more, deadlocks)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def table(t: TeamResult) -> str:
    saves = [ms for r in t.results for ms in r.save_ms]
    keys = [ms for r in t.results for ms in r.search_ms]
    rows = [
        ("desks", f"{t.desks} processes, {t.seconds:g} s, {t.customers:,} customers"),
        ("saves", f"{t.saves:,} ({t.saves / t.seconds:.1f}/s)"),
        ("save p50 / p99", f"{_pct(saves, 50):.1f} ms / {_pct(saves, 99):.1f} ms"),
        ("search keystrokes", f"{len(keys):,}"),
        ("search p50 / p99", f"{_pct(keys, 50):.1f} ms / {_pct(keys, 99):.1f} ms"),
        ("lost writes", f"{len(t.lost)}"),
        ("desk errors / timeouts", f"{len(t.failed)}"),
        ("serialization failures met", f"{t.retried('serialization')}"),
        ("deadlocks (desks / server)", f"{t.retried('deadlock')} / {t.server_deadlocks}"),
    ]
    width, vwidth = max(len(a) for a, _b in rows), max(len(b) for _a, b in rows)
    out = [f"| {'measure'.ljust(width)} | {'value'.ljust(vwidth)} |"]
    out += [f"|{'-' * (width + 2)}|{'-' * (vwidth + 2)}|"]
    out += [f"| {a.ljust(width)} | {b.ljust(vwidth)} |" for a, b in rows]
    out += [f"- LOST: {x}" for x in t.lost] + [f"- FAILED: {x}" for x in t.failed]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True, metavar="URL", help="a PostgreSQL database (see above)")
    ap.add_argument("--desks", type=int, default=20, help="desk processes (default 20)")
    ap.add_argument("--seconds", type=float, default=60, help="how long they work (default 60)")
    ap.add_argument("--customers", type=int, default=20_000, help="customers to fill an empty database with")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the tally as JSON")
    ap.add_argument("--desk", type=int, help=argparse.SUPPRESS)  # a desk process (spawned by run)
    ap.add_argument("--call", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.desk is not None:
        r = run_desk(args.desk, args.database_url, args.data_dir, args.call, seed=args.desk)
        print(json.dumps(r.__dict__), flush=True)
        return 0
    from winback_desktop.store.server import ServerUrlError, parse, redact

    try:
        parse(args.database_url)
    except ServerUrlError as exc:
        ap.error(str(exc))
    started = time.strftime("%Y-%m-%d %H:%M")
    from bench import pg
    from bench.run import load, machine

    where = f"{redact(args.database_url)} ({pg.server_version(args.database_url)})"
    print(f"Win-Back Desk team load, {started}; {machine()}; {load()}; {where}", flush=True)

    def log(msg: str) -> None:
        print(f"  {msg}", flush=True)

    t = run(args.database_url, args.desks, args.seconds, args.customers, log=log)
    print()
    print(table(t))
    print(f"\n(at the end: {load()})")
    if args.json:
        data: dict[str, Any] = {"ok": t.ok, "lost": t.lost, "failed": t.failed, "saves": t.saves}
        data["save_ms"] = [ms for r in t.results for ms in r.save_ms]
        data["search_ms"] = [ms for r in t.results for ms in r.search_ms]
        args.json.write_text(json.dumps(data) + "\n", encoding="utf-8")
    return 0 if t.ok else 1


if __name__ == "__main__":
    sys.exit(main())
