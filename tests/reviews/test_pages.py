"""Every review page answers in French (the default) and in English."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from maillage.reviews import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(review, make_meeting, submit, analyse):
    meeting = make_meeting()
    situation = submit()
    analyse(meeting, situation)
    action = services.add_improvement_action(
        by=review["moderator"],
        meeting=meeting,
        situation=situation,
        description="Rappel à sept jours.",
        due_date=meeting.starts_at.date(),
        owner_organization=review["orgs"]["crd"],
    )
    group = review["group"]
    # (url, an English string of the page)
    return [
        (reverse("reviews:groups"), "My review groups"),
        (reverse("reviews:group", args=[group.id]), "Situations waiting to be presented"),
        (reverse("reviews:group_manage", args=[group.id]), "Add a participant"),
        (reverse("reviews:schedule", args=[group.id]), "Schedule a meeting"),
        (reverse("reviews:submit", args=[group.id]), "Submit a situation"),
        (reverse("reviews:statistics", args=[group.id]), "What the group learns"),
        (reverse("reviews:meeting", args=[meeting.id]), "Agenda"),
        (reverse("reviews:meeting_edit", args=[meeting.id]), "Change the meeting"),
        (reverse("reviews:attendance", args=[meeting.id]), "Attendance"),
        (reverse("reviews:slot", args=[meeting.id]), "Add an optional slot"),
        (reverse("reviews:round_table", args=[meeting.id]), "Round table"),
        (reverse("reviews:minutes", args=[meeting.id]), "Minutes of the cooperation review"),
        (reverse("reviews:analysis", args=[meeting.id, situation.id]), "The five questions"),
        (reverse("reviews:situation", args=[situation.id]), "Narrative"),
        (reverse("reviews:meeting_action", args=[meeting.id, action.id]), "New status"),
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_speaks_both_languages(moderator_client, pages, language):
    moderator_client.cookies["maillage_language"] = language
    with translation.override(language):
        for url, english in pages:
            response = moderator_client.get(url)
            body = response.content.decode()
            assert response.status_code == 200, url
            assert f'<html lang="{language}">' in body, url
            # The page carries the string in the language asked for (the French catalog's
            # wording, once translated; the English one until then).
            assert escape(translation.gettext(english)) in body, (url, english)


def test_coordinator_creates_a_group_and_appoints_an_external_moderator(
    review, client, verified_login
):
    from maillage.reviews.models import GroupMembership, ReviewGroup
    from tests.conftest import make_user

    client = verified_login(review["coordinator"])
    external = make_user("facilitator@example.org")
    url = reverse("reviews:group_create")
    data = {
        "name": "Revue Nord",
        "organizations": [str(review["orgs"]["clsc"].id)],
        "moderator_email": "facilitator@example.org",
        "participant_emails": "nurse@example.org\nnobody@example.org",
    }
    page = client.post(url, data)
    assert {"organizations", "participant_emails"} <= set(page.context["form"].errors)
    assert not ReviewGroup.objects.filter(name="Revue Nord").exists()

    data["organizations"].append(str(review["orgs"]["hospital"].id))
    data["participant_emails"] = "nurse@example.org\ndoctor@example.org"
    response = client.post(url, data)
    group = ReviewGroup.objects.get(name="Revue Nord")
    assert response["Location"] == reverse("reviews:group_manage", args=[group.id])
    moderator = group.memberships.get(role="moderator")
    assert moderator.user == external and moderator.organization is None
    nurse = group.memberships.get(user=review["nurse"])
    assert nurse.organization == review["orgs"]["clsc"]  # from her teams in the directory

    manage = reverse("reviews:group_manage", args=[group.id])
    client.post(manage, {"moderator-email": "worker@example.org", "appoint_moderator": "1"})
    assert group.memberships.get(role="moderator").user == review["worker"]
    assert not GroupMembership.objects.filter(group=group, user=external).exists()
    client.post(manage, {"participant-email": "lead@example.org", "add_participant": "1"})
    assert group.memberships.filter(user=review["outsider"], role="participant").exists()
