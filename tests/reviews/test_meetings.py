"""Meetings follow the fixed format; situations come from the queue; the five questions and
the improvement actions are recorded, then followed up at the next meetings until closed."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.reviews import services
from maillage.reviews.agenda import build_agenda
from maillage.reviews.models import (
    ActionStatus,
    Analysis,
    IllegalTransition,
    ImprovementAction,
    MeetingStatus,
    SituationStatus,
)

pytestmark = pytest.mark.django_db


def add_action(review, meeting, situation, text, **owner):
    owner = owner or {"owner_organization": review["orgs"]["clsc"]}
    return services.add_improvement_action(
        by=review["moderator"],
        meeting=meeting,
        situation=situation,
        description=text,
        due_date=timezone.localtime(meeting.starts_at).date() + timedelta(days=30),
        **owner,
    )


def test_next_meeting_proposes_the_oldest_situations_and_the_moderator_reorders(
    review, make_meeting, submit
):
    meeting = make_meeting()
    first, second, third = (submit(title=t) for t in ("Premier", "Deuxième", "Troisième"))
    proposed = [item.situation for item in build_agenda(meeting).new_situations]
    assert proposed == [first, second]
    assert all(item.proposed for item in build_agenda(meeting).new_situations)
    services.move_situation_in_queue(by=review["moderator"], situation=third, direction="up")
    services.move_situation_in_queue(by=review["moderator"], situation=third, direction="up")
    assert [i.situation for i in build_agenda(meeting).new_situations] == [third, first]
    with pytest.raises(PermissionDenied):
        services.move_situation_in_queue(by=review["nurse"], situation=first, direction="up")


def test_only_the_next_meeting_draws_from_the_queue(review, make_meeting, submit):
    soon, later = make_meeting(days_from_now=7), make_meeting(days_from_now=40)
    submit()
    assert len(build_agenda(soon).new_situations) == 1
    assert build_agenda(later).new_situations == []


def test_situation_and_its_open_actions_are_followed_up_until_closed(
    review, make_meeting, submit, analyse
):
    moderator = review["moderator"]
    first = make_meeting(days_from_now=-110)
    situation = submit()
    analyse(first, situation)
    kept = add_action(review, first, situation, "Rappel à sept jours.")
    closed = add_action(
        review, first, situation, "Fiche « qui fait quoi ».", owner_participant=review["worker"]
    )
    services.close_meeting(by=moderator, meeting=first)

    second = make_meeting(days_from_now=-75)
    agenda = build_agenda(second)
    assert [item.situation for item in agenda.follow_ups] == [situation]
    assert {a.pk for a in agenda.follow_ups[0].actions} == {kept.pk, closed.pk}
    services.update_action_status(
        by=moderator, action=closed, status=ActionStatus.DONE, note="Diffusée.", meeting=second
    )
    services.record_follow_up(
        by=moderator, meeting=second, situation=situation, note="Le suivi conjoint a repris."
    )
    services.close_meeting(by=moderator, meeting=second)

    third = make_meeting(days_from_now=-40)
    agenda = build_agenda(third)
    assert [item.situation for item in agenda.follow_ups] == [situation]
    assert [a.pk for a in agenda.follow_ups[0].actions] == [kept.pk]  # the closed one is gone
    services.update_action_status(
        by=moderator, action=kept, status=ActionStatus.DONE, meeting=third
    )
    services.close_meeting(by=moderator, meeting=third)
    assert build_agenda(make_meeting(days_from_now=-5)).follow_ups == []

    # A held meeting's record does not change afterwards.
    second_again = build_agenda(second)
    assert second_again.follow_ups[0].note == "Le suivi conjoint a repris."
    listed = {a.pk: a for a in second_again.follow_ups[0].actions}
    assert set(listed) == {kept.pk, closed.pk}
    assert [u.to_status for u in listed[closed.pk].updates_here] == [ActionStatus.DONE]


def test_owner_updates_an_action_between_meetings_but_not_a_stranger(
    review, make_meeting, submit, analyse
):
    meeting = make_meeting()
    situation = submit()
    analyse(meeting, situation)
    action = add_action(review, meeting, situation, "Appeler le CRD.")  # owner: the CLSC
    services.update_action_status(by=review["nurse"], action=action, status="in_progress")
    with pytest.raises(PermissionDenied):
        services.update_action_status(by=review["worker"], action=action, status="done")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_illegal_transitions_are_refused_with_a_reason(
    review, make_meeting, submit, analyse, moderator_client
):
    meeting = make_meeting()
    situation = submit()
    analyse(meeting, situation)
    action = add_action(review, meeting, situation, "Une action.")
    services.update_action_status(by=review["moderator"], action=action, status="done")
    with pytest.raises(IllegalTransition):
        services.update_action_status(by=review["moderator"], action=action, status="open")
    with pytest.raises(IllegalTransition):
        services.withdraw_situation(by=review["nurse"], situation=situation)
    with pytest.raises(IllegalTransition):
        services.cancel_meeting(by=review["moderator"], meeting=meeting)
    services.close_meeting(by=review["moderator"], meeting=meeting)
    moderator_client.cookies["maillage_language"] = "en"
    response = moderator_client.post(reverse("reviews:meeting_close", args=[meeting.id]))
    assert response.status_code == 409
    assert "This meeting is held: its record is closed." in response.content.decode()
    with pytest.raises(IllegalTransition):
        analyse(meeting, submit(title="Trop tard"))


def test_a_meeting_takes_no_more_situations_than_its_slots(review, make_meeting, submit, analyse):
    meeting = make_meeting(new_situation_slots=1)
    analyse(meeting, submit(title="Une"))
    late = submit(title="Deux")
    with pytest.raises(IllegalTransition):
        analyse(meeting, late)
    late.refresh_from_db()
    assert late.status == SituationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"patient_harm": "yes", "patient_harm_how": ""}, "patient_harm_how"),
        ({"carer_harm": "yes", "carer_harm_how": ""}, "carer_harm_how"),
        ({"malfunction_types": []}, "malfunction_types"),
        ({"avoidable": "maybe"}, "avoidable"),
        ({"malfunction": "  "}, "malfunction"),
    ],
)
def test_bad_answers_name_the_field_and_write_nothing(
    review, make_meeting, submit, analyse, answers, field
):
    meeting, situation = make_meeting(), submit()
    with pytest.raises(ValidationError) as error:
        analyse(meeting, situation, **answers)
    assert field in error.value.message_dict
    situation.refresh_from_db()
    assert situation.status == SituationStatus.SUBMITTED
    assert not Analysis.objects.exists()


def test_action_needs_exactly_one_owner_and_a_due_date_after_the_meeting(
    review, make_meeting, submit, analyse
):
    meeting, situation = make_meeting(), submit()
    analyse(meeting, situation)
    with pytest.raises(ValidationError) as error:
        add_action(
            review,
            meeting,
            situation,
            "x",
            owner_organization=review["orgs"]["clsc"],
            owner_participant=review["nurse"],
        )
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_improvement_action(
            by=review["moderator"],
            meeting=meeting,
            situation=situation,
            description="x",
            due_date=timezone.localdate() - timedelta(days=30),
            owner_participant=review["nurse"],
        )
    assert "due_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        add_action(review, meeting, situation, "x", owner_participant=review["outsider"])
    assert "owner" in error.value.message_dict
    assert not ImprovementAction.objects.exists()


def test_round_table_ratings_come_from_participants_present(review, make_meeting):
    meeting = make_meeting()
    moderator = review["moderator"]
    services.record_attendance(
        by=moderator, meeting=meeting, present=[review["nurse"], review["doctor"]]
    )
    with pytest.raises(ValidationError):
        services.record_round_table(
            by=moderator, meeting=meeting, notes="", ratings={review["worker"].pk: 4}
        )
    with pytest.raises(ValidationError):
        services.record_round_table(
            by=moderator, meeting=meeting, notes="", ratings={review["nurse"].pk: 6}
        )
    services.record_round_table(
        by=moderator,
        meeting=meeting,
        notes="Bon climat.",
        ratings={review["nurse"].pk: 4, review["doctor"].pk: 5},
    )
    agenda = build_agenda(meeting)
    assert (agenda.rating_average, agenda.rating_count) == (4.5, 2)
    assert {a.user for a in agenda.absent} == {review["worker"], review["moderator"]}


def test_author_changes_a_situation_only_while_it_waits(review, make_meeting, submit, analyse):
    situation = submit()
    services.update_situation(
        by=review["nurse"],
        situation=situation,
        kind="went_well",
        title="Nouveau titre",
        narrative="Le relais a bien fonctionné.",
        sectors=["hospital"],
    )
    with pytest.raises(PermissionDenied):
        services.withdraw_situation(by=review["worker"], situation=situation)
    analyse(make_meeting(), situation, malfunction_types=[])
    with pytest.raises(IllegalTransition):
        services.update_situation(
            by=review["nurse"],
            situation=situation,
            kind="went_well",
            title="Encore",
            narrative="Texte.",
            sectors=["hospital"],
        )


def test_schedule_page_proposes_the_venue_and_the_moderator_keeps_it(review, moderator_client):
    url = reverse("reviews:schedule", args=[review["group"].id])
    page = moderator_client.get(url)
    assert page.context["form"]["host"].initial == review["orgs"]["clsc"].pk
    when = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT14:00")
    response = moderator_client.post(
        url,
        {
            "starts_at": when,
            "duration_minutes": 120,
            "host": review["orgs"]["clsc"].pk,
            "venue_details": "Salle 204",
            "new_situation_slots": 2,
        },
    )
    meeting = review["group"].meetings.get()
    assert response.status_code == 302
    assert meeting.host == review["orgs"]["clsc"] and meeting.status == MeetingStatus.SCHEDULED
    assert timezone.localtime(meeting.starts_at).hour == 14
    bad = moderator_client.post(url, {"starts_at": "", "duration_minutes": 5})
    assert {"starts_at", "duration_minutes", "host"} <= set(bad.context["form"].errors)
    assert review["group"].meetings.count() == 1


def test_pages_run_a_bounded_number_of_queries(
    review, make_meeting, submit, analyse, moderator_client, django_assert_max_num_queries
):
    def grow(start):
        for month in range(3):
            meeting = make_meeting(days_from_now=start + 35 * month)
            situation = submit(title=f"Situation {start}-{month}")
            analyse(meeting, situation)
            for n in range(3):
                add_action(review, meeting, situation, f"Action {n}")
            services.record_attendance(
                by=review["moderator"], meeting=meeting, present=[review["nurse"]]
            )
            services.close_meeting(by=review["moderator"], meeting=meeting)
        return make_meeting(days_from_now=start + 200)

    small = grow(-800)
    submit(title="En attente")
    urls = lambda meeting: [  # noqa: E731
        reverse("reviews:group", args=[review["group"].id]),
        reverse("reviews:meeting", args=[meeting.id]),
        reverse("reviews:minutes", args=[meeting.id]),
        reverse("reviews:statistics", args=[review["group"].id]),
    ]
    for url in urls(small):
        with django_assert_max_num_queries(25):
            assert moderator_client.get(url).status_code == 200
    big = grow(-400)  # twice the history: still the same bound
    for url in urls(big):
        with django_assert_max_num_queries(25):
            assert moderator_client.get(url).status_code == 200
