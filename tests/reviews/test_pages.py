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
