"""Consent is the gate: what a partner sees follows the consent, at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from maillage.audit.models import Action, AuditEvent
from maillage.families import services
from maillage.families.models import Category, Consent, ConsentMethod, Family
from maillage.families.permissions import compute_access

pytestmark = pytest.mark.django_db


def timeline_texts(client, family) -> str:
    return client.get(reverse("families:timeline", args=[family.id])).content.decode()


def test_partner_sees_the_plan_but_not_notes_outside_the_consent(client, care):
    client.force_login(care["users"]["partner"])
    page = timeline_texts(client, care["family"])
    assert "Plan signé par Mélanie." in page
    assert "se sent seule" not in page  # a follow-up note: not shared with the CRD
    assert "Mon impression personnelle." not in page  # the owner's private note
    assert client.get(reverse("families:plan", args=[care["family"].id])).status_code == 200


def test_owner_sees_every_category_and_their_private_note(client, care):
    client.force_login(care["users"]["owner"])
    page = timeline_texts(client, care["family"])
    assert "se sent seule" in page and "Mon impression personnelle." in page


def test_withdrawal_hides_the_record_from_the_partner_at_once(client, care):
    client.force_login(care["users"]["partner"])
    url = reverse("families:timeline", args=[care["family"].id])
    assert client.get(url).status_code == 200
    services.withdraw_consent(
        by=care["users"]["owner"], consent=care["consent"], reason="La mère retire son accord"
    )
    assert client.get(url).status_code == 404
    assert client.get(reverse("families:detail", args=[care["family"].id])).status_code == 404
    # Its history stays.
    consent = Consent.objects.get(pk=care["consent"].pk)
    assert consent.state() == "withdrawn" and consent.withdrawal_reason


def test_expiry_hides_the_record_without_anyone_acting(client, care):
    client.force_login(care["users"]["partner"])
    url = reverse("families:plan", args=[care["family"].id])
    assert client.get(url).status_code == 200
    yesterday = timezone.localdate() - timedelta(days=1)
    Consent.objects.filter(pk=care["consent"].pk).update(
        valid_from=yesterday - timedelta(days=365), valid_until=yesterday
    )
    assert client.get(url).status_code == 404


def test_withdrawing_twice_is_refused_with_a_reason(care):
    services.withdraw_consent(by=care["users"]["owner"], consent=care["consent"])
    with pytest.raises(services.IllegalTransition, match=r"cannot be withdrawn|ne peut"):
        services.withdraw_consent(by=care["users"]["owner"], consent=care["consent"])


def test_withdrawing_through_the_page_twice_answers_409(client, care):
    client.force_login(care["users"]["owner"])
    url = reverse("families:withdraw_consent", args=[care["family"].id, care["consent"].id])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 409


def test_partner_can_join_only_under_a_consent_covering_their_organization(care):
    outsider = care["users"]["outsider"].practitioner
    with pytest.raises(ValidationError) as error:
        services.add_circle_member(
            by=care["users"]["owner"],
            family=care["family"],
            practitioner=outsider,
            team=care["teams"]["obstetrics"],
        )
    assert "practitioner" in error.value.message_dict
    assert not care["family"].circle.filter(practitioner=outsider).exists()


def test_team_lead_sees_what_their_members_organization_may_see(care):
    access = compute_access(care["users"]["partner_lead"], care["family"])
    assert access.via == "team_lead"
    assert access.categories == {Category.IDENTITY, Category.PLAN}


@pytest.mark.parametrize("who", ["colleague", "outsider", "coordinator", "admin"])
def test_people_outside_the_circle_see_nothing(care, who):
    assert not compute_access(care["users"][who], care["family"]).granted


def test_lead_hands_over_and_then_may_leave(care):
    owner = care["users"]["owner"]
    family = care["family"]
    with pytest.raises(services.IllegalTransition):
        services.leave_circle(by=owner, family=family)
    services.hand_over_lead(by=owner, family=family, to=care["partner_member"])
    services.leave_circle(by=owner, family=family)
    lead = family.circle.get(is_lead=True, left_at__isnull=True)
    assert lead.practitioner == care["users"]["partner"].practitioner
    assert not compute_access(owner, family).granted


def test_only_the_lead_hands_over(care):
    with pytest.raises(PermissionDenied):
        services.hand_over_lead(
            by=care["users"]["partner"], family=care["family"], to=care["partner_member"]
        )


# --- bad input: a clear error, nothing written -----------------------------------------


def test_a_child_born_in_the_future_is_refused_and_nothing_is_written(care):
    before = Family.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_family(
            by=care["users"]["owner"],
            team=care["teams"]["perinatal"],
            caregivers=[services.CaregiverData(first_name="Ana", last_name="Diaz")],
            children=[services.ChildData(date_of_birth=timezone.localdate() + timedelta(days=3))],
            reasons=[],
        )
    assert "children[0].date_of_birth" in error.value.message_dict
    assert Family.objects.count() == before


def consent_kwargs(care, **changes):
    kwargs = {
        "by": care["users"]["owner"],
        "family": care["family"],
        "given_by": care["mother"],
        "organizations": [care["orgs"]["hospital"]],
        "categories": [Category.IDENTITY],
        "purpose": "Accouchement",
        "method": ConsentMethod.VERBAL,
        "witness": "Julie Roy",
    }
    kwargs.update(changes)
    return kwargs


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "valid_from": timezone.localdate(),
                "valid_until": timezone.localdate() - timedelta(days=1),
            },
            "valid_until",
        ),
        ({"categories": ["astrology"]}, "categories"),
        ({"method": ConsentMethod.VERBAL, "witness": ""}, "witness"),
        (
            {
                "method": ConsentMethod.SIGNED_FORM,
                "witness": "",
                "scan": SimpleUploadedFile("scan.exe", b"MZ\x90\x00 not a pdf", "application/pdf"),
            },
            "scan",
        ),
        (
            {
                "method": ConsentMethod.SIGNED_FORM,
                "witness": "",
                "scan": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (6 * 1024 * 1024)),
            },
            "scan",
        ),
    ],
)
def test_bad_consent_input_names_the_field_and_writes_nothing(care, changes, field):
    before = Consent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.record_consent(**consent_kwargs(care, **changes))
    assert field in error.value.message_dict
    assert Consent.objects.count() == before


def test_a_signed_form_scan_is_stored_when_it_is_a_real_pdf(care, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile(
        "form.pdf",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n",
        "application/pdf",
    )
    consent = services.record_consent(
        **consent_kwargs(care, method=ConsentMethod.SIGNED_FORM, witness="", scan=scan)
    )
    assert consent.scan.read().startswith(b"%PDF")


def test_bad_consent_on_the_page_shows_the_field_error(client, care):
    client.force_login(care["users"]["owner"])
    today = timezone.localdate()
    response = client.post(
        reverse("families:consents", args=[care["family"].id]),
        {
            "given_by": care["mother"].id,
            "organizations": [care["orgs"]["hospital"].id],
            "categories": ["identity"],
            "purpose": "x",
            "method": "verbal",
            "witness": "J",
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert (
        "avant de commencer" in response.content.decode()
        or "before it starts" in response.content.decode()
    )
    assert Consent.objects.count() == 1


def test_emergency_access_needs_a_reason_is_flagged_and_tells_the_lead(
    care, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = care["users"]["outsider"]
    with pytest.raises(ValidationError):
        services.open_emergency_access(by=outsider, family=care["family"], reason="")
    assert not compute_access(outsider, care["family"]).granted
    with django_capture_on_commit_callbacks(execute=True):
        services.open_emergency_access(
            by=outsider,
            family=care["family"],
            reason="Bébé de 3 jours laissé seul, la mère est injoignable depuis hier.",
        )
    outsider.__dict__.pop("_family_access", None)
    assert compute_access(outsider, care["family"]).via == "emergency"
    event = AuditEvent.objects.get(action=Action.EMERGENCY_ACCESS)
    assert event.details["break_glass"] is True
    assert [m.to for m in mailoutbox] == [["owner@clsc.example.org"]]


def test_duplicate_detection_ignores_accents_and_case(care, mailoutbox):
    visible = services.check_for_duplicates(
        by=care["users"]["owner"],
        first_name="MELANIE",
        last_name="cote",
        date_of_birth=care["mother"].date_of_birth,
    )
    assert visible == [care["family"]]
    assert mailoutbox == []  # the reader sees the family: nobody else needs telling


def test_a_refused_family_page_offers_emergency_access_and_nothing_else(care, client):
    client.force_login(care["users"]["outsider"])
    response = client.get(reverse("families:detail", args=[care["family"].id]))
    assert response.status_code == 404
    body = response.content.decode()
    assert reverse("families:emergency_access", args=[care["family"].id]) in body
    assert "Côté" not in body and "Mélanie" not in body


def test_a_page_of_families_masks_the_names_as_one_family_does(care, django_assert_num_queries):
    """A search page masks the names of each family its reader may not name with one
    masker per family (name_maskers): the same words hidden as the single read's masker,
    the family whose identity is shown left as it is, and no query per row."""
    from maillage.families.models import Child
    from maillage.families.permissions import FamilyAccess
    from maillage.families.selectors import name_masker, name_maskers

    family = Family.objects.prefetch_related("caregivers").get(pk=care["family"].pk)
    Child.objects.create(
        family=family, first_name="Éloïse", date_of_birth=timezone.localdate() - timedelta(days=400)
    )
    shown = Family.objects.prefetch_related("caregivers").exclude(pk=family.pk).first()
    family.access = FamilyAccess(categories=frozenset({Category.PLAN}))
    text = "Plan signé par MELANIE cote, avec Eloise et l'équipe."
    one = name_masker(family, family.access)(text)
    assert "MELANIE" not in one and "cote" not in one and "Eloise" not in one
    assert "Plan signé par" in one and "l'équipe" in one
    families = [family]
    if shown is not None:
        shown.access = FamilyAccess(categories=frozenset({Category.IDENTITY}))
        families.append(shown)
    with django_assert_num_queries(1):  # the hidden family's children
        masks = name_maskers(families)
    assert masks[family.pk](text) == one
    if shown is not None:
        assert masks[shown.pk](text) == text
