"""Prepares a run on one data set, inside Django (the server's production settings):

1. picks the virtual users: practitioners who lead families (so the caseload, family and
   plan pages have content) and, as far as the data allows, belong to a team with
   requested referrals they may acknowledge (so the inbox has rows and the step has
   objects); each user gets its own disjoint pool of objects to write;
   each is made an evaluator of the study of the evaluation benchmark's transcripts,
   imported into the data set on the first run (add_transcript_readers);
2. captures, for every request type of the mix, the SQL statements the request runs:
   the same request sent through Django's test client in this process, on the same
   database, inside a transaction rolled back afterwards (callbacks waiting for the
   commit, such as e-mail tasks, are run before the rollback so their SQL is counted);
3. replays those statements with psycopg alone, several times: the SQL floor, what the
   database itself needs for that request.

    python -m benchmarks.prepare SCALE OUT.json SEED
"""

import json
import os
import random
import statistics
import sys
import time

MIN_FAMILIES = 2
REFERRALS_PER_USER = 80
ACTIONS_PER_USER = 30
FAMILIES_PER_USER = 40
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
BACKEND = "maillage.core.backends.PasswordBackend"
# The study of the "transcript" request type and its long transcript (see evaluation.py).
TRANSCRIPT_STUDY = "Banc d'essai — groupes focaux"
TRANSCRIPT_TITLE = "Groupe focal 01"


def pick_users(rng: random.Random, wanted: int) -> tuple[list[dict], dict]:
    from django.db.models import Count

    from maillage.core.models import Role, User
    from maillage.directory.models import Membership
    from maillage.families.models import CircleMember, PlanAction
    from maillage.implementation.models import Programme, Site
    from maillage.referrals.models import Referral, Status

    leads = list(
        CircleMember.objects.filter(
            is_lead=True,
            left_at__isnull=True,
            practitioner__user__role=Role.PRACTITIONER,
            practitioner__user__is_active=True,
        )
        .values_list("practitioner__user_id")
        .annotate(n=Count("id"))
        .filter(n__gte=MIN_FAMILIES)
        .values_list("practitioner__user_id", flat=True)
    )
    leads.sort(key=str)
    rng.shuffle(leads)
    # Leads of a programme site's team first, up to half the users: the programme dashboard
    # is theirs, and its share of the mix is drawn by them alone (mix.user_weights).
    site_leads = set(
        Membership.objects.filter(
            role="lead", team_id__in=Site.objects.values("team_id")
        ).values_list("practitioner__user_id", flat=True)
    )
    front = [u for u in leads if u in site_leads][: max(2, wanted // 2)]
    leads = front + [u for u in leads if u not in front]
    programmes = list(Programme.objects.all())
    claimed: set = set()
    with_referrals, without = [], []
    for user_id in leads[: max(wanted * 15, 200)]:
        if len(with_referrals) >= wanted:
            break
        user = User.objects.get(id=user_id)
        teams = list(
            Membership.objects.filter(practitioner__user=user).values_list("team_id", flat=True)
        )
        pool = []
        candidates = (
            Referral.objects.filter(to_team_id__in=teams, status=Status.REQUESTED)
            .exclude(id__in=claimed)
            .select_related("family", "to_team")
            .order_by("?")[: REFERRALS_PER_USER * 3]
        )
        for referral in candidates:
            if len(pool) >= REFERRALS_PER_USER:
                break
            if user.has_perm("referrals.act_as_receiver", referral):
                pool.append(str(referral.id))
        families = [
            str(f)
            for f in CircleMember.objects.filter(
                practitioner__user=user, is_lead=True, left_at__isnull=True
            )
            .order_by("?")
            .values_list("family_id", flat=True)[:FAMILIES_PER_USER]
        ]
        actions = [
            {
                "id": str(a["id"]),
                "family": str(a["family_id"]),
                "owner": str(a["owner_id"]),
                "description": a["description"],
                "due_date": a["due_date"].isoformat() if a["due_date"] else "",
                "status": a["status"],
                "version": a["version"],
            }
            for a in PlanAction.objects.filter(family_id__in=families)
            .order_by("?")
            .values("id", "family_id", "owner_id", "description", "due_date", "status", "version")[
                :ACTIONS_PER_USER
            ]
        ]
        entry = {
            "email": user.email,
            "user_id": str(user.id),
            "teams": [str(t) for t in teams],
            "families": families,
            "actions": actions,
            "referrals": pool,
            "dashboards": [
                str(p.id) for p in programmes if user.has_perm("implementation.view_dashboard", p)
            ],
        }
        if pool:
            claimed.update(pool)
            with_referrals.append(entry)
        else:
            without.append(entry)
    users = (with_referrals + without)[:wanted]
    # A site lead with no referral to acknowledge still comes, for the programme dashboard.
    viewer = [u for u in without if u["dashboards"]][:1]
    if viewer and not any(u["dashboards"] for u in users):
        users = users[: wanted - 1] + viewer
    # Each user's personal token, for the FHIR requests (kept in the data set).
    from maillage.core.services import create_api_token

    for entry in users:
        owner = User.objects.get(id=entry["user_id"])
        entry["token"] = create_api_token(user=owner, name="benchmark")[1]
    stats = {
        "lead_candidates": len(leads),
        "users": len(users),
        "users_with_referrals": sum(1 for u in users if u["referrals"]),
        "referrals_in_pools": sum(len(u["referrals"]) for u in users),
        "actions_in_pools": sum(len(u["actions"]) for u in users),
        "users_with_dashboards": sum(1 for u in users if u["dashboards"]),
        "families_per_user_median": statistics.median(len(u["families"]) for u in users)
        if users
        else 0,
    }
    return users, stats


def add_transcript_readers(users: list[dict]) -> None:
    """Makes the virtual users evaluators of a study holding the transcripts of the Taguette
    comparison (benchmarks/evaluation.py), its codings revealed: each of them may read the
    coded 20,000-word transcript. The study is imported once per data set, by the first
    virtual user, and found again by its title on later runs (the data set is kept between
    runs); the seeding generator is left as it is."""
    from maillage.core.models import User
    from maillage.evaluation import qdpx_exchange, services
    from maillage.evaluation.models import Document, EvaluatorRole, Study, StudyEvaluator

    from .evaluation import corpus_qdpx, make_corpus

    if not users:
        return
    study = Study.objects.filter(title=TRANSCRIPT_STUDY).order_by("created_at").first()
    if study is None:
        first = User.objects.get(id=users[0]["user_id"])
        study = qdpx_exchange.import_file(
            by=first,
            data=corpus_qdpx(make_corpus()),
            title=TRANSCRIPT_STUDY,
            deidentified_reason="Synthetic benchmark transcripts",
        ).study
        services.reveal_codings(by=first, study=study)
    lead = StudyEvaluator.objects.get(study=study, role=EvaluatorRole.LEAD).user
    team = set(StudyEvaluator.objects.filter(study=study).values_list("user_id", flat=True))
    for entry in users:
        user = User.objects.get(id=entry["user_id"])
        if user.pk not in team:
            services.add_evaluator(by=lead, study=study, user=user, role=EvaluatorRole.CODER)
    document = Document.objects.get(study=study, title=TRANSCRIPT_TITLE)
    for entry in users:
        entry["transcripts"] = [str(document.pk)]


def _send(client, request):
    if request.method == "GET":
        return client.get(request.path, request.data or {}, headers=request.headers)
    return client.post(request.path, request.data or {}, headers=request.headers)


def capture(user: dict, request) -> dict:
    """Runs the request in-process and returns its status and SQL; nothing is kept."""
    from django.db import connection, transaction
    from django.test import Client, TestCase
    from django.test.utils import CaptureQueriesContext

    from maillage.core.models import User

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    with transaction.atomic():
        client.force_login(User.objects.get(id=user["user_id"]), backend=BACKEND)
        with (
            CaptureQueriesContext(connection) as queries,
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            response = _send(client, request)
        transaction.set_rollback(True)
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(SAVEPOINTS)]
    return {"status": response.status_code, "statements": statements}


def replay(url: str, statements: list[str], repeats: int) -> dict:
    """The statements alone, straight to PostgreSQL, in one transaction rolled back (the
    captured writes were rolled back too, so the same keys insert again)."""
    import psycopg

    times, per_statement = [], [[] for _ in statements]
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()
        for _ in range(repeats):
            started = time.perf_counter()
            with conn.cursor() as cursor:
                for number, sql in enumerate(statements):
                    t0 = time.perf_counter()
                    cursor.execute(sql.encode())
                    if cursor.description is not None:
                        cursor.fetchall()
                    per_statement[number].append(time.perf_counter() - t0)
            times.append(time.perf_counter() - started)
            conn.rollback()
    medians = [statistics.median(t) for t in per_statement]
    slowest = max(range(len(statements)), key=lambda i: medians[i]) if statements else None
    return {
        "seconds": statistics.median(times),
        "slowest_seconds": medians[slowest] if slowest is not None else 0.0,
        "slowest_sql": statements[slowest] if slowest is not None else "",
    }


def floor_of(samples: list[dict]) -> float:
    """The median over samples of each sample's median time (this capture's replay and
    those run next to the solo rounds, if any)."""
    return statistics.median(
        statistics.median([s["seconds"], *s.get("seconds_later", [])]) for s in samples
    )


def replay_again(url: str, floor: dict, repeats: int) -> None:
    """Replays every sample's statements once more and records the time with the sample:
    the machine's speed drifts over minutes, so the floor is measured next to the app's
    solo time it is compared with, not only a few minutes before."""
    for figures in floor.values():
        for sample in figures["samples"]:
            timing = replay(url, sample["statements"], repeats)
            sample.setdefault("seconds_later", []).append(timing["seconds"])
        figures["floor_seconds"] = floor_of(figures["samples"])


def floors(users: list[dict], rng: random.Random, url: str, samples: int, repeats: int):
    from .config import MIX
    from .mix import build

    out = {}
    for kind in MIX:
        runs, statuses = [], []
        candidates = [u for u in users if build(kind, u, random.Random(0)) is not None]
        for number in range(samples):
            if not candidates:
                break
            user = candidates[number % len(candidates)]
            request = build(kind, user, rng)
            capture(user, request)  # warms this process's caches; not kept
            captured = capture(user, request)
            statuses.append(captured["status"])
            timing = replay(url, captured["statements"], repeats)
            runs.append(
                {
                    "path": request.path,
                    "status": captured["status"],
                    "ok": captured["status"] in request.ok,
                    "queries": len(captured["statements"]),
                    # Replayed again next to each solo round (run.py), then dropped.
                    "statements": captured["statements"],
                    **timing,
                }
            )
        if not runs:
            out[kind] = None
            continue
        slowest = max(runs, key=lambda r: r["slowest_seconds"])
        out[kind] = {
            "floor_seconds": floor_of(runs),
            "queries": statistics.median(r["queries"] for r in runs),
            "queries_max": max(r["queries"] for r in runs),
            "statuses": statuses,
            "all_ok": all(r["ok"] for r in runs),
            "slowest_statement_seconds": slowest["slowest_seconds"],
            "slowest_statement": slowest["slowest_sql"],
            "samples": [{k: v for k, v in r.items() if k != "slowest_sql"} for r in runs],
        }
    return out


def main() -> None:
    scale, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    import django

    django.setup()
    from .config import FLOOR_REPEATS, FLOOR_SAMPLES, USERS

    rng = random.Random(seed)
    started = time.monotonic()
    users, stats = pick_users(rng, USERS)
    picked = time.monotonic() - started
    add_transcript_readers(users)
    url = os.environ["DATABASE_URL"]
    floor = floors(users, random.Random(seed + 1), url, FLOOR_SAMPLES, FLOOR_REPEATS)
    with open(out, "w") as handle:
        json.dump(
            {
                "scale": scale,
                "seed": seed,
                "users": users,
                "selection": {**stats, "seconds": round(picked, 1)},
                "floor": floor,
            },
            handle,
            indent=1,
        )


if __name__ == "__main__":
    main()
