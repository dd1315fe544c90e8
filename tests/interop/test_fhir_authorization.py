"""The authorization matrix of the FHIR routes: the same actors as the pages' and the API's
(tests/families/test_authorization_matrix.py), each with a personal token.

For each (route, actor) the expected answer comes from the product's rules, not from the
code: an allowed read answers 200 and writes exactly one access event for the family; a
refused one answers 404 (missing and hidden alike), writes none and leaks nothing; a
reader whose consent lacks identity sees no name in any resource; a search never includes
a family the reader may not see, and logs one access event for a family it shows."""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from maillage.audit.models import Action
from maillage.families import selectors as family_selectors
from maillage.families import services
from maillage.families.models import Category, Consent

from .conftest import Fhir, add_father, validate

pytestmark = pytest.mark.django_db

PERSONAL = ["Mélanie", "Côté", "555-0199", "logement", "Suivi en dépendance", "Demande HLM"]
NAMES = ["Mélanie", "Côté", "555-0199"]


@dataclass(frozen=True)
class Read:
    kind: str
    id_of: Callable[[dict], object]
    # "any" (any access), "plan", "referral" (the referral's rule), "holder" (the report)
    needs: str = "any"

    def path(self, care) -> str:
        return f"{self.kind}/{self.id_of(care)}"


READS = [
    Read("Patient", lambda care: care["mother"].id),
    Read("RelatedPerson", lambda care: care["father"].id),
    Read("CareTeam", lambda care: care["family"].id),
    Read("CarePlan", lambda care: care["family"].id, "plan"),
    Read("Goal", lambda care: care["goal"].id, "plan"),
    Read("Consent", lambda care: care["consent"].id),
    Read("Task", lambda care: care["referral"].id, "referral"),
    Read("ServiceRequest", lambda care: care["referral"].id, "referral"),
]
SEARCHES = [
    "Patient",
    "RelatedPerson",
    "CareTeam",
    "CarePlan",
    "Goal",
    "Consent",
    "Task",
    "ServiceRequest",
]

ACTORS = [
    "owner",
    "circle_colleague",
    "partner",
    "partner_withdrawn",
    "partner_without_category",
    "partner_without_identity",
    "partner_lead",
    "colleague",
    "outsider",
    "coordinator",
    "admin",
    "break_glass",
]
SHARED_WITH = {
    "partner": {Category.IDENTITY, Category.PLAN},
    "partner_without_category": {Category.IDENTITY},
    "partner_without_identity": {Category.PLAN, Category.NOTES},
}
SEES_NAMES = {"owner", "circle_colleague", "partner", "partner_without_category", "partner_lead"}
SEES_NAMES |= {"break_glass"}
# The referral carries identity: its receiving team sees it while the consent covers that.
SEES_REFERRAL = {"owner", "partner", "partner_without_category", "partner_lead"}


def expected(actor: str, needs: str) -> bool:
    if needs == "referral":
        return actor in SEES_REFERRAL
    if needs == "holder":  # the access report: the lead worker, the recording organization
        return actor in ("owner", "circle_colleague")
    if actor in ("owner", "circle_colleague"):
        return True
    if actor in SHARED_WITH:
        return needs == "any" or needs in SHARED_WITH[actor]
    if actor in ("partner_lead", "break_glass"):
        return needs in ("any", Category.PLAN)
    return False


def setup_actor(actor: str, care, fhir) -> Fhir:
    users = care["users"]
    if actor == "partner_withdrawn":
        for consent in Consent.objects.filter(family=care["family"]):
            services.withdraw_consent(by=users["owner"], consent=consent)
        actor = "partner"
    if actor == "partner_without_category":
        Consent.objects.filter(pk=care["consent"].pk).update(categories=",identity,")
        actor = "partner"
    if actor == "partner_without_identity":
        Consent.objects.filter(pk=care["consent"].pk).update(categories=",plan,notes,")
        actor = "partner"
    if actor == "circle_colleague":
        services.add_circle_member(
            by=users["owner"],
            family=care["family"],
            practitioner=users["colleague"].practitioner,
            team=care["teams"]["family"],
            role="Éducatrice",
        )
        actor = "colleague"
    if actor == "break_glass":
        services.open_emergency_access(
            by=users["outsider"],
            family=care["family"],
            reason="Nourrisson seul à domicile, la mère ne répond plus depuis hier soir.",
        )
        actor = "outsider"
    return fhir(users[actor])


@pytest.fixture
def world(care, referral):
    return {**care, "referral": referral, "father": add_father(care)}


def access_events(care) -> int:
    """The reads in the family's access report: its own events and the lists naming it."""
    return family_selectors.access_report(care["family"]).filter(action=Action.VIEWED).count()


def family_ids(care) -> set[str]:
    """Every id that would show the family in a result."""
    return {
        str(care["family"].id),
        str(care["mother"].id),
        str(care["father"].id),
        str(care["goal"].id),
        str(care["consent"].id),
        str(care["referral"].id),
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", READS, ids=lambda r: r.kind)
def test_read_matrix(route, actor, world, fhir):
    client = setup_actor(actor, world, fhir)
    before = access_events(world)
    response = client.get(route.path(world))
    written = access_events(world) - before
    content = response.content.decode()

    if expected(actor, route.needs):
        assert response.status_code == 200, (actor, response.content)
        validate(response.json())
        assert written == 1, f"{actor} read {route.kind}: {written} access events"
    else:
        assert response.status_code == 404, (actor, response.status_code)
        assert response.json()["resourceType"] == "OperationOutcome"
        assert written == 0, f"{actor} refused {route.kind}: {written} access events"
        for text in PERSONAL:
            assert text not in content, f"{text!r} leaked to {actor} by {route.kind}"
    if actor not in SEES_NAMES:
        for text in NAMES:
            assert text not in content, f"{text!r} shown to {actor} by {route.kind}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("kind", SEARCHES)
def test_search_matrix(kind, actor, world, fhir):
    client = setup_actor(actor, world, fhir)
    before = access_events(world)
    response = client.get(kind)
    written = access_events(world) - before
    assert response.status_code == 200, response.content
    bundle = response.json()
    validate(bundle)
    shown = {e["resource"]["id"] for e in bundle.get("entry", [])} & family_ids(world)
    content = json.dumps(bundle, ensure_ascii=False)

    needs = "referral" if kind in ("Task", "ServiceRequest") else "any"
    needs = "plan" if kind in ("CarePlan", "Goal") else needs
    if not expected(actor, needs):
        assert not shown, f"{kind} search showed the family to {actor}"
        for text in PERSONAL:
            assert text not in content, f"{text!r} leaked to {actor} by {kind} search"
    # A family a search shows is one access event; one it does not show, none.
    assert written == (1 if shown else 0), (actor, kind, written)
    if actor not in SEES_NAMES:
        for text in NAMES:
            assert text not in content, f"{text!r} shown to {actor} by {kind} search"


@pytest.mark.parametrize("actor", ACTORS)
def test_access_report_only_for_those_who_may_read_it(actor, world, fhir):
    client = setup_actor(actor, world, fhir)
    before = access_events(world)
    response = client.get("AuditEvent", patient=f"Patient/{world['mother'].id}")
    written = access_events(world) - before
    if expected(actor, "holder"):
        assert response.status_code == 200
        bundle = response.json()
        validate(bundle)
        assert bundle["total"] >= 1
        assert written == 1
        event = client.get(f"AuditEvent/{bundle['entry'][0]['resource']['id']}")
        assert event.status_code == 200
    else:
        assert response.status_code == 404
        assert written == 0


def test_the_caseload_searches_follow_the_circle_and_the_consent(world, fhir):
    # Given the partner in the circle, then the consent withdrawn
    partner = fhir(world["users"]["partner"])
    assert str(world["mother"].id) in {p["id"] for p in partner.walk("Patient")}
    for consent in Consent.objects.filter(family=world["family"]):
        services.withdraw_consent(by=world["users"]["owner"], consent=consent)
    partner = fhir(world["users"]["partner"])
    # Then no search of theirs shows the family any more, and reading it is "not found"
    for kind in SEARCHES:
        assert not {r["id"] for r in partner.walk(kind)} & family_ids(world), kind
    assert partner.get(f"Patient/{world['mother'].id}").status_code == 404
    assert partner.get(f"Task/{world['referral'].id}").status_code == 404


def test_a_reader_without_identity_gets_a_patient_with_no_name(world, fhir):
    Consent.objects.filter(pk=world["consent"].pk).update(categories=",plan,notes,")
    partner = fhir(world["users"]["partner"])
    patient = partner.get(f"Patient/{world['mother'].id}").json()
    assert "name" not in patient
    assert "telecom" not in patient
    assert "birthDate" not in patient
    assert patient["identifier"][0]["value"] == world["family"].reference
    consent = partner.get(f"Consent/{world['consent'].id}").json()
    assert "display" not in consent["patient"]
