"""Where one request type spends its time, in-process: the request sent many times through
Django's test client (the whole middleware stack, the production settings, a persisted
session) on a benchmark database, with the time in SQL apart and a pyinstrument profile.

    python -m benchmarks.profile KIND [--scale region] [--repeat 200] [--profile]

The database must exist (`make bench` builds it). Reads only: a write would consume the
benchmark's objects; profile writes through a `make bench` run instead.
"""

import argparse
import os
import random
import statistics
import time


def main() -> None:
    from .config import MIX, SCALES
    from .server import production_env

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=[k for k in MIX if k not in ("referral_step",)])
    parser.add_argument("--scale", choices=list(SCALES), default="region")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.update(production_env(SCALES[args.scale]))
    os.environ["DJANGO_SETTINGS_MODULE"] = "maillage.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from maillage.core.models import User

    from .mix import build
    from .prepare import BACKEND, add_transcript_readers, pick_users

    rng = random.Random(args.seed)
    users = pick_users(rng, 3)[0]
    if args.kind == "transcript":
        # As prepare.py does: these users become readers of the benchmark's transcript study
        # (imported once per data set), or none of them has a transcript to read.
        add_transcript_readers(users)
    user = next(u for u in users if build(args.kind, u, rng) is not None)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    client.force_login(User.objects.get(id=user["user_id"]), backend=BACKEND)

    def send() -> int:
        request = build(args.kind, user, rng)
        if request.method == "GET":
            return client.get(request.path, request.data or {}, headers=request.headers).status_code
        return client.post(request.path, request.data or {}, headers=request.headers).status_code

    for _ in range(10):  # warms the caches (templates, translations, connection)
        send()
    walls, sql, counts = [], [], []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            status = send()
            walls.append(time.perf_counter() - started)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries))
        counts.append(len(queries.captured_queries))
    print(
        f"{args.kind} on {args.scale} ({args.repeat} requests, last status {status}): "
        f"median {statistics.median(walls) * 1000:.2f} ms, of which SQL as Django timed it "
        f"{statistics.median(sql) * 1000:.2f} ms; {statistics.median(counts):g} queries"
    )
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:6.2f} ms  {query['sql'][:150]}")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(args.repeat):
                send()
        # PROFILE_ALL=1 shows Django's own frames too (long: grep it).
        show_all = os.environ.get("PROFILE_ALL") == "1"
        print(profiler.output_text(unicode=True, color=False, show_all=show_all))


if __name__ == "__main__":
    main()
