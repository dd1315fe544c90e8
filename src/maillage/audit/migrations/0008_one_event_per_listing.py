"""Converts the rows written before issue 18, one per family a list showed, into one event
per reading, losing none (tests/audit/test_listing_migration.py compares every family's
access report before and after).

The rows of one reading were written by one INSERT, in the request's transaction: same
transaction id (`xmin`), same reader, address, purpose and list (the first part named).
Such a group of two families or more becomes one event naming them, at the time of its
first row (the others were written microseconds later), with what each row showed. A
family a reading named twice (an inbox with two referrals of one family) keeps its second
row as it is. Rows of one family's page, writes, and everything else stay as they are.

PostgreSQL only: the demo's SQLite database keeps its old rows, which the access report
still reads. The append-only triggers are lifted for this migration's DELETE only, in its
transaction.
"""

import json
import uuid

from django.db import migrations

# The purposes log_listing wrote (families: caseload page and API; referrals: inbox page
# and API; interop: FHIR searches).
LIST_PURPOSES = ("caseload", "api caseload", "referral inbox", "api referral inbox", "fhir")
CANDIDATES = """
    SELECT id, at, actor_id, actor_label, ip_address, purpose, object_id, details,
           xmin::text AS tx
    FROM audit_auditevent
    WHERE action = 'viewed' AND object_type = 'families.family' AND object_ids IS NULL
      AND purpose = ANY(%s)
    ORDER BY xmin::text, actor_id, actor_label, ip_address, purpose, details->'parts'->>0, at, id
"""
INSERT = """
    INSERT INTO audit_auditevent (id, at, actor_id, actor_label, action, object_type,
        object_id, object_label, ip_address, purpose, details, object_ids)
    VALUES (%s, %s, %s, %s, 'viewed', 'families.family', '', '', %s, %s, %s, %s)
"""


def _json(value):
    # Django's connection hands jsonb over as text (it decodes JSON fields itself).
    return json.loads(value) if isinstance(value, str) else value or {}


def _key(row):
    _id, _at, actor_id, actor_label, ip, purpose, _object_id, details, tx = row
    parts = _json(details).get("parts") or [""]
    return (tx, actor_id, actor_label, ip, purpose, parts[0])


def _convert(cursor, group) -> list:
    """One event for a reading's rows; returns the ids of the rows it replaces."""
    first, named, runs = group[0], set(), {}
    for row in group:
        family = uuid.UUID(row[6])
        if family in named:
            continue  # a family named twice by one reading keeps its second row
        named.add(family)
        details = _json(row[7])
        detail = {k: details[k] for k in ("parts", "via", "break_glass") if k in details}
        runs.setdefault(json.dumps(detail, sort_keys=True), (detail, []))[1].append(
            (family, row[0])
        )
    if len(named) < 2:
        return []
    families = [family for _detail, rows in runs.values() for family, _id in rows]
    details = {"each": [{**detail, "count": len(rows)} for detail, rows in runs.values()]}
    cursor.execute(
        INSERT,
        [
            uuid.uuid4(),
            first[1],
            first[2],
            first[3],
            first[4],
            first[5],
            json.dumps(details),
            families,
        ],
    )
    return [row_id for _detail, rows in runs.values() for _family, row_id in rows]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as reader, connection.cursor() as writer:
        reader.execute(CANDIDATES, [list(LIST_PURPOSES)])
        replaced: list = []
        group: list = []
        while rows := reader.fetchmany(5000):
            for row in rows:
                if group and _key(row) != _key(group[0]):
                    replaced += _convert(writer, group)
                    group = []
                group.append(row)
        if group:
            replaced += _convert(writer, group)
        if replaced:
            # The new events' deferred foreign-key checks run first: ALTER TABLE refuses a
            # table with pending trigger events.
            writer.execute("SET CONSTRAINTS ALL IMMEDIATE")
            writer.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_delete")
            for start in range(0, len(replaced), 10000):
                writer.execute(
                    "DELETE FROM audit_auditevent WHERE id = ANY(%s)",
                    [replaced[start : start + 10000]],
                )
            writer.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_delete")


def backwards(apps, schema_editor):
    """Back to one row per family shown, each at its reading's time."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, at, actor_id, actor_label, ip_address, purpose, details, object_ids "
            "FROM audit_auditevent WHERE object_ids IS NOT NULL"
        )
        listings = cursor.fetchall()
        for _event_id, at, actor_id, actor_label, ip, purpose, details, families in listings:
            runs = [run for run in _json(details).get("each", []) for _n in range(run["count"])]
            for family, run in zip(families, runs, strict=True):
                detail = {k: v for k, v in run.items() if k != "count"}
                cursor.execute(
                    "INSERT INTO audit_auditevent (id, at, actor_id, actor_label, action, "
                    "object_type, object_id, object_label, ip_address, purpose, details) "
                    "VALUES (%s, %s, %s, %s, 'viewed', 'families.family', %s, %s, %s, %s, %s)",
                    [
                        uuid.uuid4(),
                        at,
                        actor_id,
                        actor_label,
                        str(family),
                        str(family)[:8].upper(),
                        ip,
                        purpose,
                        json.dumps(detail),
                    ],
                )
        if listings:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_delete")
            cursor.execute("DELETE FROM audit_auditevent WHERE object_ids IS NOT NULL")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_listing_events")]
    operations = [migrations.RunPython(forwards, backwards)]
