"""A meeting is held on its day: its attendance, the five questions, the round table, the
follow-up and its closing are recorded from that day on (409 with the reason before it), and
closing a meeting says which situations were not analysed and go back to the queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from maillage.core.errors import IllegalTransition
from maillage.reviews import services
from maillage.reviews.models import MeetingStatus, SituationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """The messages are checked in English (the French catalog is checked elsewhere)."""
    client.cookies["maillage_language"] = "en"
    with translation.override("en"):
        yield


def test_a_meeting_weeks_ahead_cannot_take_attendance_analysis_or_be_closed(
    review, make_meeting, submit, analyse
):
    # Given a meeting three weeks ahead and a situation in the queue
    ahead = make_meeting(days_from_now=21)
    situation = submit()
    moderator = review["moderator"]

    # When the moderator records what happens at a meeting, then each is refused
    attempts = [
        lambda: services.record_attendance(by=moderator, meeting=ahead, present=[]),
        lambda: analyse(ahead, situation),
        lambda: services.record_round_table(by=moderator, meeting=ahead, notes="", ratings={}),
        lambda: services.close_meeting(by=moderator, meeting=ahead),
    ]
    for attempt in attempts:
        with pytest.raises(IllegalTransition, match="can be recorded from that day on"):
            attempt()
    ahead.refresh_from_db()
    situation.refresh_from_db()
    assert ahead.status == MeetingStatus.SCHEDULED
    assert not ahead.attendances.exists()
    assert situation.status == SituationStatus.SUBMITTED


def test_a_meeting_is_held_on_its_day_and_after_it(review, make_meeting, submit, analyse):
    moderator = review["moderator"]
    for days in (0, -3):
        meeting = make_meeting(days_from_now=days)
        analyse(meeting, submit(title=f"Situation {days}"))
        services.record_attendance(by=moderator, meeting=meeting, present=[review["nurse"]])
        services.close_meeting(by=moderator, meeting=meeting)
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD


def test_closing_ahead_of_the_day_answers_409_with_the_reason(
    review, make_meeting, moderator_client
):
    ahead = make_meeting(days_from_now=21)
    day = timezone.localdate() + timedelta(days=21)

    closing = moderator_client.post(reverse("reviews:meeting_close", args=[ahead.id]))
    attendance = moderator_client.get(reverse("reviews:attendance", args=[ahead.id]))

    assert closing.status_code == 409
    assert attendance.status_code == 409
    assert "can be recorded from that day on" in closing.content.decode()
    ahead.refresh_from_db()
    assert ahead.status == MeetingStatus.SCHEDULED
    page = moderator_client.get(reverse("reviews:meeting", args=[ahead.id])).content.decode()
    assert 'id="not-yet"' in page
    assert reverse("reviews:meeting_close", args=[ahead.id]) not in page
    assert str(day.year) in page


def test_closing_lists_the_unanalysed_situations_and_asks_to_confirm(
    review, make_meeting, submit, moderator_client
):
    # Given today's meeting, with a situation proposed from the queue and not analysed
    meeting = make_meeting()
    situation = submit(title="Une orientation sans suivi")
    url = reverse("reviews:meeting_close", args=[meeting.id])

    # When the moderator closes it, a confirmation lists the situation; nothing is closed yet
    asked = moderator_client.post(url)
    assert asked.status_code == 200
    assert "Une orientation sans suivi" in asked.content.decode()
    assert 'name="confirmed"' in asked.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED

    # When they confirm, the meeting is held and a message says the situation went back
    done = moderator_client.post(url, {"confirmed": "yes"}, follow=True)
    meeting.refresh_from_db()
    situation.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert situation.status == SituationStatus.SUBMITTED
    texts = [str(m) for m in done.context["messages"]]
    assert any("goes back to the queue" in t and "Une orientation sans suivi" in t for t in texts)


def test_closing_with_every_situation_analysed_needs_no_confirmation(
    review, make_meeting, submit, analyse, moderator_client
):
    meeting = make_meeting(new_situation_slots=1)
    analyse(meeting, submit())
    response = moderator_client.post(reverse("reviews:meeting_close", args=[meeting.id]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_a_new_meeting_is_proposed_on_a_weekday_at_noon_or_the_groups_usual_time(
    review, make_meeting, moderator_client
):
    from datetime import date, time

    from maillage.reviews.forms import default_meeting_start

    # A Friday: a week ahead is a Friday; a Saturday: a week ahead moves to Monday.
    friday = default_meeting_start(today=date(2026, 11, 27))
    monday = default_meeting_start(today=date(2026, 11, 28))
    assert (friday.date(), friday.weekday(), friday.hour) == (date(2026, 12, 4), 4, 12)
    assert (monday.date(), monday.weekday(), monday.hour) == (date(2026, 12, 7), 0, 12)
    assert timezone.localtime(monday).hour == 12
    usual = default_meeting_start(time(13, 30), today=date(2026, 11, 28))
    assert (usual.hour, usual.minute) == (13, 30)

    # The scheduling form proposes the group's usual time once it has met.
    make_meeting(days_from_now=-30)  # 13:30, as the group's meetings are
    form = moderator_client.get(reverse("reviews:schedule", args=[review["group"].id]))
    proposed = form.context["form"].initial["starts_at"]
    assert proposed.weekday() < 5
    assert (timezone.localtime(proposed).hour, timezone.localtime(proposed).minute) == (13, 30)
