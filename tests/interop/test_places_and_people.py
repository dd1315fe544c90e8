"""Location (an organization's place, a team's point of service) and RelatedPerson (the
family's caregivers, related to its index Patient) as the directory and the consent allow."""

import pytest

from maillage.families.models import Child, Consent

from .conftest import add_father, validate

pytestmark = pytest.mark.django_db


def test_an_organization_and_a_teams_site_are_locations_the_services_point_to(care, fhir):
    # Given a team working at its own site, the others at their organization's place
    team = care["teams"]["mother_child"]
    team.site = "Point de service Nord"
    team.territory = "Nord"
    team.save()
    care["orgs"]["crd"].address = "12, rue des Saules"
    care["orgs"]["crd"].save()
    reader = fhir(care["users"]["outsider"])
    # When the directory's places are read
    places = {p["id"]: p for p in reader.walk("Location", _count=2)}
    # Then each organization is a place, and the team with a site one more, part of it
    assert set(places) == {str(o.id) for o in care["orgs"].values()} | {str(team.id)}
    site = reader.get(f"Location/{team.id}").json()
    validate(site)
    assert site["name"] == "Point de service Nord"
    assert site["partOf"]["reference"] == f"Location/{care['orgs']['crd'].id}"
    assert site["managingOrganization"]["reference"] == f"Organization/{team.id}"
    assert places[str(care["orgs"]["crd"].id)]["address"]["text"] == "12, rue des Saules"
    assert reader.get(f"Location/{care['teams']['perinatal'].id}").status_code == 404
    assert [p["id"] for p in reader.walk("Location", partof=str(care["orgs"]["crd"].id))] == [
        str(team.id)
    ]
    by_team = reader.walk("Location", organization=f"Organization/{team.id}")
    assert [p["id"] for p in by_team] == [str(team.id)]
    # And a membership of that team says where it works
    roles = reader.walk("PractitionerRole", organization=f"Organization/{team.id}")
    assert {r["location"][0]["reference"] for r in roles} == {f"Location/{team.id}"}


def test_caregivers_are_related_to_the_first_born_child_or_before_birth_the_mother(care, fhir):
    father = add_father(care)
    owner = fhir(care["users"]["owner"])
    # During the pregnancy: the father is related to the mother, the mother is the Patient
    related = owner.walk("RelatedPerson")
    assert [r["id"] for r in related] == [str(father.id)]
    assert related[0]["patient"]["reference"] == f"Patient/{care['mother'].id}"
    assert related[0]["relationship"][0]["text"] == "père"
    assert owner.get(f"RelatedPerson/{care['mother'].id}").status_code == 404
    # Once the child is born, both caregivers are related to the child
    child = Child.objects.create(
        family=care["family"], first_name="Léo", date_of_birth="2026-01-02"
    )
    related = owner.walk("RelatedPerson", patient=f"Patient/{care['mother'].id}")
    assert {r["id"] for r in related} == {str(father.id), str(care["mother"].id)}
    assert {r["patient"]["reference"] for r in related} == {f"Patient/{child.id}"}
    mother = owner.get(f"RelatedPerson/{care['mother'].id}").json()
    validate(mother)
    assert mother["name"][0]["given"] == ["Mélanie"]


def test_a_related_person_without_identity_is_a_relationship_and_no_name(care, fhir):
    father = add_father(care)
    Consent.objects.filter(pk=care["consent"].pk).update(categories=",plan,notes,")
    partner = fhir(care["users"]["partner"])
    person = partner.get(f"RelatedPerson/{father.id}").json()
    validate(person)
    text = str(person)
    for word in ("Jérôme", "Côté", "555-0142", "Mélanie"):
        assert word not in text
    assert person["identifier"][0]["value"] == care["family"].reference
    assert person["relationship"][0]["text"] == "père"
    assert [p["id"] for p in partner.walk("RelatedPerson")] == [str(father.id)]


def test_related_people_of_a_family_without_consent_are_not_found(care, fhir):
    father = add_father(care)
    outsider = fhir(care["users"]["outsider"])
    assert outsider.get(f"RelatedPerson/{father.id}").status_code == 404
    assert outsider.walk("RelatedPerson") == []
