"""The endpoint itself: what the CapabilityStatement promises, the media type, search
parameters (_id, _lastUpdated gt/lt, _count) and paging that stays exact while rows change."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.referrals import services as referrals
from maillage.referrals.models import Referral

from .conftest import validate

pytestmark = pytest.mark.django_db


def test_metadata_says_exactly_what_is_supported(care, fhir):
    response = fhir().get("metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = response.json()
    validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
    rest = statement["rest"][0]
    served = {r["type"]: r for r in rest["resource"]}
    assert set(served) == {
        "Organization",
        "Location",
        "HealthcareService",
        "Practitioner",
        "PractitionerRole",
        "Patient",
        "RelatedPerson",
        "CareTeam",
        "CarePlan",
        "Goal",
        "Consent",
        "ServiceRequest",
        "Task",
        "AuditEvent",
    }
    updatable = {t for t, r in served.items() if {"update", "patch"} & _codes(r)}
    assert updatable == {"Task"}
    task_params = {p["name"] for p in served["Task"]["searchParam"]}
    assert {"owner", "requester", "status", "patient", "_lastUpdated", "_id"} <= task_params
    assert [i["code"] for i in rest["interaction"]] == ["transaction"]
    # Every type it names answers a search, and no other does.
    owner = fhir(care["users"]["owner"])
    for kind in served:
        params = {"patient": str(care["mother"].id)} if kind == "AuditEvent" else {}
        assert owner.get(kind, **params).status_code == 200, kind
    assert owner.get("Observation").status_code == 404


def _codes(resource: dict) -> set[str]:
    return {i["code"] for i in resource["interaction"]}


def test_metadata_speaks_french_when_asked(care, client):
    response = client.get("/fhir/R4/metadata", HTTP_ACCEPT_LANGUAGE="fr")
    assert "au moins une fois par jour ouvrable" in response.json()["rest"][0]["documentation"]


def many_referrals(care, n: int) -> list[Referral]:
    return [
        referrals.refer_family(
            by=care["users"]["owner"],
            family=care["family"],
            from_team=care["teams"]["perinatal"],
            to_team=care["teams"]["mother_child"],
            reason=f"Demande {i}",
        )
        for i in range(n)
    ]


def test_paging_returns_every_task_once_even_when_tasks_change_between_pages(care, fhir):
    # Given 9 referrals to the partner's team, read 2 by 2
    sent = many_referrals(care, 9)
    partner = fhir(care["users"]["partner"])
    first = partner.get("Task", _count=2).json()
    assert first["total"] == 9
    assert len(first["entry"]) == 2
    seen = [e["resource"]["id"] for e in first["entry"]]
    # When, between two pages, referrals change (their lastUpdated moves) and one is added
    for referral in sent[:5]:
        referrals.take_step(by=care["users"]["partner"], referral=referral, step="acknowledge")
    late = many_referrals(care, 1)[0]
    url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    rest = partner.walk(url)
    seen += [r["id"] for r in rest]
    # Then none was read twice, and every one there at the start was read
    assert len(seen) == len(set(seen))
    assert {str(r.id) for r in sent} <= set(seen) <= {str(r.id) for r in [*sent, late]}


def test_search_by_id_and_last_updated(care, fhir):
    sent = many_referrals(care, 3)
    partner = fhir(care["users"]["partner"])
    Referral.objects.filter(pk=sent[0].pk).update(updated_at=timezone.now() - timedelta(days=10))
    cut = (timezone.now() - timedelta(days=1)).isoformat()
    recent = {r["id"] for r in partner.walk("Task", _lastUpdated=f"gt{cut}")}
    older = {r["id"] for r in partner.walk("Task", _lastUpdated=f"lt{cut}")}
    assert recent == {str(sent[1].id), str(sent[2].id)}
    assert older == {str(sent[0].id)}
    by_id = partner.walk("Task", _id=f"{sent[0].id},{sent[2].id}")
    assert {r["id"] for r in by_id} == {str(sent[0].id), str(sent[2].id)}
    by_status = partner.walk("Task", status="completed")
    assert by_status == []


def test_a_team_owner_search_returns_only_that_teams_tasks(care, referral, fhir):
    partner = fhir(care["users"]["partner"])
    mine = partner.walk("Task", owner=f"Organization/{care['teams']['mother_child'].id}")
    other = partner.walk("Task", owner=f"Organization/{care['teams']['perinatal'].id}")
    assert [t["id"] for t in mine] == [str(referral.id)]
    assert other == []
    by_patient = partner.walk("Task", patient=f"Patient/{care['mother'].id}")
    assert [t["id"] for t in by_patient] == [str(referral.id)]


def test_the_directory_pages_teams_as_organizations_part_of_theirs(care, fhir):
    owner = fhir(care["users"]["owner"])
    teams = owner.walk("Organization", type="team", _count=1)
    assert {t["name"] for t in teams} == {t.name for t in care["teams"].values()}
    assert all(t["partOf"]["reference"].startswith("Organization/") for t in teams)
    everything = owner.walk("Organization", _count=2)
    assert len(everything) == len(care["teams"]) + len(care["orgs"])


def test_a_status_search_counts_and_pages_only_the_tasks_with_that_status(care, fhir):
    # Given 5 referrals to the partner's team, 2 of them acknowledged, 1 cancelled
    sent = many_referrals(care, 5)
    for referral in sent[:2]:
        referrals.take_step(by=care["users"]["partner"], referral=referral, step="acknowledge")
    referrals.take_step(
        by=care["users"]["owner"], referral=sent[2], step="cancel", note="La famille a déménagé"
    )
    partner = fhir(care["users"]["partner"])
    owner = f"Organization/{care['teams']['mother_child'].id}"
    # When the partner polls the team's requested Tasks one by one
    first = partner.get("Task", owner=owner, status="requested", _count=1).json()
    walked = partner.walk("Task", owner=owner, status="requested", _count=1)
    # Then the total and the walk are exactly the 4 not cancelled (acknowledged is still
    # "requested" in FHIR, with its business status)
    assert first["total"] == 4
    waiting = [*sent[:2], *sent[3:]]
    assert sorted(t["id"] for t in walked) == sorted(str(r.id) for r in waiting)
    # And a cancelled Task gives its last step's note as its reason, in a search too
    cancelled = partner.walk("Task", owner=owner, status="cancelled")
    assert [t["id"] for t in cancelled] == [str(sent[2].id)]
    assert cancelled[0]["statusReason"]["text"] == "La famille a déménagé"
    assert partner.get("Task", owner=owner, status="completed").json()["total"] == 0


def test_an_access_report_search_gives_no_total_beyond_what_it_counts(care, fhir, monkeypatch):
    from maillage.interop import selectors

    # Given a family whose access report holds a few events (each read below adds one)
    holder = fhir(care["users"]["owner"])
    patient = str(care["mother"].id)
    for _ in range(3):
        assert holder.get(f"Patient/{patient}").status_code == 200
    counted = holder.get("AuditEvent", patient=patient).json()
    assert counted["total"] >= 3
    # When the search counts at most 2
    monkeypatch.setattr(selectors, "REPORT_TOTAL_CAP", 2)
    bundle = holder.get("AuditEvent", patient=patient, _count=2).json()
    # Then its Bundle has no total, and the walk still reaches every event
    assert "total" not in bundle
    walked = holder.walk("AuditEvent", patient=patient, _count=2)
    assert len({e["id"] for e in walked}) == len(walked) >= counted["total"]


@pytest.mark.parametrize(
    "params",
    [
        {"_count": str(10**22)},
        {"_count": "-3"},
        {"status": "nonsense"},
        {"owner": "Organization/not-a-uuid"},
        {"patient": "x" * 100_000},
        {"_lastUpdated": "gt0001-01-01"},
        {"_lastUpdated": "lt9999-12-31"},
        {"_lastUpdated": "ge99999-01-01"},
        {"_id": "not-a-uuid"},
    ],
)
def test_an_absurd_task_search_is_refused_or_empty_never_an_error(care, fhir, params):
    many_referrals(care, 2)
    response = fhir(care["users"]["partner"]).get("Task", **params)
    # A clear refusal (an OperationOutcome naming the parameter) or a correct Bundle.
    assert response.status_code in (200, 400), (params, response.status_code)
    body = response.json()
    if response.status_code == 400:
        assert body["resourceType"] == "OperationOutcome"
        name = next(iter(params)).lstrip("_")
        assert name in json.dumps(body), body
    else:
        assert body["resourceType"] == "Bundle"
        assert body["total"] in (0, 2)
