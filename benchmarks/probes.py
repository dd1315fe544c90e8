"""What the machine and PostgreSQL did during a phase, sampled in a process of its own
(a thread in the load client would take its interpreter lock and delay its event loop).

    python -m benchmarks.probes OUT.json DATABASE SERVER_PID CLIENT_PID

Every TICK seconds, until SIGTERM: the machine's CPU time by kind (`/proc/stat`: busy,
steal), the runnable threads (`/proc/loadavg`'s run-queue), the time some thread waited
for a core (`/proc/pressure/cpu`), and the CPU time of the benchmark's own processes (the
server, the client, this probe, PostgreSQL's backends for our database): the rest of the
busy time is other work on the machine. Every POLL seconds, what PostgreSQL's sessions
wait for (`pg_stat_activity`). At both ends, the checkpointer's and the database's
counters; at the end, the lines the PostgreSQL server log gained (checkpoints,
autovacuum, our database's slow statements and lock waits: `prepare_database` turns
those on for the bench database only).

And every DISK_EVERY seconds, in a thread of its own, the disk: one 8 kB page written and
flushed (fdatasync, what PostgreSQL does to its WAL at every commit) to a file on the
same disk, and how long the flush took. Every read of a family commits an access event,
so a request waits for the disk whenever the disk makes a commit wait; a flush that
takes DISK_STALL or more while the machine's disk is probed apart from PostgreSQL is the
disk's own stall, not the application's (issue 19).
"""

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from .config import BIN, PG_SERVER, ROOT, VAR

HZ = os.sysconf("SC_CLK_TCK")
TICK = 0.1
POLL = 0.5
REFRESH = 1.0  # how often the set of our processes is looked up again
PG_LOG = Path(os.environ.get("BENCH_PG_LOG", "/var/log/postgresql/postgresql-15-main.log"))
DISK_EVERY = 0.05  # 20 flushes a second: the commits' own rate under the load, no more
DISK_STALL = 0.05  # a flush this long is a stall: 200 times the idle disk's median
DISK_FILE = VAR / "disk-probe"


def _probe_disk(stop: threading.Event, flushes: list) -> None:
    """[(start, seconds)] of each flush of one 8 kB page, until `stop`."""
    page = bytes(8192)
    DISK_FILE.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(DISK_FILE, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while not stop.is_set():
            os.pwrite(fd, page, 0)
            started = time.monotonic()
            os.fdatasync(fd)
            spent = time.monotonic() - started
            flushes.append((round(started, 4), round(spent, 5)))
            stop.wait(max(0.0, DISK_EVERY - spent))
    finally:
        os.close(fd)
        DISK_FILE.unlink(missing_ok=True)


def prepare_database(url: str, database: str) -> None:
    """Slow statements (≥ 50 ms) and lock waits (≥ 20 ms) of the bench database go to the
    server's log; other databases keep the server's settings."""
    with psycopg.connect(url, autocommit=True) as conn:
        for setting, value in (
            ("log_min_duration_statement", "50"),
            ("log_lock_waits", "on"),
            ("deadlock_timeout", "20"),
        ):
            conn.execute(f'ALTER DATABASE "{database}" SET {setting} = {value}')


def _cpu_line() -> list[int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return values  # user nice system idle iowait irq softirq steal


def _running() -> int:
    """Threads runnable now (running or waiting for a core), this probe's excluded."""
    return int(Path("/proc/loadavg").read_text().split()[3].split("/")[0]) - 1


def _pressure() -> int:
    """Microseconds during which some thread was waiting for a core, since boot."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return 0
    return int(line.rsplit("total=", 1)[1])


def _ours(server_pid: int, client_pid: int, database: str) -> set[int]:
    pids = {server_pid, client_pid, os.getpid()}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            status = (proc / "status").read_text()
            ppid = int(status.split("PPid:", 1)[1].split()[0])
            if ppid == server_pid:
                pids.add(int(proc.name))
            elif status.startswith("Name:\tpostgres"):
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
                if f" {database} " in f"{cmdline} ":
                    pids.add(int(proc.name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def _jiffies(pids: set[int], seen: dict[int, int]) -> int:
    """CPU time of our processes since we first saw each (one that exited keeps its last
    reading): summed into a counter that only grows."""
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[pid] = int(fields[11]) + int(fields[12])
    return sum(seen.values())


def _counters(conn: psycopg.Connection, database: str) -> dict:
    bgwriter = conn.execute(
        "SELECT checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_clean, "
        "buffers_backend, buffers_backend_fsync FROM pg_stat_bgwriter"
    ).fetchone()
    db = conn.execute(
        "SELECT xact_commit, blks_read, blks_hit, temp_files, deadlocks "
        "FROM pg_stat_database WHERE datname = %s",
        [database],
    ).fetchone()
    names = ["checkpoints_timed", "checkpoints_req", "buffers_checkpoint", "buffers_clean"]
    names += ["buffers_backend", "buffers_backend_fsync"]
    out = dict(zip(names, bgwriter, strict=True))
    out.update(
        dict(zip(["commits", "blks_read", "blks_hit", "temp_files", "deadlocks"], db, strict=True))
    )
    return out


def _activity(conn: psycopg.Connection, database: str) -> dict[str, int]:
    """Active sessions now, by what they wait for: ours, others', autovacuum."""
    rows = conn.execute(
        "SELECT datname = %s, backend_type, coalesce(wait_event_type, 'CPU'), wait_event "
        "FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
        "OR backend_type = 'autovacuum worker'",
        [database],
    ).fetchall()
    out: dict[str, int] = {}
    for ours, backend_type, wait_type, event in rows:
        if backend_type == "autovacuum worker":
            key = "autovacuum"
        elif ours:
            key = f"ours:{wait_type}" + (f":{event}" if wait_type == "Lock" else "")
        else:
            key = "other_databases"
        out[key] = out.get(key, 0) + 1
    return out


def sample(out: Path, database: str, server_pid: int, client_pid: int) -> None:
    stop = False

    def finish(*_args) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, finish)
    log_start = PG_LOG.stat().st_size if PG_LOG.exists() else None
    ticks = []
    activity: dict[str, int] = {}
    polls = 0
    seen: dict[int, int] = {}
    flushes: list = []
    disk_stop = threading.Event()
    disk = threading.Thread(target=_probe_disk, args=(disk_stop, flushes), daemon=True)
    disk.start()
    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True) as conn:
        before = _counters(conn, database)
        pids: set[int] = set()
        refreshed = polled = 0.0
        while not stop:
            now = time.monotonic()
            if now - refreshed >= REFRESH:
                pids, refreshed = _ours(server_pid, client_pid, database), now
            if now - polled >= POLL:
                polls += 1
                for key, count in _activity(conn, database).items():
                    activity[key] = activity.get(key, 0) + count
                polled = now
            ticks.append(
                [round(now, 4), *_cpu_line(), _jiffies(pids, seen), _running(), _pressure()]
            )
            time.sleep(max(0.0, TICK - (time.monotonic() - now)))
        after = _counters(conn, database)
    disk_stop.set()
    disk.join(timeout=5)
    lines: list[str] = []
    if log_start is not None:
        with PG_LOG.open("rb") as log:
            log.seek(log_start)
            text = log.read().decode(errors="replace")
        keep = ("checkpoint", "automatic vacuum", "automatic analyze", f"@{database} ")
        lines = [line for line in text.splitlines() if any(k in line for k in keep)][:200]
    out.write_text(
        json.dumps(
            {
                "ticks": ticks,
                "activity": {"polls": polls, "sessions": activity},
                "postgres": {k: after[k] - before[k] for k in after},
                "log": lines,
                "disk": flushes,
            }
        )
    )


class Probe:
    """The sampling process of one phase at a time."""

    def __init__(self, database: str, server_pid: int):
        self.database = database
        self.server_pid = server_pid
        self.process: subprocess.Popen | None = None
        self.out = VAR / "probe.json"

    def start(self, name: str) -> None:
        self.out.unlink(missing_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's python
            [
                str(BIN / "python"),
                "-m",
                "benchmarks.probes",
                str(self.out),
                self.database,
                str(self.server_pid),
                str(os.getpid()),
            ],
            cwd=ROOT,
        )
        time.sleep(0.3)  # its first tick before the phase's first request

    def stop(self) -> dict | None:
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        return json.loads(self.out.read_text()) if self.out.exists() else None


def summarize(raw: dict) -> dict:
    """The phase's machine figures: means, and the worst second."""
    ticks = raw["ticks"]
    if len(ticks) < 2:
        return {}
    windows = []
    step = max(1, round(1.0 / TICK))
    edges = ticks[::step]
    if edges[-1] is not ticks[-1]:
        edges.append(ticks[-1])  # the last, shorter window (and a phase under a second)
    for a, b in itertools.pairwise(edges):
        seconds = b[0] - a[0]
        delta = [(y - x) / HZ / seconds for x, y in zip(a[1:9], b[1:9], strict=True)]
        busy = sum(delta) - delta[3] - delta[4]
        ours = (b[9] - a[9]) / HZ / seconds
        windows.append(
            {
                "busy": busy,
                "steal": delta[7],
                "foreign": max(0.0, busy - ours),
                "running": max(t[10] for t in ticks if a[0] <= t[0] <= b[0]),
                "stall": (b[11] - a[11]) / 1e6 / seconds,
            }
        )

    def stats(key: str) -> dict:
        values = sorted(w[key] for w in windows)
        return {
            "mean": round(sum(values) / len(values), 3),
            "p95": round(values[int(0.95 * (len(values) - 1))], 3),
            "max": round(values[-1], 3),
        }

    first, last = ticks[0], ticks[-1]
    flushes = sorted(seconds for _start, seconds in raw.get("disk", []))
    disk = {}
    if flushes:
        disk = {
            "flushes": len(flushes),
            "p50_ms": round(flushes[len(flushes) // 2] * 1000, 2),
            "p99_ms": round(flushes[int(0.99 * (len(flushes) - 1))] * 1000, 2),
            "max_ms": round(flushes[-1] * 1000, 1),
            "stalls": sum(1 for f in flushes if f >= DISK_STALL),
            "stalls_100ms": sum(1 for f in flushes if f >= 0.1),
        }
    return {
        "disk": disk,
        "seconds": round(last[0] - first[0], 1),
        "busy_cores": stats("busy"),
        "steal_cores": stats("steal"),
        "foreign_cores": stats("foreign"),
        "running_threads": stats("running"),
        "cpu_stall_share": stats("stall"),
        "postgres_waits": raw["activity"],
        "postgres": raw["postgres"],
        "postgres_log": raw["log"][:40],
    }


def at(raw: dict, start: float, end: float) -> dict:
    """The machine between two instants (CLOCK_MONOTONIC): other work's cores, steal, the
    most runnable threads seen; widened to the ticks around a short request."""
    ticks = raw["ticks"]
    inside = [t for t in ticks if start - TICK <= t[0] <= end + TICK]
    if len(inside) < 2:
        return {}
    a, b = inside[0], inside[-1]
    seconds = b[0] - a[0]
    delta = [(y - x) / HZ / seconds for x, y in zip(a[1:9], b[1:9], strict=True)]
    busy = sum(delta) - delta[3] - delta[4]
    return {
        "foreign": max(0.0, busy - (b[9] - a[9]) / HZ / seconds),
        "steal": delta[7],
        "running": max(t[10] for t in inside),
    }


def disk_stalls(raw: dict) -> list[tuple[float, float]]:
    """The disk's stalls of a phase: (start, end) of each flush of DISK_STALL or more."""
    return [(start, start + spent) for start, spent in raw.get("disk", []) if spent >= DISK_STALL]


if __name__ == "__main__":
    sample(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
