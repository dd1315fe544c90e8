"""A referral's lifecycle: consent first, one transition table, every step recorded."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.directory.models import ServiceOffer, ServiceType
from maillage.families import services as family_services
from maillage.families.permissions import compute_access
from maillage.referrals import services
from maillage.referrals.models import Referral, ReferralEvent, Status, Step

pytestmark = pytest.mark.django_db


def test_a_referral_without_covering_consent_cannot_be_sent(care):
    with pytest.raises(services.NoCoveringConsent) as error:
        services.refer_family(
            by=care["users"]["owner"],
            family=care["family"],
            from_team=care["teams"]["perinatal"],
            to_team=care["teams"]["obstetrics"],
            reason="Accouchement prévu",
        )
    assert "to_team" in error.value.message_dict
    assert not Referral.objects.exists()


def test_the_consent_must_cover_every_category_the_referral_carries(care):
    with pytest.raises(services.NoCoveringConsent):
        services.refer_family(
            by=care["users"]["owner"],
            family=care["family"],
            from_team=care["teams"]["perinatal"],
            to_team=care["teams"]["mother_child"],
            reason="Suivi",
            categories=["identity", "substance_use"],
        )


def test_the_page_says_a_consent_is_missing_and_leads_to_recording_one(care, client):
    client.force_login(care["users"]["owner"])
    response = client.post(
        reverse("referrals:new"),
        {
            "family": care["family"].id,
            "from_team": care["teams"]["perinatal"].id,
            "to_team": care["teams"]["obstetrics"].id,
            "reason": "Accouchement",
            "urgency": "routine",
            "categories": ["identity"],
        },
    )
    assert response.status_code == 400
    assert reverse("families:consents", args=[care["family"].id]) in response.content.decode()


def test_referral_walks_to_completion_and_every_step_is_recorded(care, referral):
    lead = care["users"]["partner_lead"]
    assert referral.status == Status.REQUESTED
    for step, details in [
        (Step.ACKNOWLEDGE, {}),
        (Step.ACCEPT, {"follow_up": "joint"}),
        (Step.START, {}),
        (Step.COMPLETE, {"outcome": "Suivi commencé, rencontres hebdomadaires"}),
    ]:
        referral = services.take_step(by=lead, referral=referral, step=step, **details)
    assert referral.status == Status.COMPLETED
    assert (
        referral.requested_at
        <= referral.received_at
        <= referral.decided_at
        <= referral.first_contact_at
        <= referral.closed_at
    )
    events = list(
        ReferralEvent.objects.filter(referral=referral).values_list("to_status", flat=True)
    )
    assert events == ["requested", "received", "accepted", "in-progress", "completed"]
    # Joint follow-up: the receiving lead joined the circle of care.
    assert (
        care["family"].circle.filter(practitioner=lead.practitioner, left_at__isnull=True).exists()
    )
    lead.__dict__.pop("_family_access", None)
    assert compute_access(lead, care["family"]).via == "circle"


def test_an_illegal_step_is_refused_with_the_reason(care, referral):
    with pytest.raises(services.IllegalTransition, match=r"not possible|plus possible"):
        services.take_step(
            by=care["users"]["partner_lead"], referral=referral, step=Step.COMPLETE, outcome="x"
        )
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED


def test_the_api_answers_409_to_an_illegal_step(care, referral, client):
    client.force_login(care["users"]["partner_lead"])
    url = f"/api/v1/referrals/{referral.id}/steps"
    response = client.post(
        url, {"step": "complete", "outcome": "x"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert (
        client.post(url, {"step": "acknowledge"}, content_type="application/json").json()["status"]
        == "received"
    )


def test_only_the_receiving_team_acknowledges_and_only_the_referrer_cancels(care, referral):
    with pytest.raises(PermissionDenied):
        services.take_step(by=care["users"]["owner"], referral=referral, step=Step.ACKNOWLEDGE)
    with pytest.raises(PermissionDenied):
        services.take_step(by=care["users"]["partner_lead"], referral=referral, step=Step.CANCEL)
    services.take_step(by=care["users"]["owner"], referral=referral, step=Step.CANCEL)


def test_declining_needs_a_reason_and_on_hold_an_expected_date(care, referral):
    lead = care["users"]["partner_lead"]
    services.take_step(by=lead, referral=referral, step=Step.ACKNOWLEDGE)
    with pytest.raises(ValidationError) as error:
        services.take_step(by=lead, referral=referral, step=Step.REJECT)
    assert "reject_reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.take_step(
            by=lead,
            referral=referral,
            step=Step.HOLD,
            on_hold_until=timezone.localdate() - timedelta(days=1),
        )
    referral = services.take_step(
        by=lead,
        referral=referral,
        step=Step.HOLD,
        on_hold_until=timezone.localdate() + timedelta(days=20),
    )
    assert referral.status == Status.ON_HOLD


def test_withdrawn_consent_hides_the_referral_from_the_receiving_team(care, referral, client):
    client.force_login(care["users"]["partner_lead"])
    url = reverse("referrals:detail", args=[referral.id])
    assert client.get(url).status_code == 200
    family_services.withdraw_consent(by=care["users"]["owner"], consent=care["consent"])
    assert client.get(url).status_code == 404
    client.force_login(care["users"]["owner"])
    assert client.get(url).status_code == 200  # the referrer still sees what they sent


def test_outsiders_do_not_see_a_referral(care, referral, verified_login):
    for who in ["outsider", "colleague", "coordinator", "admin"]:
        client = verified_login(care["users"][who])
        assert client.get(reverse("referrals:detail", args=[referral.id])).status_code == 404


def test_inbox_lists_oldest_first_with_overdue_highlighted(care, referral, client):
    Referral.objects.filter(pk=referral.pk).update(requested_at=timezone.now() - timedelta(days=10))
    second = services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Deuxième demande",
    )
    client.force_login(care["users"]["partner"])
    response = client.get(reverse("referrals:inbox"))
    rows = response.context["rows"]
    assert [r.referral.id for r in rows] == [referral.id, second.id]
    assert rows[0].overdue and not rows[1].overdue
    assert "overdue" in response.content.decode() or "retard" in response.content.decode()


def test_an_inbox_row_shows_what_the_orm_reads_of_the_referral(care, referral, client):
    # The rows are made from values (referrals.selectors.referral_page): each field, each
    # relation shown must be the referral's own.
    offer = ServiceOffer.objects.create(
        team=care["teams"]["mother_child"],
        code="crd-accueil",
        name="Accueil mère-enfant",
        service_type=ServiceType.ADDICTION_TREATMENT,
        acknowledge_within_days=4,
    )
    Referral.objects.filter(pk=referral.pk).update(service_offer=offer, follow_up="joint")
    client.force_login(care["users"]["partner"])
    response = client.get(reverse("referrals:inbox"))
    (row,) = response.context["rows"]
    shown, stored = (
        row.referral,
        Referral.objects.select_related("from_team__organization", "to_team", "service_offer").get(
            pk=referral.pk
        ),
    )
    for field in ("status", "urgency", "reason", "requested_at", "created_at", "follow_up"):
        assert getattr(shown, field) == getattr(stored, field), field
    assert shown.from_team.name == stored.from_team.name
    assert shown.from_team.organization.name == stored.from_team.organization.name
    assert shown.to_team.name == stored.to_team.name
    assert shown.service_offer.name == "Accueil mère-enfant" and row.target_days == 4
    page = response.content.decode()
    assert stored.from_team.organization.name in page and "Accueil mère-enfant" in page
    api = client.get("/api/v1/referrals/inbox").json()["items"]
    assert [(i["from_team"], i["to_team"], i["follow_up"]) for i in api] == [
        (stored.from_team.name, stored.to_team.name, "joint")
    ]


def test_referrer_is_notified_in_app_at_each_step(care, referral):
    services.take_step(by=care["users"]["partner_lead"], referral=referral, step=Step.ACKNOWLEDGE)
    notices = care["users"]["owner"].notifications.filter(kind="step")
    assert notices.count() == 1 and notices.get().params["status"] == "received"


@pytest.mark.parametrize("size", [2, 40])
def test_inbox_runs_a_bounded_number_of_queries(care, client, size, django_assert_max_num_queries):
    for i in range(size):
        services.refer_family(
            by=care["users"]["owner"],
            family=care["family"],
            from_team=care["teams"]["perinatal"],
            to_team=care["teams"]["mother_child"],
            reason=f"Demande {i}",
        )
    client.force_login(care["users"]["partner"])
    # Round three: plus the candidates and their consents (the one disclosure rule) and the
    # caregivers of the families the receiving team may name, and the consent requests.
    # The page's rows with their family, teams and offer come in one statement compiled once
    # per page length (referrals.selectors.referral_page), their caregivers in one more.
    # And the header counts the reader's unread notifications (one COUNT).
    with django_assert_max_num_queries(20):
        response = client.get(reverse("referrals:inbox"))
    assert len(response.context["rows"]) == min(size, 25)
    # The API inbox now logs each family it lists, like the page (one insert).
    with django_assert_max_num_queries(14):
        assert client.get("/api/v1/referrals/inbox").status_code == 200


def test_network_map_draws_referral_and_joint_follow_up_links(care, referral, client):
    client.force_login(care["users"]["partner"])
    svg = client.get(reverse("directory:network_map_svg")).content.decode()
    assert 'stroke="#0072B2"' in svg  # the CLSC referred to the CRD
    assert 'stroke="#D55E00"' in svg  # and they follow the family together
    only = client.get(reverse("directory:network_map_svg"), {"kinds": "referrals"})
    assert 'stroke="#D55E00"' not in only.content.decode()
    page = client.get(reverse("directory:network_map"))
    counts = [row["count"] for row in page.context["summary"]["links_by_kind"]]
    assert counts == [1, 1]  # one referral link, one joint follow-up link; nobody shared


def test_an_inbox_row_is_escaped_and_translated(care, referral, client):
    # The rows are joined in Python (referrals/inbox_table.py), not by the template: each
    # value escaped, each text in the reader's language, the overdue and urgent marks kept.
    team = care["teams"]["perinatal"]
    type(team).objects.filter(pk=team.pk).update(name='<script>alert("x")</script>')
    Referral.objects.filter(pk=referral.pk).update(
        requested_at=timezone.now() - timedelta(days=10), urgency="urgent"
    )
    client.force_login(care["users"]["partner"])
    url = reverse("referrals:detail", args=[referral.id])
    page = client.get(reverse("referrals:inbox"), headers={"accept-language": "fr"})
    html = page.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert f'<a href="{url}">' in html and 'class="overdue-row"' in html
    assert f"Référence {referral.id.hex[:8].upper()}" in html
    assert "jours ouvrables" in html and "en retard (délai visé" in html
    assert "<strong>Urgent</strong>" in html
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(reverse("referrals:inbox"), headers={"accept-language": "en"})
    text = english.content.decode()
    assert f"Referral {referral.id.hex[:8].upper()}" in text
    assert "working days" in text and "overdue (target" in text
