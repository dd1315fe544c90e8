"""Minutes are generated from what was recorded, as a page and as a PDF; each meeting has an
iCalendar invitation that a standard parser reads."""

import io
import os
from datetime import UTC, timedelta
from pathlib import Path

import icalendar
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.audit.models import Action, AuditEvent
from maillage.reviews import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(review, make_meeting, submit, analyse):
    moderator = review["moderator"]
    meeting = make_meeting(venue_details="Salle 204 — entrée par la cour")
    situation = submit(title="Congé de la maternité sans préavis à l'équipe du CLSC")
    analyse(meeting, situation, malfunction="Personne n'était responsable du relais.")
    services.add_improvement_action(
        by=moderator,
        meeting=meeting,
        situation=situation,
        description="Ajouter l'équipe du CLSC à la liste de congé.",
        due_date=timezone.localtime(meeting.starts_at).date() + timedelta(days=30),
        owner_organization=review["orgs"]["hospital"],
    )
    services.add_meeting_slot(
        by=moderator, meeting=meeting, kind="training", title="Capsule : la réduction des méfaits"
    )
    services.record_attendance(
        by=moderator, meeting=meeting, present=[moderator, review["nurse"], review["doctor"]]
    )
    services.record_round_table(
        by=moderator,
        meeting=meeting,
        notes="Climat de confiance, sans blâme.",
        ratings={review["nurse"].pk: 4, review["doctor"].pk: 5},
    )
    services.close_meeting(by=moderator, meeting=meeting)
    return meeting


def test_minutes_page_tells_what_was_recorded(held, moderator_client):
    body = moderator_client.get(reverse("reviews:minutes", args=[held.id])).content.decode()
    for expected in [
        "Congé de la maternité sans préavis",
        "Personne n&#x27;était responsable du relais.",
        "Ajouter l&#x27;équipe du CLSC à la liste de congé.",
        "Capsule : la réduction des méfaits",
        "Climat de confiance, sans blâme.",
        "worker",  # absent
    ]:
        assert expected in body, expected


def test_minutes_render_to_a_pdf_with_the_recorded_content(held, moderator_client, tmp_path):
    response = moderator_client.get(reverse("reviews:minutes_pdf", args=[held.id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    flat = " ".join(text.split())
    for expected in [
        "Revue de coopération des Saules",
        "Congé de la maternité sans préavis",
        "Personne n'était responsable du relais.",
        "Ajouter l'équipe du CLSC à la liste de congé.",
        "Hôpital des Saules",
        "Salle 204 — entrée par la cour",
        "Climat de confiance, sans blâme.",
        "4,5",  # the average rating, in French
    ]:
        assert expected in flat, expected
    assert AuditEvent.objects.filter(action=Action.EXPORTED, object_id=str(held.id)).exists()
    (tmp_path / "minutes.pdf").write_bytes(response.content)
    if out := os.environ.get("MAILLAGE_KEEP_MINUTES"):
        Path(out).write_bytes(response.content)


def test_invitation_opens_in_a_standard_icalendar_parser(held, review, moderator_client):
    response = moderator_client.get(reverse("reviews:invitation", args=[held.id]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"{held.id}@maillage"
    assert event.decoded("DTSTART") == held.starts_at.astimezone(UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=120)
    assert "Revue de coopération des Saules" in str(event["SUMMARY"])
    assert "CLSC du Nord" in str(event["LOCATION"])  # the host proposed by rotation
    assert "Salle 204" in str(event["LOCATION"])
    assert str(event["ORGANIZER"]) == "mailto:moderator@example.org"
    attendees = {str(a) for a in event["ATTENDEE"]}
    assert attendees == {
        "mailto:nurse@example.org",
        "mailto:worker@example.org",
        "mailto:doctor@example.org",
    }
    # An invitation travels to outside calendars: no situation goes with it.
    assert "Congé de la maternité" not in response.content.decode()


def test_a_changed_meeting_sends_an_invitation_that_replaces_the_old_one(
    review, make_meeting, moderator_client
):
    meeting = make_meeting()
    first = icalendar.Calendar.from_ical(
        moderator_client.get(reverse("reviews:invitation", args=[meeting.id])).content
    )
    services.reschedule_meeting(
        by=review["moderator"],
        meeting=meeting,
        starts_at=meeting.starts_at + timedelta(hours=2),
        host=review["orgs"]["crd"],
        duration_minutes=90,
    )
    second = icalendar.Calendar.from_ical(
        moderator_client.get(reverse("reviews:invitation", args=[meeting.id])).content
    )
    old, new = first.walk("VEVENT")[0], second.walk("VEVENT")[0]
    assert old["UID"] == new["UID"]
    assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1
    assert "Centre de réadaptation" in str(new["LOCATION"])
