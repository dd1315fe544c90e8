"""BENCHMARKS.md from the recorded runs (benchmarks/results/*.json): a table per run, and
the medians of the latest runs of one commit where there are several.

Only the part between the two markers is written; the text around it (what the figures
mean, the investigations and their before/after) is kept as it is.
"""

import json
import statistics

from .config import DESCRIPTION, KIND, MIX, RESULTS, ROOT

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"
SHOWN_RUNS = 6
P95_TARGET = 100.0
P99_TARGET = 150.0
FLOOR_TARGET = {"api": 4.0, "html": 8.0}
GROWTH_TARGET = 1.5


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    if not a or not b:
        return None
    return a / b


def _fmt(value: float | None, target: float | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}"
    if target is not None:
        text += " ✓" if value <= target else " ✗"
    return text


def figures(run: dict) -> dict:
    """Per request type, the figures the targets are judged on."""
    region = run["scales"].get("region")
    demo = run["scales"].get("demo")
    out = {}
    for kind in MIX:
        row = {}
        for name, scale in (("region", region), ("demo", demo)):
            if scale is None:
                continue
            if kind not in scale["phases"]["load"]["kinds"]:
                continue  # a run from before this request type was in the mix
            load = scale["phases"]["load"]["kinds"][kind]
            solo = scale["phases"]["solo"]["kinds"][kind]
            floor = scale["floor"][kind]
            row[name] = {
                "load": load,
                "solo": solo,
                "floor_ms": floor["floor_seconds"] * 1000,
                "queries": floor["queries"],
                "queries_max": floor["queries_max"],
                "app_floor_solo": _ratio(solo["p50_ms"], floor["floor_seconds"] * 1000),
                "app_floor_load": _ratio(load["p50_ms"], floor["floor_seconds"] * 1000),
            }
        if "region" in row and "demo" in row:
            big, small = row["region"], row["demo"]
            row["growth_load"] = _ratio(big["load"]["p50_ms"], small["load"]["p50_ms"])
            row["growth_solo"] = _ratio(big["solo"]["p50_ms"], small["solo"]["p50_ms"])
        out[kind] = row
    return out


def _header(run: dict) -> list[str]:
    m, c = run["machine"], run["config"]
    dirty = " with uncommitted changes" if run.get("uncommitted_changes") else ""
    if run.get("code"):
        dirty += f", application code `{run['code']}`"
    lines = [
        f"### Run of {run['date']} — commit `{run['commit']}`{dirty}",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB of memory; "
        f"PostgreSQL {m['postgresql']} (shared_buffers {m['postgresql_settings']['shared_buffers']}"
        f", work_mem {m['postgresql_settings']['work_mem']}), Python {m['python']}. "
        f"gunicorn: {c['workers']} sync workers. Load: {c['users']} users, think time "
        f"{c['think_seconds']} s (exponential), {c['load_seconds']['region']:.0f} s on the region, "
        f"{c['load_seconds']['demo']:.0f} s on the demo. `make bench` took "
        f"{run['wall_seconds'] / 60:.1f} min in all.",
        "",
    ]
    for name, scale in run["scales"].items():
        d = scale["dataset"]
        counts = d.get("counts") or {}
        shown = ", ".join(
            f"{counts[k]:,} {k.replace('_', ' ')}"
            for k in ("organizations", "practitioners", "families", "timeline_entries", "referrals")
            if k in counts
        )
        how = "reused, built" if d.get("reused") else "built"
        load = scale["phases"]["load"]
        counted = load.get("rounds_counted", [])
        cpu_use = [r["cpu"] for r in load.get("rounds", []) if r.get("cpu")]
        if cpu_use:

            def mean(key, rows=cpu_use):
                return sum(r[key] for r in rows) / len(rows)

            machine_use = (
                f" Under load the server used {mean('server_cores'):.2f} cores, PostgreSQL "
                f"{mean('postgres_cores'):.2f}, the load client {mean('client_cores'):.2f}; "
                f"other work on the machine at most {load['foreign_cores_max']:.2f} "
                f"(rounds counted: {', '.join(counted)})."
            )
        else:
            machine_use = ""
        lines.append(
            f"- **{name}** data set ({how} {d['built_at'][:16].replace('T', ' ')}): {shown}; "
            f"the generator took **{d['seed_seconds']:.0f} s**. Peak memory of a server worker "
            f"(VmHWM): **{scale['memory']['worker_max_mib']:.0f} MiB**.{machine_use}"
            + _storage(scale)
        )
    lines.append("")
    return lines


def _storage(scale: dict) -> str:
    database, audit = scale.get("database"), scale.get("audit")
    if not database or not audit:
        return ""
    largest = ", ".join(f"{name} {size:,} MiB" for name, _rows, size in database["largest"][:3])
    return (
        f" Database {database['mib']:,} MiB ({largest}); the access log grew by "
        f"{audit['rows_per_request']:.1f} rows a request."
    )


def run_tables(run: dict) -> str:
    rows = figures(run)
    lines = _header(run)
    has_region = "region" in run["scales"]
    main = "region" if has_region else next(iter(run["scales"]))
    # The request types this run measured: an older run knows fewer than today's mix.
    measured = [k for k in MIX if main in rows.get(k, {})]
    lines += [
        f"**Under load ({main}, {run['config']['users']} users)** — latency in ms; "
        "errors are anything but the expected status, 409 conflicts are counted apart:",
        "",
        "| request | n | req/s | p50 | p95 | p99 | errors | 409 | p95 ≤ 100, p99 ≤ 150 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for kind in measured:
        load = rows[kind][main]["load"]
        ok = (
            "✓"
            if load["p95_ms"] <= P95_TARGET and load["p99_ms"] <= P99_TARGET and load["errors"] == 0
            else "✗"
        )
        lines.append(
            f"| {kind} | {load['requests']} | {load['per_second']:.2f} | {load['p50_ms']:.1f} | "
            f"{load['p95_ms']:.1f} | {load['p99_ms']:.1f} | {load['errors']} | "
            f"{load['conflicts']} | {ok} |"
        )
    total = run["scales"][main]["phases"]["load"]["all"]
    lines += [
        f"| **all** | {total['requests']} | {total['per_second']:.2f} | {total['p50_ms']:.1f} | "
        f"{total['p95_ms']:.1f} | {total['p99_ms']:.1f} | {total['errors']} | "
        f"{total['conflicts']} | |",
        "",
        f"**Against the SQL floor ({main})** — the request's own statements replayed with "
        "psycopg (median of samples × repeats); *solo* is one request at a time, *load* the "
        "phase above; target app ÷ floor ≤ 4 (API), ≤ 8 (HTML), judged on solo:",
        "",
        "| request | SQL queries | floor ms | solo p50 ms | app ÷ floor (solo) "
        "| app ÷ floor (load) | slowest statement ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in measured:
        r = rows[kind][main]
        floor = run["scales"][main]["floor"][kind]
        target = FLOOR_TARGET[KIND[kind]]
        queries = f"{r['queries']:g}" + (
            f" (≤ {r['queries_max']})" if r["queries_max"] != r["queries"] else ""
        )
        lines.append(
            f"| {kind} | {queries} | {r['floor_ms']:.1f} | {r['solo']['p50_ms']:.1f} | "
            f"{_fmt(r['app_floor_solo'], target)} | {_fmt(r['app_floor_load'])} | "
            f"{floor['slowest_statement_seconds'] * 1000:.1f} |"
        )
    lines.append("")
    if has_region and "demo" in run["scales"]:
        lines += [
            "**Region ÷ demo** — p50 ms on each data set, same mix and load; target ≤ 1.5, "
            "judged under load:",
            "",
            "| request | demo p50 (load) | region p50 (load) | region ÷ demo (load) "
            "| demo p50 (solo) | region p50 (solo) | region ÷ demo (solo) "
            "| SQL queries demo → region |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for kind in measured:
            r = rows[kind]
            if "demo" not in r or "region" not in r:
                continue
            demo_p50, region_p50 = r["demo"]["load"]["p50_ms"], r["region"]["load"]["p50_ms"]
            lines.append(
                f"| {kind} | {demo_p50:.1f} | {region_p50:.1f}"
                f" | {_fmt(r['growth_load'], GROWTH_TARGET)} | {r['demo']['solo']['p50_ms']:.1f}"
                f" | {r['region']['solo']['p50_ms']:.1f} | {_fmt(r['growth_solo'])} | "
                f"{r['demo']['queries']:g} → {r['region']['queries']:g} |"
            )
        lines.append("")
        demo_load = run["scales"]["demo"]["phases"]["load"]
        lines += [
            f"Demo under the same load: {demo_load['all']['requests']} requests, "
            f"{demo_load['all']['per_second']:.2f}/s, p50 {demo_load['all']['p50_ms']:.1f} ms, "
            f"p95 {demo_load['all']['p95_ms']:.1f} ms, {demo_load['all']['errors']} errors.",
            "",
        ]
    lines += _tail_tables(run["scales"][main], main)
    saturation = run["scales"][main]["phases"].get("saturation")
    if saturation:
        s = saturation["all"]
        worst = max(saturation["kinds"], key=lambda k: saturation["kinds"][k]["p95_ms"])
        lines += [
            f"**Saturation ({main})** — the same {run['config']['users']} users without think "
            f"time for {saturation['seconds']:.0f} s: **{s['per_second']:.1f} requests/s** at "
            f"most, p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms (worst: {worst}, p95 "
            f"{saturation['kinds'][worst]['p95_ms']:.0f} ms), {s['errors']} errors, "
            f"{s['conflicts']} conflicts.",
            "",
        ]
    return "\n".join(lines)


PART_NAMES = {
    "client": "client",
    "queue": "queue",
    "python": "Python",
    "gc": "gc",
    "runq": "core wait",
    "dbcpu": "PG CPU",
    "dbrunq": "PG core wait",
    "wait": "other",
}


def _tail_tables(scale: dict, name: str) -> list[str]:
    """The slowest 5 % of each type, part by part, and the machine around them."""
    tail = scale.get("tail")
    if not tail:
        return []
    lines = [
        f"**Where the slowest 5 % went ({name}, under load)** — mean ms of each part over the "
        "requests at or above the type's p95 (the type's median in brackets). *client*: "
        "client-observed time not spent in the server; *queue*: waiting for a worker, of "
        "which *a worker free* passed while fewer requests were in Django than workers; "
        "*core wait*: the worker, or its PostgreSQL backend, ready to run while another "
        "thread held the core; *other*: the rest (locks, I/O, round trips, steal). The "
        "cause is the part that exceeds its median the most, counted over the slow requests; "
        "*other work* is the cores used by processes outside the benchmark, and *runnable* "
        "the threads ready to run on the 2 cores, during the slow requests (during the rest "
        "in brackets):",
        "",
        "| request | n | p95 | slow mean | "
        + " | ".join(PART_NAMES.values())
        + " | a worker free | causes | other work, cores | runnable |",
        "|---|---:|---:|---:|" + "---:|" * (len(PART_NAMES) + 1) + "---|---:|---:|",
    ]
    for kind in MIX:
        t = tail.get(kind)
        if not t:
            continue
        cells = [f"{t['slow_parts'][p]:.1f} ({t['median_parts'][p]:.1f})" for p in PART_NAMES]
        free = t.get("slow_queue_free_ms")  # runs before the tenth round lack it
        cells.append("—" if free is None else f"{free:.1f}")
        causes = ", ".join(f"{PART_NAMES[c]} {n}" for c, n in t["causes"].items())
        slow, rest = t["machine_slow"], t["machine_rest"]
        other = runnable = "—"
        if slow["foreign"] is not None and rest["foreign"] is not None:
            other = f"{slow['foreign']:.2f} ({rest['foreign']:.2f})"
            runnable = f"{slow['running']:.1f} ({rest['running']:.1f})"
        lines.append(
            f"| {kind} | {t['requests']} | {t['cut_ms']:.1f} | {t['slow_mean_ms']:.1f} | "
            + " | ".join(cells)
            + f" | {causes} | {other} | {runnable} |"
        )
    lines += [
        "",
        f"**Server-side time ({name}, under load)** — Django's own time for each request "
        "(Server-Timing `app`: from the first middleware in to the response out), and the "
        "same without the time the worker and its backend waited for a core (*own*), against "
        "the client-observed time; then the requests during which the disk stalled (a flush "
        "of the disk probe took 50 ms or more: every request that commits waits for it), of "
        "all and of the slowest 5 %, and the latencies of the others; targets p95 ≤ 100, "
        "p99 ≤ 150:",
        "",
        "| request | client p50 / p95 / p99 | server p50 / p95 / p99 | own p50 / p95 / p99 "
        "| during a disk stall: all, slowest 5 % | outside: client p50 / p95 / p99 "
        "| outside: server p50 / p95 / p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in MIX:
        t = tail.get(kind)
        if not t:
            continue
        outside = t.get("outside_disk_stalls") or {}
        stalled = "—"
        if "disk_stalled" in t:
            stalled = f"{t['disk_stalled']}, {t['disk_stalled_slow']} of {t['slow']}"
        lines.append(
            f"| {kind} | {_triple(t['client'])} | {_triple(t['server'])} | "
            f"{_triple(t['server_own'])} | {stalled} | "
            f"{_triple(outside['client']) if outside else '—'} | "
            f"{_triple(outside['server']) if outside else '—'} |"
        )
    lines.append("")
    machine = [r.get("machine") for r in scale["phases"]["load"]["rounds"] if r.get("machine")]
    if machine:

        def mean(key, stat="mean"):
            return sum(m[key][stat] for m in machine) / len(machine)

        pg = {k: sum(m["postgres"].get(k, 0) for m in machine) for k in machine[0]["postgres"]}
        logged = [line for m in machine for line in m.get("postgres_log", [])]
        slow_statements = sum(1 for line in logged if "duration:" in line)
        lock_waits = sum(1 for line in logged if "still waiting" in line)
        checkpoints = sum(1 for line in logged if "checkpoint starting" in line)
        waits = {}
        for m in machine:
            for key, count in m["postgres_waits"]["sessions"].items():
                waits[key] = waits.get(key, 0) + count
        polls = sum(m["postgres_waits"]["polls"] for m in machine)
        shown_waits = ", ".join(
            f"{k} {v / polls:.2f}" for k, v in sorted(waits.items(), key=lambda kv: -kv[1])[:5]
        )
        delays = scale.get("client_delays", {})
        lines += [
            f"The machine during the load phase (sampled every 0.1 s, by second): busy "
            f"{mean('busy_cores'):.2f} cores on average, of which other work "
            f"{mean('foreign_cores'):.2f} (worst second "
            f"{max(m['foreign_cores']['max'] for m in machine):.2f}), "
            f"steal {mean('steal_cores'):.3f} (worst second "
            f"{max(m['steal_cores']['max'] for m in machine):.2f}); runnable threads "
            f"{mean('running_threads'):.1f} on average, {mean('running_threads', 'p95'):.0f} "
            f"at p95; some thread waited for a core {100 * mean('cpu_stall_share'):.0f} % of "
            f"the time (/proc/pressure/cpu). PostgreSQL: {checkpoints} checkpoints began, "
            f"{pg.get('buffers_backend', 0):,} buffers written by backends, "
            f"{slow_statements} statements of ours ≥ 50 ms, {lock_waits} lock waits ≥ 20 ms, "
            f"{pg.get('temp_files', 0)} temporary files; active sessions by wait, on average: "
            f"{shown_waits or 'none'}. The load client: event loop late by "
            f"{delays.get('loop_lag_p50_ms', 0):.1f} ms at p50, "
            f"{delays.get('loop_lag_p99_ms', 0):.1f} at p99, "
            f"{delays.get('loop_lag_max_ms', 0):.0f} at most; "
            f"{delays.get('gc_pauses', 0)} collections, "
            f"{delays.get('gc_pause_max_ms', 0):.1f} ms at most.",
            "",
        ]
        disks = [m["disk"] for m in machine if m.get("disk")]
        if disks:
            lines[-1:-1] = [
                f"The disk (an 8 kB page flushed every 50 ms, apart from PostgreSQL): "
                f"{sum(d['flushes'] for d in disks):,} flushes, median "
                f"{statistics.median(d['p50_ms'] for d in disks):.2f} ms, p99 "
                f"{max(d['p99_ms'] for d in disks):.2f} ms, longest "
                f"{max(d['max_ms'] for d in disks):.0f} ms; "
                f"{sum(d['stalls'] for d in disks)} stalls ≥ 50 ms, "
                f"{sum(d['stalls_100ms'] for d in disks)} ≥ 100 ms.",
            ]
    return lines


def _triple(figures: dict) -> str:
    return f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f} / {figures['p99_ms']:.1f}"


def _spread(values: list[float]) -> str:
    """Median of the runs, with the lowest and highest."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return f"{statistics.median(values):.1f} ({min(values):.0f}–{max(values):.0f})"


def _tail_median_table(runs: list[dict]) -> str:
    """The tail over several runs of the same code: medians, and the range of the runs."""
    lines = [
        f"**Tail: median of the {len(runs)} latest region runs of the same application code "
        f"(`{runs[0].get('code', runs[0]['commit'])}`)**, lowest–highest run in brackets; "
        "client-observed and server-side (Server-Timing `app`) latency in ms; n is the "
        "fewest samples of the type in a run; targets p95 ≤ 100, p99 ≤ 150:",
        "",
        "| request | n | client p95 | client p99 | server p95 | server p99 | errors "
        "| outside the disk's stalls: client p95 | client p99 | server p95 | server p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in MIX:
        # A request type added since (a run of older code) is left out of its own row.
        measured = [r for r in runs if kind in r["scales"]["region"]["phases"]["load"]["kinds"]]
        if not measured:
            continue
        loads = [r["scales"]["region"]["phases"]["load"]["kinds"][kind] for r in measured]
        tails = [r["scales"]["region"].get("tail", {}).get(kind) for r in measured]
        counted = [load.get("counted_requests", load["requests"]) for load in loads]
        lines.append(
            f"| {kind} | {min(counted)} | {_spread([x['p95_ms'] for x in loads])} | "
            f"{_spread([x['p99_ms'] for x in loads])} | "
            f"{_spread([t['server']['p95_ms'] if t else None for t in tails])} | "
            f"{_spread([t['server']['p99_ms'] if t else None for t in tails])} | "
            f"{sum(x['errors'] for x in loads)} | "
            + " | ".join(
                _spread([_outside(t, side, q) for t in tails])
                for side in ("client", "server")
                for q in ("p95_ms", "p99_ms")
            )
            + " |"
        )
    return "\n".join([*lines, ""])


def _outside(tail: dict | None, side: str, quantile: str) -> float | None:
    """A latency of the requests during which the disk did not stall (runs before the disk
    probe have none)."""
    outside = (tail or {}).get("outside_disk_stalls") or {}
    return outside.get(side, {}).get(quantile)


def _median_table(runs: list[dict]) -> str:
    """Medians over several runs of the same commit, for the figures that are noisy."""
    table = [
        f"**Median of the {len(runs)} latest runs of the same application code "
        f"(`{runs[0].get('code', runs[0]['commit'])}`)**, the figures the targets are judged "
        "on:",
        "",
        "| request | p50 ms | p95 ms | errors | floor ms | app ÷ floor (solo) "
        "| region ÷ demo (load) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    per_run = [figures(r) for r in runs]
    for kind in MIX:
        rows = [f[kind] for f in per_run if "region" in f[kind]]
        if not rows:
            continue

        def med(get, rows=rows):
            values = [v for v in (get(r) for r in rows) if v is not None]
            return statistics.median(values) if values else None

        table.append(
            f"| {kind} | {med(lambda r: r['region']['load']['p50_ms']):.1f} | "
            f"{med(lambda r: r['region']['load']['p95_ms']):.1f} | "
            f"{sum(r['region']['load']['errors'] for r in rows)} | "
            f"{med(lambda r: r['region']['floor_ms']):.1f} | "
            f"{_fmt(med(lambda r: r['region']['app_floor_solo']), FLOOR_TARGET[KIND[kind]])} | "
            f"{_fmt(med(lambda r: r.get('growth_load')), GROWTH_TARGET)} |"
        )
    return "\n".join([*table, ""])


def recorded_runs() -> list[dict]:
    # The load benchmark's runs only: evaluation-*.json are `make bench-evaluation`'s.
    runs = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("2*.json"))]
    return sorted(runs, key=lambda r: r["date"], reverse=True)


def results_section(runs: list[dict]) -> str:
    if not runs:
        return "No run recorded yet: `make bench`."
    parts = []
    latest = runs[0]
    same = [
        r
        for r in runs
        if r.get("code", r["commit"]) == latest.get("code", latest["commit"])
        and "region" in r["scales"]
        and "demo" in r["scales"]
    ][:5]
    if len(same) >= 2:
        parts.append(_median_table(same))
    tailed = [
        r
        for r in runs
        if r.get("code", r["commit"]) == latest.get("code", latest["commit"])
        and r["scales"].get("region", {}).get("tail")
    ][:5]
    if len(tailed) >= 2:
        parts.append(_tail_median_table(tailed))
    parts.append("Request types:\n")
    parts.extend(f"- `{kind}`: {DESCRIPTION[kind]}" for kind in MIX)
    parts.append("")
    for run in runs[:SHOWN_RUNS]:
        parts.append(run_tables(run))
    older = runs[SHOWN_RUNS:]
    if older:
        parts.append(
            "Older runs: "
            + ", ".join(f"{r['date']} (`{r['commit']}`)" for r in older)
            + " — in `benchmarks/results/`."
        )
    return "\n".join(parts)


def write() -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text = f"{text.rstrip()}\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    body = results_section(recorded_runs())
    path.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}")


if __name__ == "__main__":
    write()
