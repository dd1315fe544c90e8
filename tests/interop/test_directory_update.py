"""A directory update as a FHIR transaction Bundle: the CSV import's rule (coordinators and
administrators; every entry checked, all written or nothing; audited), each problem named
by its entry."""

import pytest

from maillage.audit.models import Action, AuditEvent
from maillage.directory.models import Membership, MembershipRole, Organization, ServiceOffer, Team
from maillage.interop import codes

from .conftest import validate

pytestmark = pytest.mark.django_db

OURS = codes.OURS


def transaction(*entries) -> dict:
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def put(resource: dict) -> dict:
    return {
        "resource": resource,
        "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"},
    }


def post(resource: dict, full_url: str = "") -> dict:
    entry = {"resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}}
    if full_url:
        entry["fullUrl"] = full_url
    return entry


NEW_TEAM = "urn:uuid:7f6c1c3e-1b7a-4a56-9d55-1f1f0b1a2c3d"


def new_team(clsc) -> dict:
    return {
        "resourceType": "Organization",
        "identifier": [{"system": f"{OURS}:team-code", "value": "clsc-nord"}],
        "type": [{"coding": [{"system": codes.ORGANIZATION_TYPE, "code": "team"}]}],
        "name": "Périnatalité Nord",
        "alias": ["Point de service Nord"],
        "telecom": [{"system": "email", "value": "nord@clsc.example.org"}],
        "partOf": {"reference": f"Organization/{clsc.id}"},
    }


def new_service(team_reference: str, name="Suivi prénatal Nord") -> dict:
    return {
        "resourceType": "HealthcareService",
        "identifier": [{"system": f"{OURS}:service-code", "value": "clsc-nord-prenatal"}],
        "providedBy": {"reference": team_reference},
        "name": name,
        "type": [{"coding": [{"system": codes.SERVICE_TYPE, "code": "prenatal_care"}]}],
        "eligibility": [
            {
                "code": {"coding": [{"system": codes.POPULATION, "code": "pregnant"}]},
                "comment": "Femmes enceintes du territoire",
            }
        ],
        "communication": [{"coding": [{"system": codes.LANGUAGE, "code": "fr"}]}],
        "coverageArea": [{"display": "Nord"}],
    }


def imports() -> int:
    return AuditEvent.objects.filter(action=Action.IMPORTED, object_type="directory").count()


def test_a_coordinator_updates_the_directory_in_one_transaction(care, fhir):
    clsc = care["orgs"]["clsc"]
    coordinator = fhir(care["users"]["coordinator"])
    organization = coordinator.get(f"Organization/{clsc.id}").json()
    organization["name"] = "CLSC des Saules-Nord"
    organization["telecom"] = [{"system": "phone", "value": "(819) 555-0100"}]
    partner = care["users"]["partner"].practitioner
    bundle = transaction(
        put(organization),
        post(new_team(clsc), NEW_TEAM),
        post(new_service(NEW_TEAM)),
        put(
            {
                "resourceType": "Location",
                "id": str(clsc.id),
                "name": "CLSC",
                "address": {"text": "1, rue Principale"},
            }
        ),
        post(
            {
                "resourceType": "PractitionerRole",
                "practitioner": {"reference": f"Practitioner/{partner.id}"},
                "organization": {"reference": NEW_TEAM},
                "code": [
                    {"coding": [{"system": codes.MEMBERSHIP_ROLE, "code": "lead"}]},
                    {"text": "Infirmière de liaison"},
                ],
            }
        ),
    )
    response = coordinator.send("POST", "", bundle)
    assert response.status_code == 200, response.content
    answer = response.json()
    validate(answer)
    assert [e["response"]["status"] for e in answer["entry"]] == [
        "200 OK",
        "201 Created",
        "201 Created",
        "200 OK",
        "201 Created",
    ]
    # Everything was written, under the directory's own rule, and audited once
    clsc.refresh_from_db()
    assert (clsc.name, clsc.phone, clsc.address) == (
        "CLSC des Saules-Nord",
        "(819) 555-0100",
        "1, rue Principale",
    )
    team = Team.objects.get(code="clsc-nord")
    assert (team.organization, team.site) == (clsc, "Point de service Nord")
    offer = ServiceOffer.objects.get(code="clsc-nord-prenatal")
    assert (offer.team, offer.populations, offer.territory) == (team, ",pregnant,", "Nord")
    membership = Membership.objects.get(team=team, practitioner=partner)
    assert (membership.role, membership.title) == (MembershipRole.LEAD, "Infirmière de liaison")
    assert imports() == 1
    # And each location answered reads back as valid FHIR
    assert answer["entry"][1]["response"]["location"] == f"Organization/{team.id}"
    for entry in answer["entry"]:
        read = coordinator.get(entry["response"]["location"])
        assert read.status_code == 200
        validate(read.json())


def test_one_bad_entry_writes_nothing_and_is_named(care, fhir):
    clsc = care["orgs"]["clsc"]
    coordinator = fhir(care["users"]["coordinator"])
    organization = coordinator.get(f"Organization/{clsc.id}").json()
    organization["name"] = "Renommé"
    bad = new_service(NEW_TEAM)
    bad["type"] = [{"coding": [{"system": codes.SERVICE_TYPE, "code": "astrology"}]}]
    bad["eligibility"][0]["code"]["coding"][0]["code"] = "everyone"
    invalid = new_service(NEW_TEAM, name="")
    for entries, expected in (
        # Our rules refuse the values: each is named by its entry and element
        (
            [put(organization), post(new_team(clsc), NEW_TEAM), post(bad)],
            {"Bundle.entry[2].resource.type", "Bundle.entry[2].resource.eligibility.code"},
        ),
        # Not valid FHIR at all (an empty name): named too
        ([put(organization), post(invalid)], {"Bundle.entry[1].resource.name"}),
    ):
        response = coordinator.send("POST", "", transaction(*entries))
        assert response.status_code == 422, response.content
        outcome = response.json()
        validate(outcome)
        assert {e for issue in outcome["issue"] for e in issue["expression"]} == expected
        assert all("Bundle.entry[" in issue["diagnostics"] for issue in outcome["issue"])
    clsc.refresh_from_db()
    assert clsc.name == "CLSC des Saules"
    assert not Team.objects.filter(code="clsc-nord").exists()
    assert imports() == 0


@pytest.mark.parametrize(
    ("change", "element"),
    [
        # An id that is not ours
        (lambda r, w: r.update(id="5d1b7a2c-0000-4000-8000-000000000000"), "Bundle.entry[0]"),
        # A team cannot move to another organization by an update
        (
            lambda r, w: r.update(partOf={"reference": f"Organization/{w['orgs']['crd'].id}"}),
            "Bundle.entry[0].resource.partOf",
        ),
        # Nor change its code, the row's key
        (
            lambda r, w: r.update(identifier=[{"system": f"{OURS}:team-code", "value": "autre"}]),
            "Bundle.entry[0].resource.identifier",
        ),
        # Nor turn into an organization
        (lambda r, w: r.pop("type"), "Bundle.entry[0].resource.type"),
    ],
    ids=["unknown id", "move", "new code", "not a team"],
)
def test_an_update_the_directory_rule_refuses_is_named_and_writes_nothing(
    change, element, care, fhir
):
    team = care["teams"]["perinatal"]
    coordinator = fhir(care["users"]["coordinator"])
    resource = coordinator.get(f"Organization/{team.id}").json()
    resource["name"] = "Renommée"
    change(resource, care)
    entry = put(resource)
    response = coordinator.send("POST", "", transaction(entry))
    assert response.status_code == 422, response.content
    assert response.json()["issue"][0]["expression"] == [element]
    assert not Team.objects.filter(name="Renommée").exists()
    assert imports() == 0


@pytest.mark.parametrize("who", ["owner", "partner_lead", "outsider"])
def test_only_those_who_manage_the_directory_may_update_it(who, care, fhir):
    clsc = care["orgs"]["clsc"]
    client = fhir(care["users"][who])
    organization = client.get(f"Organization/{clsc.id}").json()
    organization["name"] = "Renommé"
    response = client.send("POST", "", transaction(put(organization)))
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    assert Organization.objects.get(pk=clsc.pk).name == "CLSC des Saules"
    assert fhir().send("POST", "", transaction(put(organization))).status_code == 401


def test_a_bundle_mixing_a_referral_and_the_directory_is_refused(care, referral, fhir):
    coordinator = fhir(care["users"]["coordinator"])
    task = fhir(care["users"]["owner"]).get(f"Task/{referral.id}").json()
    organization = coordinator.get(f"Organization/{care['orgs']['clsc'].id}").json()
    response = coordinator.send("POST", "", transaction(put(organization), post(task)))
    assert response.status_code == 422
    assert Organization.objects.get(pk=care["orgs"]["clsc"].pk).name == "CLSC des Saules"
