"""`make bench`: the region-scale benchmark against the database's own floor, and the same
mix on the demo-scale data set. Writes benchmarks/results/<date>.json and BENCHMARKS.md.

    python -m benchmarks.run [--scales region,demo] [--rebuild] [--no-report]
"""

import argparse
import hashlib
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from . import access_log, config, cpu, dataset, load, probes, report, tail
from . import prepare as prepare_module
from .server import Server, collectstatic, production_env

# Acknowledgements consume requested referrals: the region holds about 12,000 (a run
# takes a few hundred), the demo about 80, so the demo is rebuilt at every run (3 s).
MIN_REFERRALS = 200


def log(message: str) -> None:
    print(message, flush=True)


def demo_password() -> str:
    text = (config.ROOT / "src" / "maillage" / "seeding" / "generator.py").read_text()
    return re.search(r'DEMO_PASSWORD = "([^"]+)"', text).group(1)


def machine() -> dict:
    lines = Path("/proc/meminfo").read_text().splitlines()
    meminfo = dict(line.split(":", 1) for line in lines if ":" in line)
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with psycopg.connect(f"{config.PG_SERVER}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "synchronous_commit")
        }
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(int(meminfo["MemTotal"].split()[0]) / 1024 / 1024, 1),
        "cpu": model,
        "python": platform.python_version(),
        "postgresql": pg,
        "postgresql_settings": settings,
    }


def git(*args: str) -> str:
    return subprocess.run(  # noqa: S603
        ["git", *args],  # noqa: S607 - git from PATH, read-only commands
        cwd=config.ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def code_fingerprint() -> str:
    """A hash of the application's code as it is on disk (Python and templates under
    src/), committed or not: runs of the same code are those whose medians are taken."""
    digest = hashlib.sha256()
    source = config.ROOT / "src"
    for path in sorted([*source.rglob("*.py"), *source.rglob("*.html")]):
        digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def prepare(scale: config.Scale, seed: int) -> dict:
    out = config.VAR / f"{scale.name}-plan.json"
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own venv's python
        [str(config.BIN / "python"), "-m", "benchmarks.prepare", scale.name, str(out), str(seed)],
        env=production_env(scale),
        cwd=config.ROOT,
        check=True,
    )
    plan = json.loads(out.read_text())
    plan["prepare_seconds"] = round(time.monotonic() - started, 1)
    return plan


def audit_rows(scale: config.Scale) -> int:
    """Rows in the access log: every read of a family writes one (the logins write theirs)."""
    with psycopg.connect(scale.url) as conn:
        return conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]


def database_size(scale: config.Scale) -> dict:
    """The database's size and its largest tables (indexes included), in MiB."""
    with psycopg.connect(scale.url) as conn:
        total = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = conn.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "ORDER BY pg_total_relation_size(relid) DESC LIMIT 5"
        ).fetchall()
    return {
        "mib": round(total / 2**20),
        "largest": [[name, rows, round(size / 2**20)] for name, rows, size in tables],
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-int(share * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def _kind_figures(samples: list[load.Sample], seconds: float, skipped: int) -> dict:
    times = [s.seconds * 1000 for s in samples if s.outcome != "error"]
    return {
        "requests": len(samples),
        "per_second": round(len(samples) / seconds, 2) if seconds else 0,
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "errors": sum(1 for s in samples if s.outcome == "error"),
        "conflicts": sum(1 for s in samples if s.outcome == "conflict"),
        "skipped": skipped,
    }


def summarize(phase: load.Phase) -> dict:
    return {
        "name": phase.name,
        "seconds": round(phase.seconds, 1),
        "cpu": phase.cpu,
        "kinds": {
            kind: _kind_figures(
                [s for s in phase.samples if s.kind == kind],
                phase.seconds,
                phase.skipped.get(kind, 0),
            )
            for kind in config.MIX
        },
        "all": _kind_figures(phase.samples, phase.seconds, sum(phase.skipped.values())),
        "errors_seen": phase.errors,
    }


def combine(rounds: list[load.Phase]) -> dict:
    """One phase from its rounds: latencies are percentiles of the samples of the rounds
    that other work on the machine did not disturb (all of them if none is clean), pooled
    (a p99 needs hundreds of samples, more than a round has); counts add up over every
    round."""
    clean = [r for r in rounds if r.cpu["foreign_cores"] <= config.FOREIGN_LIMIT]
    counted = clean or rounds
    summaries = [summarize(r) for r in rounds]
    counted_summaries = [s for s, r in zip(summaries, rounds, strict=True) if r in counted]
    seconds = sum(r.seconds for r in rounds)

    def merged(get) -> dict:
        figures = [get(s) for s in summaries]
        out = {
            "requests": sum(f["requests"] for f in figures),
            "errors": sum(f["errors"] for f in figures),
            "conflicts": sum(f["conflicts"] for f in figures),
            "skipped": sum(f["skipped"] for f in figures),
        }
        out["per_second"] = round(out["requests"] / seconds, 2) if seconds else 0
        pooled = get(pooled_summary)
        out["counted_requests"] = pooled["requests"]
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            out[key] = pooled[key]
        return out

    pooled_phase = load.Phase("pooled", sum(r.seconds for r in counted))
    pooled_phase.samples = [s for r in counted for s in r.samples]
    pooled_summary = summarize(pooled_phase)

    return {
        "seconds": round(seconds, 1),
        "rounds": [
            {**s, "machine": r.extra.get("machine", {})}
            for s, r in zip(summaries, rounds, strict=True)
        ],
        "rounds_counted": [s["name"] for s in counted_summaries],
        "kinds": {kind: merged(lambda s, k=kind: s["kinds"][k]) for kind in config.MIX},
        "all": merged(lambda s: s["all"]),
        "foreign_cores_max": max(r.cpu["foreign_cores"] for r in rounds),
        "errors_seen": [e for r in rounds for e in r.errors][:20],
    }


def _without_statements(floor: dict) -> dict:
    """The floor's figures without the captured SQL (megabytes, and family data)."""
    return {
        kind: {
            **figures,
            "samples": [
                {k: v for k, v in sample.items() if k != "statements"}
                for sample in figures["samples"]
            ],
        }
        for kind, figures in floor.items()
    }


def _keep_samples(
    scale: config.Scale, seed: int, phases: list[load.Phase], raws: dict[str, dict | None]
) -> None:
    """Every request of the load phases with the server's figures, and each phase's start
    and disk stalls on the same clock, for a closer look at the tail than the report's
    (var/bench, not committed: megabytes)."""
    kept = {
        "phases": {
            p.name: {
                "started": p.started,
                "disk_stalls": probes.disk_stalls(raws.get(p.name) or {}),
            }
            for p in phases
        },
        "samples": [
            [p.name, s.kind, round(s.started, 4), round(s.seconds * 1000, 2), s.status, s.server]
            for p in phases
            for s in p.samples
        ],
    }
    path = config.VAR / f"{scale.name}-samples-{seed}.json"
    path.write_text(json.dumps(kept))


def bench_scale(scale: config.Scale, data: dict, seed: int, saturation: bool) -> dict:
    quiet = cpu.wait_for_quiet(scale.database, config.FOREIGN_LIMIT, config.QUIET_WAIT, log)
    log(f"[{scale.name}] preparing: users, SQL capture, floor")
    plan = prepare(scale, seed)
    if scale.name == "region" and plan["selection"]["referrals_in_pools"] < MIN_REFERRALS:
        log(f"[{scale.name}] warning: few requested referrals left; `--rebuild` renews them")
    bad = [k for k, v in plan["floor"].items() if v is None or not v["all_ok"]]
    if bad:
        raise RuntimeError(f"capture failed for {bad}: {plan['floor']}")
    log(f"[{scale.name}] {plan['selection']}")
    audit_before = audit_rows(scale)
    probes.prepare_database(f"{config.PG_SERVER}/postgres", scale.database)
    server = Server(scale, config.WORKERS, config.VAR / f"{scale.name}-gunicorn.log")
    server.start()
    log(f"[{scale.name}] gunicorn with {config.WORKERS} sync workers at {server.base}")
    meter = cpu.CpuMeter(lambda: {server.process.pid, *server.worker_pids()}, scale.database)
    extra = {"solo": 0, "load": 0, "saturation": 0}
    probe = probes.Probe(scale.database, server.process.pid)
    machine_raw: dict[str, dict | None] = {}
    load_rounds = {"planned": config.ROUNDS, "done": 0, "samples": {}}

    def on_start(phase: load.Phase) -> None:
        meter.start()
        probe.start(phase.name)

    def on_end(phase: load.Phase, think: float, users: int):
        phase.cpu = meter.stop()
        machine_raw[phase.name] = raw = probe.stop()
        phase.extra["machine"] = probes.summarize(raw) if raw else {}
        group = phase.name.split("-")[0]
        if group == "load":
            # Enough samples of every type for a p99 (BENCH_MIN_SAMPLES): rounds are added
            # while the least frequent type has fewer, up to twice the planned rounds.
            load_rounds["done"] += 1
            counts = load_rounds["samples"]
            for sample in phase.samples:
                counts[sample.kind] = counts.get(sample.kind, 0) + 1
            short = min(counts.get(kind, 0) for kind in config.MIX) < config.MIN_SAMPLES
            last = load_rounds["done"] == load_rounds["planned"]
            if last and short and load_rounds["planned"] < 2 * config.ROUNDS:
                load_rounds["planned"] += 1
                name = f"load-{load_rounds['planned']}"
                log(f"    fewer than {config.MIN_SAMPLES} samples of a type: {name}")
                return [(load.Phase(name, phase.seconds), think, users)]
        if group == "solo":  # the floor again, in the same minutes as the app's solo time
            prepare_module.replay_again(scale.url, plan["floor"], config.FLOOR_REPEATS)
        disturbed = phase.cpu["foreign_cores"] > config.FOREIGN_LIMIT
        if disturbed:
            log(f"    other work used {phase.cpu['foreign_cores']:.2f} cores: {phase.cpu}")
        if disturbed and group in extra and extra[group] < config.EXTRA_ROUNDS:
            extra[group] += 1
            if group == "load":
                load_rounds["planned"] += 1
            rounds = 1 if group == "saturation" else config.ROUNDS
            name = f"{group}-{rounds + extra[group]}"
            if group == "load":
                name = f"load-{load_rounds['planned']}"
            return [(load.Phase(name, phase.seconds), think, users)]
        return []

    try:
        seconds = config.SECONDS if scale.name == "region" else config.DEMO_SECONDS
        rounds = config.ROUNDS
        phases = [(load.Phase("warmup", config.WARMUP_SECONDS), config.THINK, config.USERS)]
        phases += [
            (load.Phase(f"solo-{n}", config.SOLO_SECONDS / rounds), 0.0, 1)
            for n in range(1, rounds + 1)
        ]
        phases += [
            (load.Phase(f"load-{n}", seconds / rounds), config.THINK, config.USERS)
            for n in range(1, rounds + 1)
        ]
        if saturation:
            phases.append((load.Phase("saturation", config.SATURATION_SECONDS), 0.0, config.USERS))
        results = load.run(
            server.base,
            plan["users"],
            phases,
            config.MIX,
            seed,
            demo_password(),
            solo_users=config.FLOOR_SAMPLES,
            log=log,
            on_start=on_start,
            on_end=on_end,
        )
        memory = server.peak_memory()
    finally:
        server.stop()
    sent = sum(len(p.samples) for p in results)
    audit = {"rows": audit_rows(scale) - audit_before, "requests": sent}
    audit["rows_per_request"] = round(audit["rows"] / sent, 2) if sent else 0
    groups: dict[str, list[load.Phase]] = {}
    for phase in results:
        groups.setdefault(phase.name.split("-")[0], []).append(phase)
    load_phases = groups.get("load", [])
    _keep_samples(scale, seed, load_phases, machine_raw)
    return {
        "tail": tail.breakdown(
            load_phases,
            [machine_raw.get(p.name) for p in load_phases],
            list(config.MIX),
            config.WORKERS,
        ),
        "client_delays": tail.client_delays(load_phases),
        "dataset": data,
        "quiet": quiet,
        "selection": plan["selection"],
        "prepare_seconds": plan["prepare_seconds"],
        "floor": _without_statements(plan["floor"]),
        "phases": {name: combine(rounds) for name, rounds in groups.items() if name != "warmup"},
        "memory": memory,
        "audit": audit,
        "database": database_size(scale),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="region,demo")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data sets")
    parser.add_argument("--no-report", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args()
    started = time.monotonic()
    config.VAR.mkdir(parents=True, exist_ok=True)
    scales = [config.SCALES[name] for name in args.scales.split(",")]
    datasets = {}
    for scale in scales:
        rebuild = args.rebuild or scale.name == "demo"
        datasets[scale.name] = dataset.ensure(scale, rebuild=rebuild, log=log)
    collectstatic(scales[0])
    seed = int(time.time())
    run = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
        "code": code_fingerprint(),
        "machine": machine(),
        "config": {
            "users": config.USERS,
            "think_seconds": config.THINK,
            "load_seconds": {"region": config.SECONDS, "demo": config.DEMO_SECONDS},
            "saturation_seconds": config.SATURATION_SECONDS,
            "workers": config.WORKERS,
            "rounds": config.ROUNDS,
            "min_samples": config.MIN_SAMPLES,
            "foreign_limit_cores": config.FOREIGN_LIMIT,
            "mix": config.MIX,
            "floor_samples": config.FLOOR_SAMPLES,
            "floor_repeats": config.FLOOR_REPEATS,
            "seed": seed,
        },
        "scales": {},
    }
    for scale in scales:
        run["scales"][scale.name] = bench_scale(
            scale, datasets[scale.name], seed, saturation=scale.name == "region"
        )
    if "region" in run["scales"] and os.environ.get("BENCH_ACCESS_LOG", "1") != "0":
        run["access_log"] = access_log.phase(config.SCALES["region"], log)  # its own process
    run["wall_seconds"] = round(time.monotonic() - started, 1)
    config.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = run["date"].replace(":", "").replace("+0000", "Z")
    path = config.RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n")
    log(f"results: {path.relative_to(config.ROOT)}")
    print(report.run_tables(run))
    if not args.no_report:
        report.write()
        log("BENCHMARKS.md updated")
    log(f"make bench: {run['wall_seconds']:.0f} s in all")


if __name__ == "__main__":
    random.seed()
    sys.exit(main())
