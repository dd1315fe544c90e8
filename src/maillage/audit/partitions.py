"""The access log in monthly partitions on PostgreSQL, and what retention does with them.

The log is the table that grows fastest (docs/scaling.md): `audit_auditevent` is
partitioned by range on `at`, one partition a month (`audit_auditevent_2026_11`), created
three months ahead: by migration 0009, by the daily task `prepare_audit_partitions` and by
`maillage archive_audit_log`, so that none is missing at midnight on the first of a month.
There is no default partition: with one, PostgreSQL can no longer read the partitions in
order of time, and a family's access report (newest first, 50 a page) would read every
month instead of the latest. `maillage archive_audit_log` also archives the months older
than the retention period (`AUDIT_RETENTION_YEARS`): each is detached, written to a
compressed file with its SHA-256 checksum next to it, and dropped; `maillage
restore_audit_archive` loads such a file back into a table that can be queried. SQLite
(the demo) keeps one table.

Every partition refuses UPDATE and DELETE (row triggers, cloned from the parent to each
partition by PostgreSQL) and TRUNCATE (a statement trigger on each partition: PostgreSQL
does not clone those).
"""

import gzip
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.db import OperationalError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
PARENT = "audit_auditevent"
AHEAD = 3  # months created ahead of the current one
_NAME = re.compile(rf"^{PARENT}_(\d{{4}})_(\d{{2}})$")
ROW_TRIGGERS = """
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
"""
TRUNCATE_TRIGGER = """
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();
"""


def is_partitioned(conn=connection) -> bool:
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [PARENT])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{PARENT}_{month:%Y_%m}"


def _bound(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()


def create_partition(cursor, month: date) -> bool:
    """The month's partition, with its TRUNCATE trigger; False if it already existed."""
    name = partition_name(month)
    cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
    if cursor.fetchone():
        return False
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(add_months(month, 1))}')"
    )
    cursor.execute(TRUNCATE_TRIGGER.format(table=name))
    return True


def months() -> list[date]:
    """The months that have a partition attached, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = _NAME.match(name)
        if match:
            found.append(date(int(match[1]), int(match[2]), 1))
    return sorted(found)


def ensure_ahead(*, today: date | None = None, ahead: int = AHEAD) -> list[str]:
    """Creates the partitions of this month and the next `ahead` ones that are missing;
    returns their names. Nothing on SQLite."""
    if not is_partitioned():
        return []
    this_month = first_of_month(today or timezone.now().astimezone(UTC).date())
    created: list[str] = []
    try:
        _create_ahead(this_month, ahead, created)
    except OperationalError:  # the transaction rolled back: nothing was created
        logger.warning("audit partitions: a lock was not granted in time; tried again tomorrow")
        return []
    return created


def _create_ahead(this_month: date, ahead: int, created: list[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # Creating a partition locks the log and, for its foreign key, the accounts table,
        # in the other order from a request writing both: rather than wait behind requests
        # (or deadlock with one), give up after a few seconds; the months are made three
        # ahead, so tomorrow's run is in time (seen in the benchmark, issue 18).
        cursor.execute("SET LOCAL lock_timeout = '5s'")
        for n in range(ahead + 1):
            month = add_months(this_month, n)
            if create_partition(cursor, month):
                created.append(partition_name(month))


def expired(*, years: int, today: date | None = None) -> list[date]:
    """The months wholly older than the retention period."""
    today = today or timezone.now().astimezone(UTC).date()
    limit = first_of_month(today.replace(year=today.year - years, day=1))
    return [month for month in months() if add_months(month, 1) <= limit]


@dataclass
class Archive:
    month: date
    path: Path
    rows: int
    sha256: str


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def archive_month(month: date, directory: Path) -> Archive:
    """Detaches the month's partition, writes its rows to `<name>.csv.gz` and the file's
    SHA-256 to `<name>.csv.gz.sha256` (the `sha256sum` format), then drops it, all in one
    transaction: if the file cannot be written, the month stays in the log. The caller
    records the archiving in the log itself."""
    name = partition_name(month)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.csv.gz"
    with transaction.atomic(), connection.cursor() as cursor:
        # Deferred foreign-key checks of rows written in this transaction run first: a
        # table with pending trigger events cannot be dropped.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {name}")
        with gzip.open(path, "wb") as out:
            raw = cursor.cursor  # psycopg's own cursor: COPY streams the rows
            with raw.copy(f"COPY {name} TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for chunk in copy:
                    out.write(chunk)
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 - name built here
        rows = cursor.fetchone()[0]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        _checksum_path(path).write_text(f"{digest}  {path.name}\n")
        cursor.execute(f"DROP TABLE {name}")
    return Archive(month=month, path=path, rows=rows, sha256=digest)


class DamagedArchive(Exception):  # noqa: N818 (the name says what happened)
    pass


def restore(path: Path, table: str = "") -> tuple[str, int]:
    """Loads an archive into a table of the same columns (`audit_archive_2026_11` by
    default), outside the log, after checking the file against its checksum."""
    listed = _checksum_path(path).read_text().split()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if not listed or listed[0] != digest:
        raise DamagedArchive(f"{path.name}: checksum mismatch, the file is damaged")
    match = re.search(r"(\d{4}_\d{2})\.csv\.gz$", path.name)
    table = table or f"audit_archive_{match[1] if match else 'restored'}"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", table):
        raise ValueError(f"{table}: not a table name")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS)")
        with gzip.open(path, "rb") as source:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        cursor.execute(f"CREATE INDEX ON {table} (object_type, object_id, at)")
        cursor.execute(f"CREATE INDEX ON {table} USING gin (object_ids)")
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - name checked above
        rows = cursor.fetchone()[0]
    return table, rows
