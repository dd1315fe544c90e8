"""Closes the path 0003 left open on SQLite: INSERT OR REPLACE (and REPLACE INTO) with the
id of an existing event deletes that row and inserts another without firing the DELETE
trigger (SQLite fires delete triggers for REPLACE only with recursive_triggers on). A
BEFORE INSERT trigger refuses any insert whose id is already in the table, so a REPLACE
is refused before the old row is touched; an upsert (INSERT ... ON CONFLICT DO UPDATE) is
refused by it as well, and would be by the UPDATE trigger otherwise.

PostgreSQL needs nothing new: it has no REPLACE, and an upsert's DO UPDATE and MERGE's
UPDATE/DELETE fire the row triggers of 0003 (tests/security/test_audit_append_only.py
tries each path on both databases)."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_auditevent
       WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only (REPLACE refused)'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_event_no_replace;"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_auditevent_second_factor_reset")]
    operations = [migrations.RunPython(forwards, backwards)]
