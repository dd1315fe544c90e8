"""Accepting a referral with hand-over hands the lead over: the receiving team's chosen
worker leads, one lead only, the old lead's open actions follow, the referrer stays or
leaves as they chose, and the family's timeline says so. Joint follow-up leaves the lead
where it was."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from maillage.directory.models import MembershipRole
from maillage.families import services as family_services
from maillage.families.models import (
    ActionStatus,
    CircleMember,
    EntryKind,
    PlanAction,
    PlanChange,
)
from maillage.referrals import services
from maillage.referrals.models import Step
from tests.families.conftest import practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The timeline entry is written in the language of the person who accepts."""
    with translation.override("en"):
        yield


def _refer(care, **options):
    return services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance pendant la grossesse",
        **options,
    )


def _accept(care, referral, follow_up="hand_over", by="partner_lead", **details):
    user = care["users"][by]
    referral = services.take_step(by=user, referral=referral, step=Step.ACKNOWLEDGE)
    return services.take_step(
        by=user, referral=referral, step=Step.ACCEPT, follow_up=follow_up, **details
    )


def _active(family):
    return CircleMember.objects.filter(family=family, left_at__isnull=True)


def _member(family, user):
    return _active(family).filter(practitioner__user=user).first()


def _owner_action(care, description="Rendez-vous prénatal"):
    owner_member = _member(care["family"], care["users"]["owner"])
    return family_services.add_action(
        by=care["users"]["owner"],
        goal=care["goal"],
        description=description,
        owner=owner_member,
    )


def test_hand_over_makes_the_accepting_worker_the_one_lead(care):
    # Given a referral sent by the family's lead worker
    referral = _refer(care)
    # When the receiving team's lead accepts it with hand-over
    _accept(care, referral)
    # Then she is the family's only active lead, and the referrer stays as a partner
    leads = list(_active(care["family"]).filter(is_lead=True))
    assert [m.practitioner.user for m in leads] == [care["users"]["partner_lead"]]
    owner = _member(care["family"], care["users"]["owner"])
    assert owner is not None and not owner.is_lead


def test_hand_over_to_a_team_member_the_acceptor_assigns(care):
    # Given a referral and a worker of the receiving team who is not in the circle
    worker = practitioner("worker@crd.example.org", care["teams"]["mother_child"])
    referral = _refer(care)
    # When the team lead accepts with hand-over and assigns that worker
    _accept(care, referral, assign_to=worker.practitioner.id)
    # Then the worker joined the circle and leads; the team lead did not join
    assert _member(care["family"], worker).is_lead
    assert _member(care["family"], care["users"]["partner_lead"]) is None
    assert _active(care["family"]).filter(is_lead=True).count() == 1


def test_an_assignee_outside_the_receiving_team_is_refused(care):
    referral = _refer(care)
    with pytest.raises(ValidationError) as error:
        _accept(care, referral, assign_to=care["users"]["colleague"].practitioner.id)
    assert "assign_to" in error.value.message_dict
    assert _member(care["family"], care["users"]["owner"]).is_lead


def test_the_old_leads_open_actions_go_to_the_new_lead(care):
    # Given two open actions of the old lead, one done, and one of a partner
    open_one = _owner_action(care)
    done = _owner_action(care, "Inscription terminée")
    family_services.update_action(
        by=care["users"]["owner"], action=done, expected_version=1, status=ActionStatus.DONE
    )
    referral = _refer(care)
    # When the referral is accepted with hand-over
    _accept(care, referral)
    # Then the open action is the new lead's, kept in the plan's history; the others stay
    new_lead = _member(care["family"], care["users"]["partner_lead"])
    assert PlanAction.objects.get(pk=open_one.pk).owner == new_lead
    assert PlanAction.objects.get(pk=done.pk).owner != new_lead
    assert PlanAction.objects.get(pk=care["action"].pk).owner == care["partner_member"]
    assert PlanChange.objects.filter(object_id=open_one.pk, after__owner=str(new_lead.pk))


def test_the_timeline_says_who_leads_now_and_what_moved(care):
    _owner_action(care)
    referral = _refer(care)
    _accept(care, referral)
    entry = care["family"].timeline.filter(kind=EntryKind.EVENT).order_by("-created_at").first()
    assert "Chief Test" in entry.text and "lead worker" in entry.text
    assert "Owner Test stays in the circle of care as a partner" in entry.text
    assert "1 open action of the plan now belongs to the new lead worker" in entry.text


def test_the_referrer_leaves_on_hand_over_when_she_asked_to(care):
    # Given a referrer who chose, when referring, to leave on a hand-over
    referral = _refer(care, referrer_leaves_on_hand_over=True)
    assert referral.referrer_leaves_on_hand_over
    # When the referral is accepted with hand-over
    _accept(care, referral)
    # Then she is out of the circle, and the timeline says so
    assert _member(care["family"], care["users"]["owner"]) is None
    entry = care["family"].timeline.filter(kind=EntryKind.EVENT).order_by("-created_at").first()
    assert "left the circle of care" in entry.text


def test_joint_follow_up_keeps_the_lead(care):
    referral = _refer(care)
    _accept(care, referral, follow_up="joint")
    assert _member(care["family"], care["users"]["owner"]).is_lead
    chief = _member(care["family"], care["users"]["partner_lead"])
    assert chief is not None and not chief.is_lead


def test_the_database_refuses_a_second_active_lead(care):
    partner = care["partner_member"]
    partner.is_lead = True
    with pytest.raises(IntegrityError), transaction.atomic():
        partner.save(update_fields=["is_lead"])


def test_the_old_leads_card_shows_no_lead_badge_after_a_hand_over(care, client):
    # Given a lead whose role text, typed at creation, says "Intervenante pivot"
    _active(care["family"]).filter(is_lead=True).update(role="Intervenante pivot")
    referral = _refer(care)
    # When the lead is handed over on a referral
    _accept(care, referral)
    client.force_login(care["users"]["owner"])
    with translation.override("fr"):
        badge = translation.gettext("lead worker").lower()
    for page in ("families:circle", "families:detail"):
        html = client.get(reverse(page, args=[care["family"].id])).content.decode()
        # Then neither page shows the old lead as lead: one badge, the new lead's
        assert 'lang="fr"' in html and "Intervenante pivot" not in html
        assert html.lower().count(f"<strong>{badge}</strong>") == 1


def test_the_accept_form_offers_the_receiving_teams_members(care, client):
    practitioner("worker@crd.example.org", care["teams"]["mother_child"], MembershipRole.MEMBER)
    referral = _refer(care)
    services.take_step(by=care["users"]["partner_lead"], referral=referral, step=Step.ACKNOWLEDGE)
    client.force_login(care["users"]["partner_lead"])
    html = client.get(reverse("referrals:detail", args=[referral.id])).content.decode()
    assert 'name="assign_to"' in html and "Worker Test" in html
    with translation.override("fr"):
        stays = translation.gettext("The referrer stays in the circle of care as a partner.")
    assert stays in html


def test_the_accept_page_hands_over_to_the_assigned_worker(care, client):
    worker = practitioner("worker@crd.example.org", care["teams"]["mother_child"])
    referral = _refer(care)
    services.take_step(by=care["users"]["partner_lead"], referral=referral, step=Step.ACKNOWLEDGE)
    client.force_login(care["users"]["partner_lead"])
    response = client.post(
        reverse("referrals:step", args=[referral.id]),
        {"step": "accept", "follow_up": "hand_over", "assign_to": worker.practitioner.id},
    )
    assert response.status_code == 302
    assert _member(care["family"], worker).is_lead


def test_the_api_accepts_with_an_assigned_worker(care, client):
    worker = practitioner("worker@crd.example.org", care["teams"]["mother_child"])
    referral = _refer(care)
    services.take_step(by=care["users"]["partner_lead"], referral=referral, step=Step.ACKNOWLEDGE)
    client.force_login(care["users"]["partner_lead"])
    response = client.post(
        f"/api/v1/referrals/{referral.id}/steps",
        {"step": "accept", "follow_up": "hand_over", "assign_to": str(worker.practitioner.id)},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert _member(care["family"], worker).is_lead
