"""The audit log can be appended to, never rewritten: by the app, the ORM or raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from maillage.audit.models import Action, AuditEvent, AuditLogIsAppendOnly
from maillage.audit.services import record_event
from maillage.directory.services import update_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record_event(action=Action.LOGIN_FAILED, actor_label="someone@example.org")


def test_orm_refuses_to_update_an_event(event):
    event.actor_label = "someone-else@example.org"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["actor_label"])
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "someone@example.org"


def test_an_event_is_written_whole_by_its_compiled_insert(network):
    """save() inserts through an INSERT built once (core.compiled.CompiledInsert): every
    field reads back as it was given, a list's ids and details included."""
    import uuid

    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.first()
    ids = [uuid.uuid4(), uuid.uuid4()]
    written = []
    for n in range(2):  # the second uses the INSERT built for the first
        listing = AuditEvent(
            action=Action.VIEWED,
            actor=actor,
            actor_label=actor.email,
            object_type="family",
            object_ids=ids,
            ip_address="192.0.2.7",
            purpose=f"api caseload {n}",
            details={"each": [{"parts": ["caseload", "identity"], "count": 2}]},
        )
        listing.save()
        written.append(listing)
    for listing in written:
        read = AuditEvent.objects.get(pk=listing.pk)
        assert (read.at, read.actor, read.object_ids, read.details, read.purpose) == (
            listing.at,
            actor,
            ids,
            listing.details,
            listing.purpose,
        )
        assert read.ip_address == "192.0.2.7" and read.object_id == "" and read.is_listing
        with pytest.raises(AuditLogIsAppendOnly):
            listing.save()  # saved once: a second save would be an update


def test_orm_refuses_to_delete_an_event(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET actor_label = 'forged'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_database_refuses_raw_sql_changes(event, statement):
    # On PostgreSQL (CI) and SQLite alike, a trigger stands behind the ORM's refusal.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "someone@example.org"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_directory_changes_are_recorded_with_what_changed(network):
    lead = network["users"]["lead"]
    team = network["teams"]["perinatal"]
    update_team(by=lead, team=team, phone="(819) 555-0101")
    event = AuditEvent.objects.get(action=Action.UPDATED, object_id=str(team.id))
    assert event.actor == lead
    assert event.details["changes"]["phone"] == ["", "(819) 555-0101"]


def test_coordinator_browses_and_filters_the_log(network, verified_login):
    record_event(action=Action.LOGIN_FAILED, actor_label="intruder@example.org")
    record_event(action=Action.LOGIN, actor=network["users"]["nurse"])
    client = verified_login(network["users"]["coordinator"])
    page = client.get(reverse("audit:log"), {"action": "login_failed"}).content.decode()
    assert "intruder@example.org" in page
    assert "nurse@example.org" not in page
    page = client.get(reverse("audit:log"), {"actor": "nurse"}).content.decode()
    assert "nurse@example.org" in page
    assert "intruder@example.org" not in page


def test_practitioner_cannot_see_the_log(network, client):
    client.force_login(network["users"]["nurse"])
    assert client.get(reverse("audit:log")).status_code == 404


def test_log_page_runs_a_bounded_number_of_queries(
    network, verified_login, django_assert_max_num_queries
):
    client = verified_login(network["users"]["coordinator"])
    for n in range(120):
        record_event(action=Action.LOGIN_FAILED, actor_label=f"user{n}@example.org")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit:log")).status_code == 200
