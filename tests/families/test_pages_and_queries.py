"""Family pages: what they show, and a number of queries that does not grow with data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.audit.models import Action, AuditEvent
from maillage.families import services
from maillage.families.models import Category, EntryKind, TimelineEntry, VisitOutcome

pytestmark = pytest.mark.django_db


def add_families(care, n: int) -> None:
    owner = care["users"]["owner"]
    for i in range(n):
        family = services.create_family(
            by=owner,
            team=care["teams"]["perinatal"],
            caregivers=[services.CaregiverData(first_name=f"Parent{i}", last_name="Test")],
            children=[],
            reasons=["housing"],
        )
        goal = services.add_goal(by=owner, family=family, need="n", goal="g")
        member = family.circle.get()
        services.add_action(
            by=owner,
            goal=goal,
            description="a",
            owner=member,
            due_date=timezone.localdate() + timedelta(days=i % 20 - 10),
        )
        services.add_entry(
            by=owner,
            family=family,
            kind=EntryKind.HOME_VISIT,
            category=Category.NOTES,
            text="Absente",
            visit_outcome="missed",
            visit_reason="Pas de réponse",
        )


def add_entries(care, n: int) -> None:
    owner = care["users"]["owner"]
    now = timezone.now()
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                family=care["family"],
                kind=EntryKind.PHONE_CALL,
                category=Category.PLAN,
                text=f"Appel {i}",
                author=owner,
                author_team=care["teams"]["perinatal"],
                occurred_at=now - timedelta(hours=i),
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("size", [3, 40])
def test_caseload_runs_a_bounded_number_of_queries(
    care, client, size, django_assert_max_num_queries
):
    add_families(care, size)
    client.force_login(care["users"]["owner"])
    # 15: the consent standing (round three) and the header's unread count.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("families:caseload"))
    assert response.status_code == 200
    assert len(response.context["page"]) == min(size + 1, 20)


@pytest.mark.parametrize("size", [5, 300])
def test_timeline_runs_a_bounded_number_of_queries(
    care, client, size, django_assert_max_num_queries
):
    add_entries(care, size)
    client.force_login(care["users"]["partner"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("families:timeline", args=[care["family"].id]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 300])
def test_family_page_runs_a_bounded_number_of_queries(
    care, client, size, django_assert_max_num_queries
):
    add_entries(care, size)
    client.force_login(care["users"]["owner"])
    with django_assert_max_num_queries(22):
        assert client.get(reverse("families:detail", args=[care["family"].id])).status_code == 200


def test_caseload_shows_what_needs_attention(care, client):
    owner = care["users"]["owner"]
    services.add_entry(
        by=owner,
        family=care["family"],
        kind=EntryKind.HOME_VISIT,
        category=Category.NOTES,
        text="Porte fermée",
        visit_outcome=VisitOutcome.MISSED,
        visit_reason="Absente",
    )
    client.force_login(owner)
    response = client.get(reverse("families:caseload"), {"attention": "missed_visits"})
    families = list(response.context["page"])
    assert families == [care["family"]]
    assert families[0].missed_visits == 1
    assert families[0].next_action_due == care["action"].due_date
    assert (
        client.get(reverse("families:caseload"), {"attention": "overdue"})
        .context["page"]
        .paginator.count
        == 0
    )


def test_consents_about_to_expire_are_listed_on_the_caseload(care, client):
    care["consent"].__class__.objects.filter(pk=care["consent"].pk).update(
        valid_until=timezone.localdate() + timedelta(days=10)
    )
    client.force_login(care["users"]["owner"])
    response = client.get(reverse("families:caseload"))
    assert [c.pk for c in response.context["expiring"]] == [care["consent"].pk]


def test_access_report_lists_who_looked(care, client):
    client.force_login(care["users"]["partner"])
    client.get(reverse("families:plan", args=[care["family"].id]))
    client.logout()
    client.force_login(care["users"]["owner"])
    body = client.get(reverse("families:access_report", args=[care["family"].id])).content
    assert b"partner" in body and b"plan" in body


def test_export_gives_the_whole_record(care, client):
    client.force_login(care["users"]["owner"])
    record = client.get(reverse("families:export_json", args=[care["family"].id])).json()
    assert record["caregivers"][0]["last_name"] == "Côté"
    assert {e["note"] for e in record["timeline"]} >= {"Rencontre au CLSC, se sent seule."}
    assert record["plan"][0]["actions"][0]["action"] == "Demande HLM"
    html = client.get(reverse("families:export_html", args=[care["family"].id])).content.decode()
    assert "Mélanie Côté" in html and "Demande HLM" in html


def test_family_pages_exist_in_french_and_english(care, client):
    client.force_login(care["users"]["owner"])
    url = reverse("families:consents", args=[care["family"].id])
    assert "Consentements" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Record a consent" in client.get(url).content.decode()


def listed_names(client) -> tuple[bool, list]:
    """Whether the caseload page names the mother, and the names the API list gives."""
    page = client.get(reverse("families:caseload")).content.decode()
    items = client.get("/api/v1/families/").json()["items"]
    return "Mélanie" in page, [item["names"] for item in items]


def test_lists_name_a_family_only_where_identity_is_shared(care, client):
    partner, owner = care["users"]["partner"], care["users"]["owner"]
    client.force_login(partner)
    assert listed_names(client) == (True, [["Mélanie Côté"]])
    # The partner's organization keeps the plan but loses identity; another organization
    # gets identity: the partner's lists show the family by its reference only.
    services.record_consent(
        by=owner,
        family=care["family"],
        given_by=care["mother"],
        organizations=[care["orgs"]["hospital"]],
        categories=[Category.IDENTITY],
        purpose="Suivi obstétrical",
        method="verbal",
        witness="Infirmière de garde",
    )
    plan_only = services.record_consent(
        by=owner,
        family=care["family"],
        given_by=care["mother"],
        organizations=[care["orgs"]["crd"]],
        categories=[Category.PLAN],
        purpose="Suivi conjoint",
        method="verbal",
        witness="Infirmière de garde",
    )
    services.withdraw_consent(by=owner, consent=care["consent"], reason="Demande de la mère")
    page_names, api_names = listed_names(client)
    assert not page_names
    assert api_names == [None]
    assert care["family"].reference in client.get(reverse("families:caseload")).content.decode()
    # Nothing left for the partner: the family leaves its lists, and is only named by its
    # reference among those whose consent lapsed (to ask for a new one).
    services.withdraw_consent(by=owner, consent=plan_only, reason="Demande de la mère")
    page = client.get(reverse("families:caseload"))
    assert [f.reference for f in page.context["page"]] == []
    assert [f.reference for f in page.context["lapsed"]] == [care["family"].reference]
    assert client.get("/api/v1/families/").json()["items"] == []
    client.force_login(owner)
    assert listed_names(client) == (True, [["Mélanie Côté"]])


def test_the_access_log_names_only_the_parts_the_reader_sees(care, client):
    """The partner's organization is given identity and notes, not the plan: its reading
    of the overview is logged without "plan"; the recording organization's with it."""
    owner, partner = care["users"]["owner"], care["users"]["partner"]
    services.withdraw_consent(by=owner, consent=care["consent"], reason="Nouveau consentement")
    services.record_consent(
        by=owner,
        family=care["family"],
        given_by=care["mother"],
        organizations=[care["orgs"]["crd"]],
        categories=[Category.IDENTITY, Category.NOTES],
        purpose="Suivi en dépendance",
        method="verbal",
        witness="Intervenante de garde",
    )
    detail = reverse("families:detail", args=[care["family"].id])

    def last_parts(user) -> list:
        client.force_login(user)
        assert client.get(detail).status_code == 200
        event = AuditEvent.objects.filter(action=Action.VIEWED, actor=user).order_by("-at")[0]
        return event.details["parts"]

    assert last_parts(partner) == ["circle", "consents", "identity", "timeline"]
    assert last_parts(owner) == ["circle", "consents", "identity", "plan", "timeline"]
