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


def in_django(phase) -> list[tuple[float, float]]:
    """When each request of a phase was in Django (from its first middleware in to the
    response out), on the client's clock: sent at `started`, waited `queue`, served `app`.
    The client stamps X-Request-Start just before it starts its clock, from the same
    machine's clock: the two agree to a few microseconds."""
    spans = []
    for sample in phase.samples:
        queue, app = sample.server.get("queue"), sample.server.get("app")
        if queue is None or app is None:
            continue
        begin = phase.started + sample.started + queue / 1000
        spans.append((begin, begin + app / 1000))
    return sorted(spans)


def waited_with_a_free_worker(
    spans: list[tuple[float, float]], start: float, end: float, workers: int
) -> float:
    """Seconds of [start, end] (a request's wait before Django) during which fewer than
    `workers` requests were in Django: a worker was not serving anyone, yet the request
    waited. A wait with every worker serving is the pool's queue; the rest is a worker
    slow to take the connection (no core free to run it, blocked elsewhere, gunicorn's
    own work between two requests). `spans` sorted by their beginning."""
    if end <= start:
        return 0.0
    last = bisect.bisect_left(spans, (end, float("-inf")))
    edges = []
    for begin, finish in spans[:last]:
        if finish > start:
            edges.append((max(begin, start), 1))
            edges.append((min(finish, end), -1))
    edges.sort()
    free, busy, at = 0.0, 0, start
    for when, step in edges:
        if busy < workers:
            free += when - at
        busy, at = busy + step, when
    if busy < workers:
        free += end - at
    return free


def _latencies(rows: list[dict], key: str) -> dict:
    return {
        f"p{q}_ms": round(_percentile([r[key] for r in rows], q / 100), 1) for q in (50, 95, 99)
    }


def breakdown(phases: list, raws: list[dict | None], kinds: list[str], workers: int = 4) -> dict:
    """Per request type, over the phases' samples pooled: the slowest 5 % against the
    rest, part by part, what made each slow request slow, and the server-side latencies;
    and the same latencies over the requests during which the disk did not stall
    (probes.disk_stalls: the disk's own, measured apart from PostgreSQL); of the slow
    requests' wait for a worker, how much passed with a worker serving no one."""
    rows: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for phase, raw in zip(phases, raws, strict=True):
        stalls = sorted(probes.disk_stalls(raw)) if raw else []
        spans = in_django(phase)
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
                "queue_free_ms": 1000
                * waited_with_a_free_worker(spans, start, start + split["queue"] / 1000, workers),
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
            # Of the slow requests' "queue": the part with a worker serving no one.
            "slow_queue_free_ms": _mean([r["queue_free_ms"] for r in slow]),
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
