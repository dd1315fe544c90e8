"""The de-identification guard: every pattern and every known name is caught, in any case
and with or without accents; ordinary text goes through; a finding blocks the save until it
is removed or confirmed with a reason, which the audit log keeps."""

import pytest
from django.urls import reverse

from maillage.audit.models import AuditEvent
from maillage.core import deidentification
from maillage.core.deidentification import NameIndex
from maillage.families.guard_names import name_index
from maillage.reviews.models import Situation
from maillage.reviews.services import IdentifyingDetailsFound

pytestmark = pytest.mark.django_db


def scan(text, names=None):
    """The guard as the services run it: against every person on record."""
    return deidentification.scan(text, names=name_index() if names is None else names)


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Appeler la mère au 514-555-0123 demain.", "phone", "514-555-0123"),
        ("Son numéro : (819) 555 0123.", "phone", "(819) 555 0123"),
        ("Call +1 514 555 0123 after five.", "phone", "+1 514 555 0123"),
        ("Joint au 819.555.0123", "phone", "819.555.0123"),
        ("Écrire à m.cote@exemple.qc.ca pour le suivi.", "email", "m.cote@exemple.qc.ca"),
        ("Carte d'assurance maladie TREM 1234 5678.", "health_card", "TREM 1234 5678"),
        ("Health card TREM12345678 was shown.", "health_card", "TREM12345678"),
        ("Née le 2024-03-15 à l'hôpital.", "date", "2024-03-15"),
        ("Le bébé est né le 15/03/2024.", "date", "né le 15/03/2024"),
        ("Accouchement le 15 mars 2024.", "date", "15 mars 2024"),
        ("The baby was born on March 15, 2024.", "date", "born on March 15, 2024"),
        ("Vue le 2024-03-15 au CLSC.", "date", "2024-03-15"),
        ("Le père, né le 3 février, est venu.", "date", "né le 3 février"),
        ("DOB: 03/04 per the chart.", "date", "DOB: 03/04"),
        ("Elle habite au 1234, rue Principale.", "address", "1234, rue Principale"),
        ("Visite au 45 boulevard des Forges.", "address", "45 boulevard des Forges"),
        ("They live at 123 Main Street.", "address", "123 Main Street"),
        ("Code postal G9A 5H7.", "address", "G9A 5H7"),
    ],
)
def test_guard_catches_each_pattern(text, kind, found):
    findings = scan(text, names=NameIndex())
    assert [(f.kind, f.text) for f in findings] == [(kind, found)]


@pytest.mark.parametrize(
    "written",
    [
        "Jean-François Lévesque",
        "jean-francois levesque",
        "JEAN-FRANÇOIS LÉVESQUE",
        "Jean-Francois LEVESQUE",
        "Lévesque, Jean-François",
        "levesque jean-françois",
        "Dr Lévesque",
        "dr. levesque",
    ],
)
def test_guard_catches_a_practitioner_name_in_any_case_and_accent(review, written):
    findings = scan(f"Le résident {written} a refusé de rappeler l'équipe.")
    assert [(f.kind, f.text) for f in findings] == [("name", written)]


@pytest.mark.parametrize(
    "written",
    ["Mélanie Côté", "melanie cote", "MÉLANIE CÔTÉ", "Melanie Côte", "Côté, Mélanie", "Mme Cote"],
)
def test_guard_catches_a_family_members_name_from_the_families_records(
    review, family_member, written
):
    family_member("Mélanie", "Côté")
    findings = scan(f"La mère, {written}, a manqué deux rendez-vous.")
    assert [(f.kind, f.text) for f in findings] == [("name", written)]


def test_a_child_is_known_by_first_name_and_the_caregivers_last_name(review, family_member):
    from maillage.families.models import Child

    mother = family_member("Mélanie", "Côté")
    Child.objects.create(family=mother.family, first_name="Léa", date_of_birth="2024-03-15")
    assert [f.text for f in scan("Léa Côté pleure beaucoup.")] == ["Léa Côté"]
    assert scan("Léa pleure beaucoup.") == []


@pytest.mark.parametrize(
    "text",
    [
        "La travailleuse sociale du CLSC a orienté la mère vers le centre de réadaptation "
        "sans suivi conjoint ; trois semaines d'attente et 2 rencontres annulées.",
        "The nurse referred the mother in March; the team waited 3 weeks for an answer.",
        "En mars 2024, l'équipe a reçu 12 demandes. Rendez-vous à 14 h, salle 204.",
        "La côte est longue : à côté du CLSC, la rue est fermée pour travaux.",
        "The outreach worker and the nurse met 4 times; the baby gained 300 g.",
    ],
)
def test_guard_lets_ordinary_text_through(review, text):
    assert scan(text) == []


def test_a_first_name_alone_is_not_flagged(review):
    # Hundreds of first names are ordinary words: only full names (or title + last name)
    # are flagged, so that the guard is not confirmed blindly.
    assert scan("Jean-François a rappelé la mère.") == []


def test_submission_with_a_name_is_blocked_and_writes_nothing(review, submit, family_member):
    family_member("Mélanie", "Côté")
    with pytest.raises(IdentifyingDetailsFound) as error:
        submit(narrative="Melanie Cote a été orientée sans suivi conjoint.")
    assert [f.text for f in error.value.findings["narrative"]] == ["Melanie Cote"]
    assert "Melanie Cote" in error.value.message_dict["narrative"][0]
    assert not Situation.objects.exists()


def test_confirmed_finding_needs_a_reason_and_is_logged(review, submit):
    narrative = "Rencontre au 45 boulevard des Forges, dans les locaux du CLSC."
    key = scan(narrative)[0].key
    with pytest.raises(IdentifyingDetailsFound):
        submit(narrative=narrative, confirmations={key: "   "})
    situation = submit(
        narrative=narrative, confirmations={key: "C'est l'adresse du CLSC, pas d'une famille."}
    )
    event = AuditEvent.objects.get(object_id=str(situation.id))
    assert event.details["confirmed_not_identifying"] == [
        {
            "field": "narrative",
            "kind": "address",
            "text": "45 boulevard des Forges",
            "reason": "C'est l'adresse du CLSC, pas d'une famille.",
        }
    ]


def test_page_shows_the_finding_highlighted_then_accepts_the_fixed_text(
    review, client, family_member
):
    family_member("Mélanie", "Côté")
    client.force_login(review["nurse"])
    client.cookies["maillage_language"] = "en"
    url = reverse("reviews:submit", args=[review["group"].id])
    data = {
        "kind": "malfunction",
        "title": "Orientation sans suivi",
        "narrative": "La mère, MELANIE CÔTE, a été orientée sans suivi conjoint.",
        "sectors": ["primary_care", "substance_use"],
    }
    page = client.post(url, data)
    body = page.content.decode()
    assert page.status_code == 200
    assert '<mark class="finding">MELANIE CÔTE</mark>' in body
    assert '<span class="finding-kind">[name of a person]</span>' in body
    assert not Situation.objects.exists()

    data["narrative"] = "La mère a été orientée sans suivi conjoint."
    response = client.post(url, data)
    situation = Situation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:situation", args=[situation.id])
    assert situation.narrative == data["narrative"]


def test_page_confirmation_without_reason_names_the_reason_field(review, client):
    client.force_login(review["nurse"])
    narrative = "Rencontre au 45 boulevard des Forges."
    data = {
        "kind": "malfunction",
        "title": "Lieu de rencontre",
        "narrative": narrative,
        "sectors": ["primary_care"],
        "confirm": [scan(narrative)[0].key],
        "confirm_reason": "",
    }
    page = client.post(reverse("reviews:submit", args=[review["group"].id]), data)
    assert page.status_code == 200
    assert "confirm_reason" in page.context["form"].errors
    assert not Situation.objects.exists()
    data["confirm_reason"] = "Adresse d'un établissement public."
    assert (
        client.post(reverse("reviews:submit", args=[review["group"].id]), data).status_code == 302
    )
    assert Situation.objects.count() == 1


LONG_NARRATIVE = "La mère a été orientée sans suivi conjoint. " * 455  # 20,020 characters


def test_a_narrative_over_the_limit_is_refused_by_the_page_unread(review, client):
    client.force_login(review["nurse"])
    client.cookies["maillage_language"] = "en"
    data = {
        "kind": "malfunction",
        "title": "Trop long",
        "narrative": LONG_NARRATIVE + "Appeler au 514-555-0123.",
        "sectors": ["primary_care"],
    }
    page = client.post(reverse("reviews:submit", args=[review["group"].id]), data)
    form = page.context["form"]
    assert form.errors["narrative"] == [
        "“Narrative” is too long: at most 20,000 characters, and this text has 20,044. Shorten it."
    ]
    # The guard did not read it: the phone number at its end is not shown as a finding.
    assert form.findings == {}
    assert not Situation.objects.exists()
    assert "At most 20,000 characters." in page.content.decode()


def test_line_breaks_count_once_towards_the_limit_as_in_the_browser(review, client):
    client.force_login(review["nurse"])
    narrative = ("Une ligne de récit.\r\n" * 1000).strip()  # 20,000 as the browser counts
    assert len(narrative) > 20_000
    data = {
        "kind": "malfunction",
        "title": "Long",
        "narrative": narrative,
        "sectors": ["primary_care"],
    }
    response = client.post(reverse("reviews:submit", args=[review["group"].id]), data)
    assert response.status_code == 302
    assert Situation.objects.get().narrative == narrative


def test_the_api_refuses_a_narrative_over_the_limit_and_documents_it(client, review):
    from maillage.core.services import create_api_token

    _token, secret = create_api_token(user=review["nurse"], name="test")
    response = client.post(
        f"/api/v1/reviews/groups/{review['group'].id}/situations",
        {
            "kind": "malfunction",
            "title": "Trop long",
            "narrative": LONG_NARRATIVE,
            "sectors": ["primary_care"],
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]  # the API's one error shape (src/maillage/api.py)
    assert error["field"] == "narrative"
    assert error["message"] == "This text is too long: at most 20,000 characters (it has 20,020)."
    assert not Situation.objects.exists()

    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["SituationIn"]["properties"]["narrative"]["maxLength"] == 20_000


def test_the_service_refuses_a_narrative_over_the_limit(review, submit):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        submit(narrative=LONG_NARRATIVE)
    assert list(error.value.message_dict) == ["narrative"]
    assert not Situation.objects.exists()
