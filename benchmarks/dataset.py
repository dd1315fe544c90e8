"""The data sets: a PostgreSQL database per scale, built by the generator once and reused
while the generator is unchanged.

A marker table in the database itself (`bench_dataset`) records the hash of
src/maillage/seeding/ the data was built with, how long the generator took and what it
made: a database that was dropped or rebuilt elsewhere can never be mistaken for ours.
"""

import hashlib
import json
import os
import re
import subprocess
import time

import psycopg

from .config import BIN, PG_SERVER, ROOT, Scale

SEEDING = ROOT / "src" / "maillage" / "seeding"
MARKER = "bench_dataset"


def generator_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(SEEDING.rglob("*.py")):
        digest.update(str(path.relative_to(SEEDING)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def maillage_env(scale: Scale, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MAILLAGE_DEPLOYMENT="local",
        DATABASE_URL=scale.url,
        MAILLAGE_VAR_DIR=str(ROOT / "var" / "bench"),
    )
    env.update(extra)
    return env


def _admin() -> psycopg.Connection:
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def _exists(database: str) -> bool:
    with _admin() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    return row is not None


def read_marker(scale: Scale) -> dict | None:
    if not _exists(scale.database):
        return None
    with psycopg.connect(scale.url) as conn:
        present = conn.execute("SELECT to_regclass(%s)", [MARKER]).fetchone()[0]
        if present is None:
            return None
        row = conn.execute(
            f"SELECT generator_hash, seed_seconds, counts, built_at FROM {MARKER}"  # noqa: S608
        ).fetchone()
    if row is None:
        return None
    return {
        "generator_hash": row[0],
        "seed_seconds": row[1],
        "counts": row[2],
        "built_at": row[3].isoformat(),
    }


def _recreate(database: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def _run(args: list[str], env: dict[str, str], log) -> str:
    log(f"$ {' '.join(args)}")
    done = subprocess.run(  # noqa: S603 - our own venv's commands
        args, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def migrate(scale: Scale, log=print) -> None:
    _run([str(BIN / "maillage"), "migrate", "--no-input", "-v0"], maillage_env(scale), log)


def ensure(scale: Scale, *, rebuild: bool = False, log=print) -> dict:
    """The data set for this scale, built if missing, stale or asked for; migrated."""
    wanted = generator_hash()
    marker = None if rebuild else read_marker(scale)
    # BENCH_REUSE_DATA=1 keeps a data set built by an older generator (while developing).
    keep_any = os.environ.get("BENCH_REUSE_DATA") == "1"
    if marker is not None and (marker["generator_hash"] == wanted or keep_any):
        log(f"{scale.database}: reusing the {scale.name} network built {marker['built_at']}")
        migrate(scale, log)
        return {**marker, "reused": True}
    why = "asked" if rebuild else ("absent" if marker is None else "generator changed")
    log(f"{scale.database}: building the {scale.name} network ({why})")
    _recreate(scale.database)
    migrate(scale, log)
    started = time.monotonic()
    out = _run([str(BIN / "maillage"), "seed", "--scale", scale.name], maillage_env(scale), log)
    wall = time.monotonic() - started
    match = re.search(r"Seeded in ([\d.]+) s: (.*)\.", out)
    seconds = float(match.group(1)) if match else wall
    counts = {}
    if match:
        for part in match.group(2).split(", "):
            number, name = part.split(" ", 1)
            counts[name] = int(number.replace(",", ""))
    with psycopg.connect(scale.url) as conn:
        conn.execute(
            f"CREATE TABLE {MARKER} (generator_hash text, seed_seconds float, "
            "counts jsonb, built_at timestamptz DEFAULT now())"
        )
        conn.execute(
            f"INSERT INTO {MARKER} (generator_hash, seed_seconds, counts) "  # noqa: S608
            "VALUES (%s, %s, %s)",
            [wanted, seconds, json.dumps(counts)],
        )
    # Fresh statistics, as autovacuum would give a real database after a bulk load.
    with psycopg.connect(scale.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log(f"{scale.database}: seeded in {seconds:.1f} s (generator), {wall:.1f} s in all")
    marker = read_marker(scale)
    return {**marker, "reused": False}
