"""Where the slowest requests spent their time: each request's client-observed time cut in
parts that add up, from the server's Server-Timing header, the client's own delays and
the machine's state during the request (benchmarks/probes.py).

    client = client side + queue + app
    app    = worker CPU (of which the garbage collector's pauses) + worker waiting for a
             core + PostgreSQL backend's CPU + backend waiting for a core + other waits

"Waiting for a core" is the kernel's run-queue time (schedstat) of the worker thread and
of its database backend: time when the request was ready to run and another thread held
the core, ours or someone else's. Each slow request's cause is the part that exceeds its
type's median by the most.
"""

import bisect
import statistics

from . import probes

PARTS = {  # part -> what the report calls it
    "client": "client side (connect, read, event loop)",
    "queue": "waiting for a worker (accept backlog, parsing)",
    "python": "worker CPU, Python (collector excluded)",
    "gc": "garbage collector pauses",
    "runq": "worker waiting for a core",
    "dbcpu": "PostgreSQL backend CPU",
    "dbrunq": "PostgreSQL backend waiting for a core",
    "wait": "other waits (locks, I/O, round trips)",
}
TAIL = 0.95


def parts(sample) -> dict[str, float] | None:
    """A sample's time in additive parts (ms), or None without the server's figures."""
    s = sample.server
    if "app" not in s or "cpu" not in s:
        return None
    client_ms = sample.seconds * 1000
    queue = s.get("queue", 0.0)
    app = s["app"]
    gc = min(s.get("gc", 0.0), s["cpu"])
    dbcpu, dbrunq = s.get("dbcpu", 0.0), s.get("dbrunq", 0.0)
    return {
        "client": max(0.0, client_ms - queue - app),
        "queue": queue,
        "python": s["cpu"] - gc,
        "gc": gc,
        "runq": s.get("runq", 0.0),
        "dbcpu": dbcpu,
        "dbrunq": dbrunq,
        "wait": max(0.0, app - s["cpu"] - s.get("runq", 0.0) - dbcpu - dbrunq),
    }


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered), max(1, -(-int(share * 1000) * len(ordered) // 1000))) - 1]


def _lag_during(lag: list[tuple[float, float]], start: float, end: float) -> float:
    return max((late for when, late in lag if start <= when <= end), default=0.0)


def _during_a_stall(stalls: list[tuple[float, float]], start: float, end: float) -> bool:
    """Was the disk stalled at some moment of [start, end]? `stalls` sorted by start."""
    index = bisect.bisect_right(stalls, (end, float("inf")))
    return any(stall_end >= start for _stall_start, stall_end in stalls[max(0, index - 3) : index])


def _latencies(rows: list[dict], key: str) -> dict:
    return {
        f"p{q}_ms": round(_percentile([r[key] for r in rows], q / 100), 1) for q in (50, 95, 99)
    }


def breakdown(phases: list, raws: list[dict | None], kinds: list[str]) -> dict:
    """Per request type, over the phases' samples pooled: the slowest 5 % against the
    rest, part by part, what made each slow request slow, and the server-side latencies;
    and the same latencies over the requests during which the disk did not stall
    (probes.disk_stalls: the disk's own, measured apart from PostgreSQL)."""
    rows: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for phase, raw in zip(phases, raws, strict=True):
        stalls = sorted(probes.disk_stalls(raw)) if raw else []
        for sample in phase.samples:
            split = parts(sample)
            if split is None or sample.outcome == "error":
                continue
            start = phase.started + sample.started
            end = start + sample.seconds
            row = {
                "client_ms": sample.seconds * 1000,
                "app_ms": sample.server["app"],
                "own_ms": sample.server["app"]
                - sample.server.get("runq", 0.0)
                - sample.server.get("dbrunq", 0.0),
                "parts": split,
                "gc_full": sample.server.get("gc_n", 0.0),
                "loop_lag_ms": _lag_during(phase.lag.loop, start, end) * 1000,
                "disk_stall": _during_a_stall(stalls, start, end),
            }
            if raw:
                row["machine"] = probes.at(raw, start, end)
            rows[sample.kind].append(row)
    out = {}
    for kind, kind_rows in rows.items():
        if not kind_rows:
            continue
        cut = _percentile([r["client_ms"] for r in kind_rows], TAIL)
        slow = [r for r in kind_rows if r["client_ms"] >= cut]
        body = [r for r in kind_rows if r["client_ms"] < cut]
        medians = {p: statistics.median(r["parts"][p] for r in kind_rows) for p in PARTS}
        causes: dict[str, int] = {}
        for r in slow:
            excess = {p: r["parts"][p] - medians[p] for p in PARTS}
            cause = max(excess, key=excess.get)
            causes[cause] = causes.get(cause, 0) + 1

        def machine(group, key):
            values = [r["machine"][key] for r in group if r.get("machine")]
            return round(sum(values) / len(values), 2) if values else None

        out[kind] = {
            "requests": len(kind_rows),
            "slow": len(slow),
            "cut_ms": round(cut, 1),
            "client": {
                "p50_ms": round(_percentile([r["client_ms"] for r in kind_rows], 0.5), 1),
                "p95_ms": round(cut, 1),
                "p99_ms": round(_percentile([r["client_ms"] for r in kind_rows], 0.99), 1),
            },
            "server": _latencies(kind_rows, "app_ms"),
            "server_own": _latencies(kind_rows, "own_ms"),
            "disk_stalled": sum(1 for r in kind_rows if r["disk_stall"]),
            "disk_stalled_slow": sum(1 for r in slow if r["disk_stall"]),
            "outside_disk_stalls": {
                "client": _latencies(steady, "client_ms"),
                "server": _latencies(steady, "app_ms"),
            }
            if (steady := [r for r in kind_rows if not r["disk_stall"]])
            else {},
            "slow_mean_ms": _mean([r["client_ms"] for r in slow]),
            "slow_parts": {p: _mean([r["parts"][p] for r in slow]) for p in PARTS},
            "median_parts": {p: round(medians[p], 1) for p in PARTS},
            "causes": dict(sorted(causes.items(), key=lambda item: -item[1])),
            "slow_gc_full": _mean([r["gc_full"] for r in slow]),
            "slow_loop_lag_ms": _mean([r["loop_lag_ms"] for r in slow]),
            "machine_slow": {k: machine(slow, k) for k in ("foreign", "steal", "running")},
            "machine_rest": {k: machine(body, k) for k in ("foreign", "steal", "running")},
        }
    return out


def client_delays(phases: list) -> dict:
    """The load client's own delays over the phases: event-loop lateness and collections."""
    lags = sorted(late for p in phases for _when, late in p.lag.loop)
    pauses = [pause for p in phases for _when, pause in p.lag.gc]
    if not lags:
        return {}
    return {
        "loop_lag_p50_ms": round(_percentile(lags, 0.5) * 1000, 2),
        "loop_lag_p99_ms": round(_percentile(lags, 0.99) * 1000, 2),
        "loop_lag_max_ms": round(lags[-1] * 1000, 1),
        "gc_pauses": len(pauses),
        "gc_pause_max_ms": round(max(pauses, default=0.0) * 1000, 1),
        "gc_pause_total_ms": round(sum(pauses) * 1000, 1),
    }
