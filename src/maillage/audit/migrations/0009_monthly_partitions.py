"""On PostgreSQL, the access log becomes a table partitioned by month on `at`
(audit/partitions.py says why and how): the rows are copied into the new table, with a
partition for every month they cover, this month and the next three;
the same indexes (by the same names, so that later migrations find them), the same foreign
key, and the append-only triggers on every partition. The primary key becomes (id, at):
PostgreSQL requires the partition key in it; ids stay random UUIDs.

Reversible: back to one table, the rows copied back. SQLite keeps one table.
"""

from datetime import UTC, datetime

from django.db import migrations

from maillage.audit import partitions

TABLE = partitions.PARENT
OLD = f"{TABLE}_before_rebuild"


def _rebuild(schema_editor, *, partitioned: bool) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
            [TABLE, f"{TABLE}_pkey"],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT {TABLE}_pkey")
        for name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT {name}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            + (" PARTITION BY RANGE (at)" if partitioned else "")
        )
        if partitioned:
            cursor.execute(f"SELECT min(at), max(at) FROM {OLD}")  # noqa: S608
            oldest, newest = cursor.fetchone()
            now = datetime.now(UTC)
            month = partitions.first_of_month((oldest or now).astimezone(UTC).date())
            last = partitions.add_months(
                partitions.first_of_month(max(newest or now, now).astimezone(UTC).date()),
                partitions.AHEAD,
            )
            while month <= last:
                partitions.create_partition(cursor, month)
                month = partitions.add_months(month, 1)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")  # noqa: S608
        cursor.execute(f"DROP TABLE {OLD}")
        key = "(id, at)" if partitioned else "(id)"
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY {key}")
        for _name, definition in indexes:
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        # Row triggers on a partitioned table are cloned to every partition, present and
        # future; TRUNCATE triggers are not (create_partition adds one to each).
        cursor.execute(partitions.ROW_TRIGGERS.format(table=TABLE))
        cursor.execute(partitions.TRUNCATE_TRIGGER.format(table=TABLE))


def forwards(apps, schema_editor):
    _rebuild(schema_editor, partitioned=True)


def backwards(apps, schema_editor):
    _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_one_event_per_listing")]
    operations = [migrations.RunPython(forwards, backwards)]
