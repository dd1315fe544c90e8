"""`make bench`, access-log phase (issue 18): a year of a region's reading history in the
log's monthly partitions, then the family's access report, a caseload page and the API
list with one month of history and with twelve (ratio target ≤ 1.2 each), and what
writing the log costs one list request: one row per family shown (before issue 18)
against one event per reading (now).

    python -m benchmarks.access_log OUT.json      (inside the production settings; run.py
                                                   runs it after the region's load phases)

The history is built once per data set (table `bench_access_history` records the months
built) with SQL alone: BENCH_HISTORY_PER_DAY events a day (60 % lists of 20 families drawn
from the whole region, 40 % one family's page), and, for the families whose report is
measured, BENCH_HISTORY_FAMILY_PER_MONTH lists a month naming each: as often as a family of
a region at full volume is listed. "One month" is measured with the eleven older months
detached (ALTER TABLE … DETACH PARTITION), "twelve" with them attached again, twice each,
alternating, on the same users and families.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from .config import env_int

PER_DAY = env_int("BENCH_HISTORY_PER_DAY", 500)
FAMILY_PER_MONTH = env_int("BENCH_HISTORY_FAMILY_PER_MONTH", 1700)
REPEAT = env_int("BENCH_HISTORY_REPEAT", 40)
WATCHED = 5  # families whose report is measured (one per user)
LIST_SHARE = 0.6
LISTED = 20
MARKER = "bench_access_history"
LIST_DETAILS = json.dumps(
    {
        "each": [
            {
                "parts": ["caseload", "identity", "plan"],
                "via": "circle",
                "break_glass": False,
                "count": LISTED,
            }
        ]
    }
)
PAGE_DETAILS = json.dumps(
    {"parts": ["circle", "consents", "identity", "plan"], "via": "circle", "break_glass": False}
)
COLUMNS = (
    "id, at, actor_id, actor_label, action, object_type, object_id, object_label, "
    "ip_address, purpose, details, object_ids"
)
LISTS = f"""
INSERT INTO audit_auditevent ({COLUMNS})
SELECT gen_random_uuid(), %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s),
       p.users[1 + floor(random() * cardinality(p.users))::int], 'history@example.org', 'viewed',
       'families.family', '', '', '10.0.0.1', 'caseload', %(details)s::jsonb,
       %(head)s::uuid[] || ARRAY(
           SELECT p.families[1 + floor(random() * cardinality(p.families))::int]
           FROM generate_series(1, %(drawn)s) WHERE g.n > 0)
FROM generate_series(1, %(n)s) AS g(n), bench_pool p
"""  # noqa: S608 - a constant column list; values go as parameters
PAGES = f"""
INSERT INTO audit_auditevent ({COLUMNS})
SELECT gen_random_uuid(), %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s),
       p.users[1 + floor(random() * cardinality(p.users))::int], 'history@example.org', 'viewed',
       'families.family', p.families[1 + floor(random() * cardinality(p.families))::int]::text,
       '', '10.0.0.1', '', %(details)s::jsonb, NULL
FROM generate_series(1, %(n)s) AS g(n), bench_pool p
"""  # noqa: S608 - a constant column list; values go as parameters


def log(message: str) -> None:
    print(f"  access log: {message}", flush=True)


def _months():
    from maillage.audit import partitions

    this = partitions.first_of_month(datetime.now(UTC).date())
    return [partitions.add_months(this, -n) for n in range(12)]


def _bounds(month):
    from maillage.audit import partitions

    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    following = partitions.add_months(month, 1)
    end = min(datetime(following.year, following.month, 1, tzinfo=UTC), datetime.now(UTC))
    return start, end


def build_history(watched: list[str]) -> dict:
    """The year's history, month by month (those already built are kept)."""
    from django.db import connection

    from maillage.audit import partitions

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (month date PRIMARY KEY, events bigint, "
            "seconds float, built_at timestamptz DEFAULT now())"
        )
        cursor.execute(f"SELECT month FROM {MARKER}")  # noqa: S608
        built = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "CREATE TEMP TABLE bench_pool AS SELECT "
            "(SELECT array_agg(id) FROM families_family) AS families, "
            "(SELECT array_agg(id) FROM core_user WHERE role = 'practitioner') AS users"
        )
        for month in _months():
            if month in built:
                continue
            started = time.monotonic()
            partitions.create_partition(cursor, month)
            start, end = _bounds(month)
            days = (end - start) / timedelta(days=1)
            share = days / 30.4
            lists = int(PER_DAY * days * LIST_SHARE)
            pages = int(PER_DAY * days) - lists
            span = {"start": start, "end": end}
            cursor.execute(
                LISTS, {**span, "details": LIST_DETAILS, "head": [], "drawn": LISTED, "n": lists}
            )
            for family in watched:
                cursor.execute(
                    LISTS,
                    {
                        **span,
                        "details": LIST_DETAILS,
                        "head": [family],
                        "drawn": LISTED - 1,
                        "n": int(FAMILY_PER_MONTH * share),
                    },
                )
            cursor.execute(PAGES, {**span, "details": PAGE_DETAILS, "n": pages})
            events = lists + pages + int(FAMILY_PER_MONTH * share) * len(watched)
            seconds = time.monotonic() - started
            cursor.execute(
                f"INSERT INTO {MARKER} (month, events, seconds) VALUES (%s, %s, %s)",  # noqa: S608
                [month, events, seconds],
            )
            log(f"{month:%Y-%m}: {events:,} events in {seconds:.0f} s")
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute(f"SELECT sum(events), sum(seconds) FROM {MARKER}")  # noqa: S608
        events, seconds = cursor.fetchone()
        sizes = _sizes(cursor)
    return {
        "months": 12,
        "events": int(events),
        "build_seconds": round(seconds, 1),
        "per_day": PER_DAY,
        "family_lists_per_month": FAMILY_PER_MONTH,
        **sizes,
    }


def _sizes(cursor) -> dict:
    cursor.execute(
        "SELECT count(*), sum(pg_relation_size(c.oid)), sum(pg_indexes_size(c.oid)), "
        "sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c "
        "ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_auditevent'::regclass"
    )
    partitions_count, heap, indexes, total = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM audit_auditevent")
    rows = cursor.fetchone()[0]
    return {
        "partitions": partitions_count,
        "rows": rows,
        "heap_bytes": int(heap),
        "index_bytes": int(indexes),
        "total_bytes": int(total),
    }


def _detach_older(cursor, attach: bool) -> None:
    from maillage.audit import partitions

    for month in _months()[1:]:
        name = partitions.partition_name(month)
        if attach:
            start = datetime(month.year, month.month, 1, tzinfo=UTC)
            following = partitions.add_months(month, 1)
            end = datetime(following.year, following.month, 1, tzinfo=UTC)
            cursor.execute(
                f"ALTER TABLE audit_auditevent ATTACH PARTITION {name} "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
        else:
            cursor.execute(f"ALTER TABLE audit_auditevent DETACH PARTITION {name}")
    cursor.execute("ANALYZE audit_auditevent")


def _timed(client, path: str, repeat: int) -> float:
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    walls = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
    return statistics.median(walls)


def reading_times(users: list[dict]) -> dict:
    """Median ms of each request, over the users, one month then twelve, twice."""
    from django.db import connection
    from django.test import Client

    from maillage.core.models import User

    from .prepare import BACKEND

    clients = []
    for user in users:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
        client.force_login(User.objects.get(id=user["user_id"]), backend=BACKEND)
        clients.append((client, user["families"][0]))
    paths = {
        "access_report": lambda family: f"/families/{family}/access-report/",
        "caseload": lambda family: "/families/",
        "api_families": lambda family: "/api/v1/families/",
    }
    found: dict = {"one_month": {k: [] for k in paths}, "twelve_months": {k: [] for k in paths}}
    detached = False
    try:
        for _cycle in range(2):
            for history in ("one_month", "twelve_months"):
                with connection.cursor() as cursor:
                    _detach_older(cursor, attach=detached)
                detached = not detached
                for kind, path in paths.items():
                    for client, family in clients:
                        found[history][kind].append(
                            _timed(client, path(family), max(REPEAT // len(clients), 1))
                        )
    finally:
        if detached:  # the history goes back whatever happened
            with connection.cursor() as cursor:
                _detach_older(cursor, attach=True)
    one = {k: round(statistics.median(v), 1) for k, v in found["one_month"].items()}
    twelve = {k: round(statistics.median(v), 1) for k, v in found["twelve_months"].items()}
    return {
        "one_month_ms": one,
        "twelve_months_ms": twelve,
        "ratio": {k: round(twelve[k] / one[k], 2) for k in one},
    }


def write_cost(user: dict, repeat: int = 200) -> dict:
    """One list request's access-log write, before (one row per family shown) and now
    (one event naming them): median time of the INSERT, rows and bytes (table and
    indexes) per request, measured on the current month's partition."""
    from django.db import connection, transaction

    from maillage.audit.models import AuditEvent
    from maillage.audit.partitions import first_of_month, partition_name
    from maillage.core.models import User
    from maillage.families import selectors

    reader = User.objects.get(id=user["user_id"])
    summary = selectors.caseload_summary(fetched_by=reader)
    families = summary.present(list(summary.families[:LISTED]))

    def before() -> None:
        AuditEvent.objects.bulk_create(
            [
                selectors._access_event(
                    reader,
                    f,
                    ["caseload", *(p for p in ("identity", "plan") if f.access.sees(p))],
                    f.access,
                    None,
                    "caseload",
                )
                for f in families
            ]
        )

    def now() -> None:
        selectors.log_listing(reader, families)

    partition = partition_name(first_of_month(datetime.now(UTC).date()))
    figures = {}
    for name, write in (("before", before), ("now", now)):
        walls = []
        with transaction.atomic():
            for _ in range(20):
                write()
            for _ in range(repeat):
                started = time.perf_counter()
                write()
                walls.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [partition])
            size_before = cursor.fetchone()[0]
            with transaction.atomic():
                for _ in range(repeat):
                    write()
            cursor.execute("SELECT pg_total_relation_size(%s)", [partition])
            grown = cursor.fetchone()[0] - size_before
        figures[name] = {
            "insert_ms": round(statistics.median(walls), 3),
            "rows": len(families) if name == "before" else 1,
            "bytes": round(grown / repeat),
        }
    figures["families_listed"] = len(families)
    return figures


def phase(scale, log=print) -> dict:
    """Run from run.py: this module in its own process, with the production settings."""
    from . import config
    from .server import production_env

    out = config.VAR / f"{scale.name}-access-log.json"
    log(f"{scale.database}: access-log phase (a year of history, one month against twelve)")
    done = subprocess.run(  # noqa: S603 - our own venv's python
        [str(config.BIN / "python"), "-m", "benchmarks.access_log", str(out)],
        env=production_env(scale),
        cwd=config.ROOT,
        check=False,
    )
    if done.returncode != 0:  # the load phases' figures are kept all the same
        log(f"access-log phase failed (exit {done.returncode})")
        return {"failed": done.returncode}
    return json.loads(out.read_text())


def main() -> None:
    out = sys.argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    import django

    django.setup()
    from maillage.audit.partitions import is_partitioned

    from .prepare import pick_users

    if not is_partitioned():
        raise SystemExit("the access log is not partitioned (PostgreSQL, audit 0009)")
    users, _stats = pick_users(random.Random(18), WATCHED)
    started = time.monotonic()
    history = build_history([u["families"][0] for u in users])
    log(f"history: {history['events']:,} events, {history['total_bytes'] / 2**30:.2f} GiB")
    times = reading_times(users)
    log(f"one month → twelve: {times['ratio']}")
    writes = write_cost(users[0])
    log(f"write per list request: {writes}")
    result = {
        "history": history,
        **times,
        "write": writes,
        "seconds": round(time.monotonic() - started, 1),
    }
    with open(out, "w") as handle:
        json.dump(result, handle, indent=1, default=str)


if __name__ == "__main__":
    main()
