"""Finding 8: on SQLite, INSERT OR REPLACE rewrote an audit row without firing the DELETE
trigger. Every SQL path that could change or remove a row is refused by the database
itself, on SQLite and PostgreSQL, and the row stays as it was."""

import pytest
from django.db import DatabaseError, connection, transaction

from maillage.audit.models import Action, AuditEvent
from maillage.audit.services import record_event

pytestmark = pytest.mark.django_db

COLUMNS = "id, at, actor_label, action, object_type, object_id, object_label, purpose, details"
FORGED = (
    "id, at, 'forged@example.org', action, object_type, object_id, object_label, purpose, details"
)
SAME_ID = f"SELECT {FORGED} FROM audit_auditevent"  # noqa: S608 - fixed text, no input

BOTH = [
    "UPDATE audit_auditevent SET actor_label = 'forged@example.org'",
    "DELETE FROM audit_auditevent",
]
SQLITE = [
    f"INSERT OR REPLACE INTO audit_auditevent ({COLUMNS}) {SAME_ID}",
    f"REPLACE INTO audit_auditevent ({COLUMNS}) {SAME_ID}",
    # SQLite's upsert needs a WHERE after a SELECT to parse the ON CONFLICT clause.
    f"INSERT INTO audit_auditevent ({COLUMNS}) {SAME_ID} WHERE true "
    "ON CONFLICT (id) DO UPDATE SET actor_label = excluded.actor_label",
    f"INSERT INTO audit_auditevent ({COLUMNS}) {SAME_ID} WHERE true "
    "ON CONFLICT DO UPDATE SET actor_label = 'forged@example.org'",
    f"INSERT OR IGNORE INTO audit_auditevent ({COLUMNS}) {SAME_ID}",
    f"INSERT OR FAIL INTO audit_auditevent ({COLUMNS}) {SAME_ID}",
    "UPDATE OR REPLACE audit_auditevent SET actor_label = 'forged@example.org'",
]
POSTGRESQL = [
    f"INSERT INTO audit_auditevent ({COLUMNS}) {SAME_ID} "
    "ON CONFLICT (id) DO UPDATE SET actor_label = excluded.actor_label",
    f"INSERT INTO audit_auditevent ({COLUMNS}) {SAME_ID} "
    "ON CONFLICT ON CONSTRAINT audit_auditevent_pkey DO UPDATE SET action = 'login'",
    "MERGE INTO audit_auditevent AS a USING (SELECT id FROM audit_auditevent) AS s "
    "ON a.id = s.id WHEN MATCHED THEN UPDATE SET actor_label = 'forged@example.org'",
    "MERGE INTO audit_auditevent AS a USING (SELECT id FROM audit_auditevent) AS s "
    "ON a.id = s.id WHEN MATCHED THEN DELETE",
    "TRUNCATE audit_auditevent",
    "TRUNCATE audit_auditevent CASCADE",
]


def statements():
    if connection.vendor == "sqlite":
        return BOTH + SQLITE
    if connection.vendor == "postgresql":
        return BOTH + POSTGRESQL
    return BOTH


@pytest.fixture
def event():
    return record_event(
        action=Action.LOGIN_FAILED,
        actor_label="someone@example.org",
        object_type="core.user",
        object_id="42",
        purpose="original",
    )


@pytest.mark.parametrize("statement", statements())
def test_database_refuses_every_way_to_rewrite_or_remove_an_event(event, statement):
    # "OR IGNORE" is harmless by itself (it writes nothing); every other path is refused.
    ignored = "OR IGNORE" in statement
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
        refused = False
    except DatabaseError:
        refused = True
    assert refused or ignored, statement
    rows = list(AuditEvent.objects.values_list("id", "actor_label", "purpose", "action"))
    assert rows == [(event.id, "someone@example.org", "original", Action.LOGIN_FAILED)]


def test_new_events_are_still_appended(event):
    second = record_event(action=Action.LOGIN, actor_label="other@example.org")
    assert AuditEvent.objects.count() == 2
    assert AuditEvent.objects.get(pk=second.pk).actor_label == "other@example.org"


@pytest.mark.django_db(transaction=True)
def test_tables_are_still_emptied_between_transactional_tests():
    # The flush after this test (tests/conftest.py lifts the triggers for it) must succeed,
    # and the next insert of a fresh id must not be mistaken for a replacement.
    record_event(action=Action.LOGIN_FAILED, actor_label="someone@example.org")
    record_event(action=Action.LOGIN_FAILED, actor_label="someone@example.org")
    assert AuditEvent.objects.count() == 2
