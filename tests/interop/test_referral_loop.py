"""The referral loop over FHIR only: a partner system polls its team's Tasks, accepts one,
records the first contact, completes it; the referrer's page shows each step; a step the
transition table does not allow is refused with an OperationOutcome naming it."""

import pytest
from django.urls import reverse

from maillage.referrals.models import ReferralEvent, Status, Step

from .conftest import validate

pytestmark = pytest.mark.django_db


def poll(partner, team) -> list[dict]:
    return partner.walk("Task", owner=f"Organization/{team.id}", status="requested")


def test_partner_closes_the_loop_over_fhir_and_the_referrer_sees_each_step(
    care, referral, fhir, client, verified_login
):
    # Given a referral sent by the CLSC to the CRD's mother-child team
    partner = fhir(care["users"]["partner"])
    team = care["teams"]["mother_child"]

    # When the CRD's system polls its team's open Tasks
    tasks = poll(partner, team)
    # Then it finds the referral, shaped as the Gravity profile asks
    assert [t["id"] for t in tasks] == [str(referral.id)]
    task = tasks[0]
    assert task["intent"] == "order"
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"]["reference"] == f"ServiceRequest/{referral.id}"
    assert task["owner"]["reference"] == f"Organization/{team.id}"
    assert task["requester"]["reference"] == f"Organization/{care['teams']['perinatal'].id}"
    request = partner.get(task["focus"]["reference"])
    assert request.status_code == 200
    assert request.json()["intent"] == "order"

    # When it accepts (PUT), records the first contact (PATCH), then completes (PUT)
    accepted = partner.send("PUT", f"Task/{referral.id}", {**task, "status": "accepted"})
    assert accepted.status_code == 200, accepted.content
    validate(accepted.json())
    assert accepted.json()["status"] == "accepted"

    started = partner.send(
        "PATCH",
        f"Task/{referral.id}",
        [{"op": "replace", "path": "/status", "value": "in-progress"}],
        content_type="application/json-patch+json",
    )
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "in-progress"

    done = {
        **started.json(),
        "status": "completed",
        "output": [{"type": {"text": "Outcome"}, "valueString": "Suivi commencé, 3 rencontres."}],
    }
    completed = partner.send("PUT", f"Task/{referral.id}", done)
    assert completed.status_code == 200, completed.content
    assert completed.json()["status"] == "completed"
    assert completed.json()["output"][0]["valueString"] == "Suivi commencé, 3 rencontres."

    # Then the referral went through every step of our table, recorded as the partner's
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    assert referral.outcome == "Suivi commencé, 3 rencontres."
    steps = list(ReferralEvent.objects.filter(referral=referral).values_list("step", "by"))
    partner_id = care["users"]["partner"].id
    assert steps[1:] == [
        (Step.ACKNOWLEDGE, partner_id),
        (Step.ACCEPT, partner_id),
        (Step.START, partner_id),
        (Step.COMPLETE, partner_id),
    ]
    # And the referrer's page shows each of them
    page = verified_login(care["users"]["owner"]).get(
        reverse("referrals:detail", args=[referral.id])
    )
    content = page.content.decode()
    for status in (Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED):
        assert str(status.label) in content, status
    # And the closed referral no longer comes up when the partner polls open ones
    assert poll(partner, team) == []


def test_a_step_the_transition_table_refuses_is_a_409_operation_outcome(care, referral, fhir):
    # Given a referral just sent, and the receiving team's system
    partner = fhir(care["users"]["partner"])
    task = partner.get(f"Task/{referral.id}").json()
    events = ReferralEvent.objects.count()

    # When it tries to complete it without accepting or starting it
    response = partner.send(
        "PUT",
        f"Task/{referral.id}",
        {
            **task,
            "status": "completed",
            "output": [{"type": {"text": "Outcome"}, "valueString": "Fait"}],
        },
    )

    # Then it is refused, naming both statuses, and nothing changed
    assert response.status_code == 409
    outcome = response.json()
    validate(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    assert "requested" in outcome["issue"][0]["diagnostics"]
    assert "completed" in outcome["issue"][0]["diagnostics"]
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    assert ReferralEvent.objects.count() == events


def test_declining_needs_a_reason_and_records_it(care, referral, fhir):
    partner = fhir(care["users"]["partner"])
    task = partner.get(f"Task/{referral.id}").json()

    without = partner.send("PUT", f"Task/{referral.id}", {**task, "status": "rejected"})
    assert without.status_code == 422
    assert "statusReason" in without.json()["issue"][0]["diagnostics"]

    reason = {
        "coding": [{"system": "urn:maillage:fhir:CodeSystem:reject-reason", "code": "no_capacity"}],
        "text": "Liste d'attente pleine",
    }
    declined = partner.send(
        "PUT", f"Task/{referral.id}", {**task, "status": "rejected", "statusReason": reason}
    )
    assert declined.status_code == 200, declined.content
    assert declined.json()["statusReason"]["coding"][0]["code"] == "no_capacity"
    referral.refresh_from_db()
    assert (referral.status, referral.reject_reason, referral.reject_text) == (
        Status.REJECTED,
        "no_capacity",
        "Liste d'attente pleine",
    )


def test_the_referrer_cannot_take_the_receivers_steps(care, referral, fhir):
    owner = fhir(care["users"]["owner"])
    task = owner.get(f"Task/{referral.id}").json()
    response = owner.send("PUT", f"Task/{referral.id}", {**task, "status": "accepted"})
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED


def test_the_referrer_cancels_with_a_reason(care, referral, fhir):
    owner = fhir(care["users"]["owner"])
    task = owner.get(f"Task/{referral.id}").json()
    response = owner.send(
        "PUT",
        f"Task/{referral.id}",
        {**task, "status": "cancelled", "statusReason": {"text": "La famille a déménagé"}},
    )
    assert response.status_code == 200, response.content
    assert response.json()["statusReason"]["text"] == "La famille a déménagé"
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
