"""Who used the machine's two cores during a phase: the server, the load client, PostgreSQL
for our database, and everything else ("foreign": other people's test runs, other
databases' backends). Other work on the machine inflates latencies; the report shows it,
and the driver waits for a quiet machine and repeats rounds disturbed by it."""

import os
import time
from pathlib import Path

HZ = os.sysconf("SC_CLK_TCK")


def _machine() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (user + system jiffies, command line)."""
    out = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        jiffies = int(fields[11]) + int(fields[12])
        if "/bin/postgres " in f"{cmdline} ":
            # The postmaster reaps the backends: their time, once they exit (a connection
            # is renewed every minute), is counted in its children's time.
            jiffies += int(fields[13]) + int(fields[14])
        out[int(proc.name)] = (jiffies, cmdline or stat.split()[1])
    return out


def _kind(pid: int, cmdline: str, server_pids: set[int], database: str) -> str:
    if pid in server_pids:
        return "server"
    if pid == os.getpid():
        return "client"
    if "/bin/postgres " in f"{cmdline} ":
        return "postgres_shared"  # the postmaster
    if cmdline.startswith("postgres:"):
        if f" {database} " in f"{cmdline} ":
            return "postgres"
        if " postgres " in cmdline or "127.0.0.1" in cmdline or "[local]" in cmdline:
            return "foreign"  # a backend serving another database
        return "postgres_shared"  # checkpointer, WAL writer, autovacuum...
    return "foreign"


class CpuMeter:
    def __init__(self, server_pids, database: str):
        self.server_pids = server_pids  # a function: the server's pids now
        self.database = database

    def start(self) -> None:
        self.started = time.monotonic()
        self.machine = _machine()
        self.processes = _processes()

    def stop(self) -> dict:
        seconds = time.monotonic() - self.started
        busy, total = _machine()
        cores = (total - self.machine[1]) / HZ / seconds if seconds else 1
        used: dict[str, float] = {}
        foreign: dict[str, float] = {}
        pids = set(self.server_pids())
        for pid, (jiffies, cmdline) in _processes().items():
            before = self.processes.get(pid, (0, cmdline))[0]
            delta = (jiffies - before) / HZ / seconds
            if delta <= 0:
                continue
            kind = _kind(pid, cmdline, pids, self.database)
            used[kind] = used.get(kind, 0.0) + delta
            if kind == "foreign":
                name = " ".join(cmdline.split()[:3])[:60]
                foreign[name] = foreign.get(name, 0.0) + delta
        top = sorted(foreign.items(), key=lambda item: -item[1])[:3]
        busy_cores = (busy - self.machine[0]) / HZ / seconds
        # Processes that started and ended within the round (someone's pip, a test's
        # subprocess) are in the machine's busy time but in no process's: theirs too.
        unaccounted = max(0.0, busy_cores - sum(used.values()))
        return {
            "cores": round(cores, 2),
            "busy_cores": round(busy_cores, 2),
            "server_cores": round(used.get("server", 0.0), 2),
            "client_cores": round(used.get("client", 0.0), 2),
            "postgres_cores": round(used.get("postgres", 0.0) + used.get("postgres_shared", 0), 2),
            "foreign_cores": round(used.get("foreign", 0.0) + unaccounted, 2),
            "foreign_top": [[name, round(value, 2)] for name, value in top],
        }


def foreign_load(database: str, seconds: float = 3.0) -> float:
    """Cores used by others over a short window, while our server is idle or stopped."""
    meter = CpuMeter(lambda: set(), database)
    meter.start()
    time.sleep(seconds)
    return meter.stop()["foreign_cores"]


def wait_for_quiet(database: str, limit: float, max_wait: float, log=print) -> dict:
    """Waits (at most max_wait seconds) until other work uses less than `limit` cores."""
    started = time.monotonic()
    level = foreign_load(database)
    while level > limit and time.monotonic() - started < max_wait:
        log(f"  the machine is busy with other work ({level:.2f} cores): waiting")
        time.sleep(5)
        level = foreign_load(database)
    return {"waited_seconds": round(time.monotonic() - started, 1), "foreign_cores": level}
