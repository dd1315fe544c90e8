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
