"""Issue 11, findings 2 to 6: the ways around the family's consent found by trying the
product as a partner organization's worker, an outsider and an administrator would.

Each test names the finding it closes. The world is tests/families/conftest.py's `care`: a
family recorded by a CLSC (lead worker "owner"), followed under consent by a partner from a
CRD ("partner", consent: identity and plan), and people around who should see nothing.
"""

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.audit.models import Action, AuditEvent
from maillage.families import selectors as family_selectors
from maillage.families import services
from maillage.families.models import Category, CircleMember, Consent, Family
from maillage.referrals import services as referral_services
from tests.families import conftest as families_world
from tests.families.conftest import practitioner

pytestmark = pytest.mark.django_db
care = families_world.care  # the shared fixture, under its name

NAMES = ["Mélanie", "Côté", "555-0199"]


def views_of(care) -> int:
    """The reads in the family's access report: its own events and the lists naming it."""
    return family_selectors.access_report(care["family"]).filter(action=Action.VIEWED).count()


def without_identity(care) -> None:
    """The partner's consent keeps the plan and the notes, not identity."""
    Consent.objects.filter(pk=care["consent"].pk).update(categories=",plan,notes,")


def withdraw_everything(care) -> None:
    for consent in Consent.objects.filter(family=care["family"], withdrawn_at__isnull=True):
        services.withdraw_consent(by=care["users"]["owner"], consent=consent)


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# --- Finding 2: a partner widens its own consent ----------------------------------------


def consent_post(care, organization, categories):
    return {
        "given_by": str(care["mother"].id),
        "organizations": [str(organization.id)],
        "categories": categories,
        "purpose": "Suivi",
        "method": "verbal",
        "witness": "myself",
    }


def test_a_partner_cannot_widen_its_own_consent(care, client):
    without_identity(care)
    client.force_login(care["users"]["partner"])
    every_category = list(Category.values)
    response = client.post(
        reverse("families:consents", args=[care["family"].id]),
        consent_post(care, care["orgs"]["crd"], every_category),
    )
    assert response.status_code == 404
    assert Consent.objects.filter(family=care["family"]).count() == 1
    # Nothing more than before: the API still withholds the caregivers.
    body = client.get(f"/api/v1/families/{care['family'].id}").json()
    assert body["caregivers"] is None
    assert "identity" not in body["categories"]


def test_a_partner_cannot_cover_another_organization_nor_bring_its_people_in(care, client):
    client.force_login(care["users"]["partner"])
    family = care["family"]
    response = client.post(
        reverse("families:consents", args=[family.id]),
        consent_post(care, care["orgs"]["hospital"], ["identity", "plan"]),
    )
    assert response.status_code == 404
    response = client.post(
        reverse("families:circle", args=[family.id]),
        {"action": "add", "email": "outsider@hop.example.org"},
    )
    assert response.status_code == 404
    assert Consent.objects.filter(family=family).count() == 1
    assert not CircleMember.objects.filter(
        family=family, practitioner=care["users"]["outsider"].practitioner
    ).exists()


def test_a_partner_cannot_withdraw_a_consent_either(care, client):
    client.force_login(care["users"]["partner"])
    family, consent = care["family"], care["consent"]
    page = client.post(reverse("families:withdraw_consent", args=[family.id, consent.id]))
    api = client.post(
        f"/api/v1/families/{family.id}/consents/{consent.id}/withdraw",
        data=json.dumps({"reason": ""}),
        content_type="application/json",
    )
    # The partner sees the family: the API says the write is forbidden (403), the page
    # answers every refusal "not found" (404).
    assert (page.status_code, api.status_code) == (404, 403)
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_only_the_lead_or_the_leads_team_records_a_consent(care):
    """The record holder: the lead worker, or a member of the lead's team in the recording
    organization. Not another team of the same organization, not a partner's team lead."""
    family = care["family"]
    teammate = practitioner("teammate@clsc.example.org", care["teams"]["perinatal"])
    for person, team in [
        (teammate, care["teams"]["perinatal"]),
        (care["users"]["colleague"], care["teams"]["family"]),
    ]:
        services.add_circle_member(
            by=care["users"]["owner"], family=family, practitioner=person.practitioner, team=team
        )
    may = {}
    for name, user in [
        ("lead", care["users"]["owner"]),
        ("lead's team", teammate),
        ("other team", care["users"]["colleague"]),
        ("partner", care["users"]["partner"]),
        ("partner's lead", care["users"]["partner_lead"]),
    ]:
        user.__dict__.pop("_family_access", None)
        may[name] = user.has_perm("families.record_consent", family)
    assert may == {
        "lead": True,
        "lead's team": True,
        "other team": False,
        "partner": False,
        "partner's lead": False,
    }


# --- Finding 3: names where the consent does not cover identity ------------------------


def test_no_page_names_the_family_to_a_partner_without_identity(care, client):
    without_identity(care)
    referral = referral_services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance",
        categories=[Category.PLAN],
    )
    family = care["family"]
    client.force_login(care["users"]["partner"])
    pages = {
        "consents": client.get(reverse("families:consents", args=[family.id])),
        "overview": client.get(reverse("families:detail", args=[family.id])),
        "timeline": client.get(reverse("families:timeline", args=[family.id])),
        "plan": client.get(reverse("families:plan", args=[family.id])),
        "referral": client.get(reverse("referrals:detail", args=[referral.id])),
        "inbox": client.get(reverse("referrals:inbox")),
        "caseload": client.get(reverse("families:caseload")),
        "api family": client.get(f"/api/v1/families/{family.id}"),
        "api timeline": client.get(f"/api/v1/families/{family.id}/timeline"),
        "api list": client.get("/api/v1/families/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = text(response)
        for word in NAMES:
            assert word not in body, f"{word} shown on {name}"
    # The same stand-in everywhere: the family's reference.
    for name in ("overview", "referral", "inbox", "caseload"):
        assert f"Famille {family.reference}" in text(pages[name]), name
    # The signed form carries the names: no download.
    scan = client.get(reverse("families:consent_scan", args=[family.id, care["consent"].id]))
    assert scan.status_code == 404


def test_a_note_read_without_identity_loses_the_familys_names_in_any_spelling(care, client):
    without_identity(care)
    services.add_entry(
        by=care["users"]["owner"],
        family=care["family"],
        kind="contact_note",
        category=Category.NOTES,
        # Decomposed accents, another case, no accent: the same person.
        text="Appel de ME\u0301LANIE ; madame cote rappellera.",
    )
    client.force_login(care["users"]["partner"])
    body = text(client.get(reverse("families:timeline", args=[care["family"].id])))
    assert "rappellera" in body
    assert not re.search(r"(?i)m[eé]\u0301?lanie|\bcote\b", body)
    client.force_login(care["users"]["owner"])
    body = text(client.get(reverse("families:timeline", args=[care["family"].id])))
    assert "madame cote" in body  # the record holder reads the note as written


# --- Finding 4: existence revealed ------------------------------------------------------


def test_a_hidden_duplicate_is_never_revealed_but_its_lead_is_told(
    care, client, mailoutbox, django_capture_on_commit_callbacks
):
    mother = care["mother"]
    families_before = Family.objects.count()
    client.force_login(care["users"]["outsider"])
    views_before = views_of(care)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("families:create"),
            {
                "team": str(care["teams"]["obstetrics"].id),
                "parent1_first_name": "MELANIE",
                "parent1_last_name": "cote",
                "parent1_date_of_birth": mother.date_of_birth.isoformat(),
                "reasons": ["pregnancy"],
            },
        )
    body = text(response)
    assert response.status_code == 302, body[:500]  # recorded, as if nothing matched
    assert care["family"].reference not in body
    assert Family.objects.count() == families_before + 1
    # The check is a read of the hidden family's identity: in its access report.
    assert views_of(care) == views_before + 1
    event = AuditEvent.objects.filter(object_id=str(care["family"].id)).latest("at")
    assert event.details["parts"] == ["duplicate_check"]
    assert [m.to for m in mailoutbox] == [["owner@clsc.example.org"]]
    assert "Mélanie" not in mailoutbox[0].body


def test_the_emergency_form_answers_alike_for_a_family_and_for_nothing(care, client):
    client.force_login(care["users"]["outsider"])
    real = client.get(reverse("families:emergency_access", args=[care["family"].id]))
    made_up_id = uuid.uuid4()
    made_up = client.get(reverse("families:emergency_access", args=[made_up_id]))
    assert real.status_code == made_up.status_code == 200

    def normalized(response, family_id):
        return re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+", "", text(response)).replace(
            str(family_id), "ID"
        )

    assert normalized(real, care["family"].id) == normalized(made_up, made_up_id)


def test_breaking_the_glass_on_an_id_that_names_no_family_is_logged_too(care, client):
    client.force_login(care["users"]["outsider"])
    made_up_id = uuid.uuid4()
    response = client.post(
        reverse("families:emergency_access", args=[made_up_id]),
        {"reason": "Nourrisson seul à domicile, la mère ne répond plus."},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.EMERGENCY_ACCESS, object_id=str(made_up_id))
    assert event.details == {"break_glass": True, "found": False}


# --- Finding 5: after withdrawal, lists still show --------------------------------------


def test_after_withdrawal_no_list_shows_the_family_to_the_partner(care, client):
    referral_services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance",
    )
    client.force_login(care["users"]["partner"])
    assert len(client.get("/api/v1/referrals/inbox").json()["items"]) == 1
    withdraw_everything(care)
    reference = care["family"].reference
    views_before = views_of(care)
    caseload = client.get(reverse("families:caseload"))
    inbox = text(client.get(reverse("referrals:inbox")))
    assert reference not in inbox
    # Only among the families whose consent lapsed, by reference, to ask for a new one.
    assert list(caseload.context["page"]) == []
    assert [f.reference for f in caseload.context["lapsed"]] == [reference]
    for word in NAMES:
        assert word not in text(caseload)
    assert client.get("/api/v1/families/").json()["items"] == []
    assert client.get("/api/v1/referrals/inbox").json()["items"] == []
    assert views_of(care) == views_before  # nothing shown, nothing logged


def test_every_list_that_names_a_family_logs_it(care, client):
    referral_services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance",
    )
    client.force_login(care["users"]["partner"])
    for url in ("/api/v1/referrals/inbox", reverse("referrals:inbox"), "/api/v1/families/"):
        before = views_of(care)
        assert client.get(url).status_code == 200
        assert views_of(care) == before + 1, url


def test_a_partner_without_the_plan_sees_no_next_action_in_the_lists(care, client):
    Consent.objects.filter(pk=care["consent"].pk).update(categories=",identity,")
    client.force_login(care["users"]["partner"])
    items = client.get("/api/v1/families/").json()["items"]
    assert [i["next_action_due"] for i in items] == [None]
    due = care["action"].due_date
    assert due.strftime("%Y-%m-%d") not in text(client.get(reverse("families:caseload")))
    client.force_login(care["users"]["owner"])
    assert client.get("/api/v1/families/").json()["items"][0]["next_action_due"] == str(due)


def test_an_expired_consent_empties_the_partners_lists_by_itself(care, client):
    Consent.objects.filter(pk=care["consent"].pk).update(
        valid_from=timezone.localdate() - timedelta(days=400),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(care["users"]["partner"])
    assert client.get("/api/v1/families/").json()["items"] == []


# --- Finding 6: page and API disagree ---------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "coordinator", "owner"])
def test_the_indicators_page_and_api_answer_alike(care, client, verified_login, who):
    today = timezone.localdate()
    verified_login(care["users"][who])
    params = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    page = client.get(reverse("referrals:indicators"), params)
    api = client.get("/api/v1/referrals/indicators", params)
    assert page.status_code == api.status_code == 200
