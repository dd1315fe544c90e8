"""The .ics invitation of a session parses, says where and when, and follows the session."""

from datetime import UTC

import icalendar
import pytest
from django.urls import reverse

from maillage.training import services
from maillage.training.models import HostActivity

pytestmark = pytest.mark.django_db


def event_of(response) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_the_invitation_parses_with_the_session_time_place_topics_and_participants(
    training, make_session, client, english
):
    topic = training["programme"].topics.first()
    session = make_session(
        topics=[topic],
        host_activities=[HostActivity.HOME_VISIT],
        agenda="9 h accueil\n13 h visite à domicile",
        location="2100, rue des Saules",
    )
    confirmed = services.sign_up(by=training["users"]["worker"], session=session)
    services.confirm_sign_up(by=training["users"]["lead"], sign_up=confirmed)
    services.sign_up(by=training["users"]["protector"], session=session)  # still pending
    client.force_login(training["users"]["worker"])
    response = client.get(reverse("training:ics", args=[session.id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = event_of(response)
    assert event["UID"] == f"{session.pk}@maillage.training"
    assert event.decoded("DTSTART") == session.starts_at.astimezone(UTC)
    assert event.decoded("DTEND") == session.ends_at.astimezone(UTC)
    assert str(event["LOCATION"]) == "2100, rue des Saules"
    assert str(event["SUMMARY"]).startswith("Immersion at Périnatalité sociale")
    description = str(event["DESCRIPTION"])
    assert topic.name in description and "13 h visite à domicile" in description
    assert f"/training/sessions/{session.id}/" in description
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:worker@example.org"]
    assert str(event["STATUS"]) == "CONFIRMED" and event["SEQUENCE"] == 0


def test_a_cancelled_session_sends_a_cancelling_invitation(training, session, client, english):
    services.cancel_session(by=training["users"]["coordinator"], session=session)
    client.force_login(training["users"]["worker"])
    event = event_of(client.get(reverse("training:ics", args=[session.id])))
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
