"""What the benchmark runs: databases, server, load, mix. Every knob has an environment
variable so that a quick run (`BENCH_SECONDS=20 make bench`) needs no edit."""

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "benchmarks" / "results"
BIN = ROOT / ".venv" / "bin"

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


@dataclass(frozen=True)
class Scale:
    name: str  # the generator's scale (`maillage seed --scale NAME`)
    database: str

    @property
    def url(self) -> str:
        return f"{PG_SERVER}/{self.database}"


SCALES = {
    "region": Scale("region", os.environ.get("BENCH_REGION_DB", "maillage_bench_region")),
    "demo": Scale("demo", os.environ.get("BENCH_DEMO_DB", "maillage_bench_demo")),
}

# The load: 20 practitioners logged in at once, each clicking after a think time drawn
# from an exponential distribution (mean BENCH_THINK seconds), for BENCH_SECONDS.
USERS = env_int("BENCH_USERS", 20)
# 240 s: the least frequent type (6 % of the mix, about 1.2 a second) needs 250 s for
# MIN_SAMPLES; rounds are added until every type has them (benchmarks/run.py).
SECONDS = env_float("BENCH_SECONDS", 240)
MIN_SAMPLES = env_int("BENCH_MIN_SAMPLES", 300)
DEMO_SECONDS = env_float("BENCH_DEMO_SECONDS", 60)
THINK = env_float("BENCH_THINK", 1.0)
# A second, shorter phase without think time: how much the machine can serve at most.
SATURATION_SECONDS = env_float("BENCH_SATURATION_SECONDS", 30)
WARMUP_SECONDS = env_float("BENCH_WARMUP_SECONDS", 10)
# Phases are cut in rounds; the figures are the medians over the rounds. A round during
# which other work on the machine used more than FOREIGN_LIMIT cores is repeated (at most
# EXTRA_ROUNDS times) and left out of the medians when enough clean rounds remain.
ROUNDS = env_int("BENCH_ROUNDS", 3)
SOLO_SECONDS = env_float("BENCH_SOLO_SECONDS", 15)
FOREIGN_LIMIT = env_float("BENCH_FOREIGN_LIMIT", 0.25)
EXTRA_ROUNDS = env_int("BENCH_EXTRA_ROUNDS", 2)
QUIET_WAIT = env_float("BENCH_QUIET_WAIT", 120)
# gunicorn sync workers (see benchmarks/README.md for why 4 on 2 cores).
WORKERS = env_int("BENCH_WORKERS", 4)
# The SQL floor: each request type captured on this many (user, object) samples, each
# replayed FLOOR_REPEATS times. One sample per virtual user by default: the floor's median
# is then over the same users as the solo phase's (caseloads differ from user to user).
FLOOR_SAMPLES = env_int("BENCH_FLOOR_SAMPLES", USERS)
FLOOR_REPEATS = env_int("BENCH_FLOOR_REPEATS", 7)

# The mix: request type -> weight (share of requests). Reads dominate, as in real use.
MIX = {
    "caseload": 15,
    "family": 15,
    "timeline": 10,
    "inbox": 12,
    "directory_search": 15,
    "referral_step": 6,
    "plan_action_update": 7,
    "api_families": 10,
    "programme_dashboard": 4,
    "fhir_tasks": 6,
    "transcript": 4,
}
KIND = {  # "api" or "html": the app ÷ floor target differs
    "caseload": "html",
    "family": "html",
    "timeline": "html",
    "inbox": "html",
    "directory_search": "html",
    "referral_step": "html",
    "plan_action_update": "html",
    "api_families": "api",
    "programme_dashboard": "html",
    "fhir_tasks": "api",
    "transcript": "html",
}
DESCRIPTION = {
    "caseload": "GET /families/ — my caseload (20 a page, what needs attention)",
    "family": "GET /families/<id>/ — the family page (identity, circle, consents, plan, "
    "latest timeline entries)",
    "timeline": "GET /families/<id>/timeline/ — the family's timeline, 20 entries a page",
    "inbox": "GET /referrals/ — my team's referral inbox",
    "directory_search": "GET /directory/?q=… — directory search in French (accents)",
    "referral_step": "POST /referrals/<id>/step/ — a receiving team acknowledges a requested "
    "referral, puts it on its waiting list, then declines it (one step a request)",
    "plan_action_update": "POST /families/<id>/plan/actions/<id>/ — update a plan action "
    "(with its version)",
    "api_families": "GET /api/v1/families/ — the caseload as JSON",
    "programme_dashboard": "GET /programmes/programmes/<id>/dashboard/ — a programme's "
    "dashboard, for a site's team lead (every figure, over all its families)",
    "fhir_tasks": "GET /fhir/R4/Task?owner=…&status=… — a team's open referrals over FHIR "
    "(personal token)",
    "transcript": "GET /studies/documents/<id>/ — a coded focus-group transcript (20,000 "
    "words, 1,000 codings, those of the Taguette comparison), read by one of its evaluators",
}
# French searches a practitioner types, with and without accents.
SEARCHES = [
    "périnatalité",
    "perinatalite",
    "dépendance",
    "halte garderie",
    "santé mentale",
    "protection jeunesse",
    "visites à domicile",
    "CLSC",
    "suivi de grossesse",
    "travail de milieu",
    "obstétrique",
    "signalements",
]
