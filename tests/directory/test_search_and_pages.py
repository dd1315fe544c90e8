"""Directory search and pages: accent-insensitive, filtered, paginated, bounded queries."""

import pytest
from django.urls import reverse

from maillage.directory.models import Organization, Sector, ServiceOffer, ServiceType, Team
from maillage.directory.services import refresh_team_search_text

pytestmark = pytest.mark.django_db


def team_names(response) -> list[str]:
    return [team.name for team in response.context["page"]]


@pytest.fixture
def nurse_client(client, network):
    client.force_login(network["users"]["nurse"])
    return client


@pytest.mark.parametrize("query", ["perinatalite", "PÉRINATALITÉ", "Périnatalité", "perinatal"])
def test_search_ignores_accents_and_case_in_french_and_english(nurse_client, query):
    response = nurse_client.get(reverse("directory:search"), {"q": query})
    assert team_names(response) == ["Périnatalité sociale"]


def test_search_matches_sector_labels_in_both_languages(nurse_client):
    # The CRD team's name says nothing of addiction; its sector does, in both languages.
    for query in ["dependance", "addiction"]:
        names = team_names(nurse_client.get(reverse("directory:search"), {"q": query}))
        assert names == ["Équipe mère-enfant"], query


def test_every_word_must_match(nurse_client):
    names = team_names(nurse_client.get(reverse("directory:search"), {"q": "clsc enfance"}))
    assert names == ["Enfance-famille"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"sector": Sector.SUBSTANCE_USE}, ["Équipe mère-enfant"]),
        ({"service": ServiceType.PRENATAL_CARE}, ["Périnatalité sociale"]),
        ({"population": "substance_use"}, ["Équipe mère-enfant"]),
        ({"population": "pregnant"}, ["Périnatalité sociale", "Équipe mère-enfant"]),
        ({"language": "en"}, ["Périnatalité sociale"]),
        ({"language": "en", "population": "substance_use"}, []),
        (
            {"territory": "Vallée-des-Saules"},
            ["Enfance-famille", "Périnatalité sociale", "Équipe mère-enfant"],
        ),
    ],
)
def test_filters_narrow_the_results(nurse_client, filters, expected):
    names = team_names(nurse_client.get(reverse("directory:search"), filters))
    assert sorted(names) == sorted(expected)


def test_inactive_offers_do_not_make_a_team_match_a_service_filter(nurse_client, network):
    ServiceOffer.objects.filter(code="perinat-suivi").update(is_active=False)
    names = team_names(
        nurse_client.get(reverse("directory:search"), {"service": ServiceType.PRENATAL_CARE})
    )
    assert names == []


def test_htmx_request_gets_only_the_results_fragment(nurse_client):
    response = nurse_client.get(
        reverse("directory:search"), {"q": "perinatalite"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Périnatalité sociale" in body
    assert "HX-Request" in response["Vary"]


def test_team_page_shows_who_does_what(nurse_client, network):
    team = network["teams"]["perinatal"]
    body = nurse_client.get(reverse("directory:team", args=[team.id])).content.decode()
    assert "Lead Test" in body and "Nurse Test" in body
    assert "Suivi prénatal" in body
    assert "CLSC du Nord" in body


def test_organization_practitioner_and_my_network_pages(nurse_client, network):
    org = network["orgs"]["clsc"]
    assert (
        "Périnatalité sociale"
        in nurse_client.get(reverse("directory:organization", args=[org.id])).content.decode()
    )
    person = network["users"]["nurse"].practitioner
    body = nurse_client.get(reverse("directory:practitioner", args=[person.id])).content.decode()
    assert "Équipe mère-enfant" in body and "Périnatalité sociale" in body
    body = nurse_client.get(reverse("directory:my_network")).content.decode()
    # My teams, and the partner team of another organization that shares me.
    assert "Périnatalité sociale" in body and "Équipe mère-enfant" in body


def test_unknown_ids_are_not_found(nurse_client):
    import uuid

    for name in ["directory:organization", "directory:team", "directory:practitioner"]:
        assert nurse_client.get(reverse(name, args=[uuid.uuid4()])).status_code == 404


def test_network_map_links_organizations_that_share_practitioners(nurse_client, network):
    page = nurse_client.get(reverse("directory:network_map"))
    assert page.status_code == 200
    assert page.context["summary"]["links"] == 1
    svg = nurse_client.get(reverse("directory:network_map_svg"))
    assert svg["Content-Type"].startswith("image/svg+xml")
    body = svg.content.decode()
    assert body.count("<circle") == 2
    assert body.count("<line") == 1
    assert "CLSC du Nord" in body


def grow_directory(n_orgs: int) -> None:
    """Add organizations, each with teams and offers, to show query counts do not grow."""
    for i in range(n_orgs):
        org = Organization.objects.create(
            code=f"org-{i}",
            name=f"Organisme {i}",
            sector=Sector.COMMUNITY_ORGANIZATION,
            territory=f"Territoire {i % 5}",
        )
        for j in range(3):
            team = Team.objects.create(
                organization=org, code=f"org-{i}-t{j}", name=f"Équipe périnatale {i}-{j}"
            )
            ServiceOffer.objects.create(
                team=team, code=f"org-{i}-t{j}-s", name="Halte", service_type=ServiceType.CHILD_CARE
            )
    refresh_team_search_text(Team.objects.values_list("id", flat=True))


PAGES = [
    ("directory:search", {}),
    ("directory:search", {"q": "perinatal", "sector": "community_organization"}),
    ("directory:my_network", {}),
    ("directory:network_map", {}),
    ("directory:network_map_svg", {}),
]


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize(("name", "params"), PAGES)
def test_directory_pages_run_a_bounded_number_of_queries(
    nurse_client, network, django_assert_max_num_queries, size, name, params
):
    grow_directory(size)
    with django_assert_max_num_queries(12):
        assert nurse_client.get(reverse(name), params).status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_detail_pages_run_a_bounded_number_of_queries(
    nurse_client, network, django_assert_max_num_queries, size
):
    grow_directory(size)
    org = Organization.objects.get(code="org-0")
    team = Team.objects.get(code="org-0-t0")
    person = network["users"]["nurse"].practitioner
    for url in [
        reverse("directory:organization", args=[org.id]),
        reverse("directory:team", args=[team.id]),
        reverse("directory:practitioner", args=[person.id]),
    ]:
        with django_assert_max_num_queries(10):
            assert nurse_client.get(url).status_code == 200
