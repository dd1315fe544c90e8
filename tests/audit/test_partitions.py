"""On PostgreSQL the access log lives in monthly partitions: each refuses UPDATE, DELETE and
TRUNCATE; partitions exist months ahead;
months past the retention period are archived to a compressed, checksummed file, with an
audit event, and come back into a table that can be queried."""

import gzip
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from maillage.audit import partitions
from maillage.audit.maintenance import archive_expired
from maillage.audit.models import Action, AuditEvent
from maillage.audit.services import listing_event, record_event

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
    pytest.mark.django_db,
]


def _event_at(at: datetime, label: str) -> AuditEvent:
    event = AuditEvent(action=Action.VIEWED, actor_label=label, at=at, object_type="x")
    event.save()
    return event


def _where(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.id]
        )
        return cursor.fetchone()[0]


def test_the_log_is_partitioned_by_month_and_made_ahead():
    assert partitions.is_partitioned()
    this_month = partitions.first_of_month(datetime.now(UTC).date())
    for n in range(partitions.AHEAD + 1):
        assert partitions.add_months(this_month, n) in partitions.months()
    event = record_event(action=Action.LOGIN, actor_label="someone@example.org")
    assert _where(event) == partitions.partition_name(this_month)
    next_month = _event_at(
        datetime.combine(partitions.add_months(this_month, 1), datetime.min.time(), UTC),
        "at-midnight@example.org",
    )
    assert _where(next_month) == partitions.partition_name(partitions.add_months(this_month, 1))


def test_the_daily_task_creates_the_coming_months():
    later = date(2090, 1, 15)
    created = partitions.ensure_ahead(today=later)
    assert created == [f"audit_auditevent_2090_0{n}" for n in range(1, 5)]
    assert partitions.ensure_ahead(today=later) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET actor_label = 'forged'",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
    ],
)
def test_every_partition_refuses_rewrites(statement):
    event = record_event(action=Action.LOGIN, actor_label="someone@example.org")
    for table in ("audit_auditevent", _where(event)):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=table))
    assert AuditEvent.objects.get(id=event.id).actor_label == "someone@example.org"


def test_a_month_past_retention_is_archived_then_restored(tmp_path):
    old_month = date(2019, 3, 1)
    with connection.cursor() as cursor:
        partitions.create_partition(cursor, old_month)
    at = datetime(2019, 3, 14, 10, tzinfo=UTC)
    kept = [_event_at(at, f"reader{n}@example.org") for n in range(3)]
    family = "3f2a91c0-0000-4000-8000-000000000001"
    listing = listing_event(
        action=Action.VIEWED,
        actor=None,
        object_type="families.family",
        shown=[(family, {"parts": ["caseload"], "via": "circle"})],
    )
    listing.at = at
    listing.save()

    archived = archive_expired(years=5, directory=tmp_path, today=date(2026, 11, 29))

    assert [a.month for a in archived] == [old_month]
    assert old_month not in partitions.months()
    assert not AuditEvent.objects.filter(at__year=2019).exists()
    archive = archived[0]
    assert archive.rows == 4
    with gzip.open(archive.path, "rt") as rows:
        assert len(rows.read().splitlines()) == 1 + 4
    record = AuditEvent.objects.get(action=Action.ARCHIVED)
    assert record.details["sha256"] == archive.sha256
    assert record.details["rows"] == 4

    call_command("restore_audit_archive", str(archive.path))
    with connection.cursor() as cursor:
        cursor.execute("SELECT actor_label FROM audit_archive_2019_03 ORDER BY actor_label")
        labels = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) FROM audit_archive_2019_03 WHERE object_ids @> ARRAY[%s]::uuid[]",
            [family],
        )
        assert cursor.fetchone()[0] == 1
    assert labels == ["", *sorted(e.actor_label for e in kept)]


def test_a_damaged_archive_is_refused(tmp_path):
    with connection.cursor() as cursor:
        partitions.create_partition(cursor, date(2018, 1, 1))
    _event_at(datetime(2018, 1, 2, tzinfo=UTC), "x@example.org")
    archive = archive_expired(years=5, directory=tmp_path, today=date(2026, 1, 1))[0]
    archive.path.write_bytes(archive.path.read_bytes()[:-4] + b"oops")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore_audit_archive", str(archive.path))
