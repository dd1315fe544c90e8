"""Bad input gets an OperationOutcome with the reason, and writes nothing: invalid JSON, a
resource of the wrong type, a Task status outside the allowed set, a referral for a family
without a covering consent, a body far too large."""

import json

import pytest

from maillage.audit.models import AuditEvent
from maillage.families.models import Consent
from maillage.referrals.models import Referral, ReferralEvent, Status

from .conftest import validate

pytestmark = pytest.mark.django_db

TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"


def writes() -> tuple[int, int, int]:
    return (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        AuditEvent.objects.exclude(action="viewed").count(),
    )


def referral_bundle(care, *, to_team="mother_child", status="requested") -> dict:
    mother = care["mother"]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:5d1b6f0e-7a43-4f57-9c3e-1f2a3b4c5d6e",
                "resource": {
                    "resourceType": "ServiceRequest",
                    "status": "active",
                    "intent": "order",
                    "priority": "routine",
                    "subject": {"reference": f"Patient/{mother.id}"},
                    "reasonCode": [{"text": "Soutien en dépendance"}],
                },
                "request": {"method": "POST", "url": "ServiceRequest"},
            },
            {
                "fullUrl": "urn:uuid:8e2c7a10-1b2c-4d3e-8f40-5a6b7c8d9e0f",
                "resource": {
                    "resourceType": "Task",
                    "status": status,
                    "intent": "order",
                    "code": {
                        "coding": [
                            {
                                "system": "http://hl7.org/fhir/CodeSystem/task-code",
                                "code": "fulfill",
                            }
                        ]
                    },
                    "focus": {"reference": "urn:uuid:5d1b6f0e-7a43-4f57-9c3e-1f2a3b4c5d6e"},
                    "requester": {"reference": f"Organization/{care['teams']['perinatal'].id}"},
                    "owner": {"reference": f"Organization/{care['teams'][to_team].id}"},
                },
                "request": {"method": "POST", "url": "Task"},
            },
        ],
    }


def refused(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    outcome = response.json()
    validate(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    # Each problem is an issue of its own: the words may be in any of them.
    said = " ".join(issue["diagnostics"] for issue in outcome["issue"])
    for word in words:
        assert word in said, outcome


def test_a_partner_creates_a_referral_where_a_consent_covers_the_receiver(care, fhir):
    owner = fhir(care["users"]["owner"])
    response = owner.send("POST", "", referral_bundle(care))
    assert response.status_code == 200, response.content
    bundle = response.json()
    validate(bundle)
    assert bundle["type"] == "transaction-response"
    referral = Referral.objects.get()
    assert referral.status == Status.REQUESTED
    assert referral.to_team == care["teams"]["mother_child"]
    assert referral.reason == "Soutien en dépendance"
    assert bundle["entry"][1]["response"]["location"] == f"Task/{referral.id}"
    # The receiving team finds it at once
    partner = fhir(care["users"]["partner"])
    assert [t["id"] for t in partner.walk("Task", status="requested")] == [str(referral.id)]


def test_a_referral_to_an_organization_no_consent_covers_is_refused(care, fhir):
    owner = fhir(care["users"]["owner"])
    before = writes()
    response = owner.send("POST", "", referral_bundle(care, to_team="obstetrics"))
    refused(response, 422, "consent")
    assert writes() == before


def test_a_referral_for_a_family_after_its_consent_is_withdrawn_is_refused(care, fhir):
    Consent.objects.filter(pk=care["consent"].pk).update(categories=",plan,")
    owner = fhir(care["users"]["owner"])
    before = writes()
    refused(owner.send("POST", "", referral_bundle(care)), 422, "consent")
    assert writes() == before


def test_a_referral_for_a_family_the_sender_cannot_see_is_not_found(care, fhir):
    outsider = fhir(care["users"]["outsider"])
    before = writes()
    refused(outsider.send("POST", "", referral_bundle(care)), 404)
    assert writes() == before


def test_invalid_json_is_a_400(care, referral, fhir):
    partner = fhir(care["users"]["partner"])
    before = writes()
    refused(partner.send("PUT", f"Task/{referral.id}", b"{not json"), 400, "JSON")
    refused(partner.send("POST", "", b"\xff\xfe"), 400, "JSON")
    assert writes() == before


def test_a_resource_of_the_wrong_type_is_refused(care, referral, fhir):
    partner = fhir(care["users"]["partner"])
    before = writes()
    patient = {"resourceType": "Patient", "id": str(referral.id)}
    refused(partner.send("PUT", f"Task/{referral.id}", patient), 422, "Task", "Patient")
    refused(partner.send("POST", "", patient), 422, "Bundle")
    assert writes() == before


def test_an_invalid_task_is_refused_with_the_element_at_fault(care, referral, fhir):
    partner = fhir(care["users"]["partner"])
    task = partner.get(f"Task/{referral.id}").json()
    before = writes()
    refused(
        partner.send("PUT", f"Task/{referral.id}", {**task, "priority": 7, "unknown": 1}),
        422,
        "unknown",
    )
    assert writes() == before


@pytest.mark.parametrize("status", ["received", "ready", "entered-in-error", "done", ""])
def test_a_task_status_outside_the_allowed_set_is_refused(care, referral, fhir, status):
    partner = fhir(care["users"]["partner"])
    task = partner.get(f"Task/{referral.id}").json()
    before = writes()
    refused(partner.send("PUT", f"Task/{referral.id}", {**task, "status": status}), 422)
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    assert writes() == before


def test_a_ten_megabyte_bundle_is_refused_before_it_is_read(care, fhir):
    owner = fhir(care["users"]["owner"])
    bundle = referral_bundle(care)
    bundle["entry"][0]["resource"]["note"] = [{"text": "x" * (10 * 1024 * 1024)}]
    before = writes()
    refused(owner.send("POST", "", json.dumps(bundle)), 413, "MB")
    assert writes() == before


def test_a_large_body_without_a_declared_length_is_refused_too(care, fhir, rf):
    from maillage.interop.validation import InvalidResource, read_json

    request = rf.post("/fhir/R4/", b"[" + b"1," * (600 * 1024) + b"1]", content_type="x")
    del request.META["CONTENT_LENGTH"]
    with pytest.raises(InvalidResource) as refusal:
        read_json(request)
    assert refusal.value.status == 413


def test_without_a_token_every_route_but_metadata_answers_401(care, referral, fhir):
    anonymous = fhir()
    assert anonymous.get("metadata").status_code == 200
    for path in ("Task", f"Task/{referral.id}", "Patient", "Organization"):
        response = anonymous.get(path)
        refused(response, 401, "Bearer")
        assert response["WWW-Authenticate"].startswith("Bearer")
    refused(anonymous.send("POST", "", referral_bundle(care)), 401)
    assert Referral.objects.count() == 1


def test_unknown_types_and_unsupported_parameters_say_so(care, fhir):
    owner = fhir(care["users"]["owner"])
    refused(owner.get("Observation"), 404, "Observation")
    refused(owner.get("Task", code="fulfill"), 400, "code")
    refused(owner.get("Task", _lastUpdated="2024-01-01"), 400, "gt")
    refused(owner.get("Task", _cursor="not-an-id"), 400)
    refused(owner.send("DELETE", f"Organization/{care['orgs']['clsc'].id}", b""), 405)
