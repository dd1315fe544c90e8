"""Two people acting on the same row at once: the rows are locked, the second one sees the
first one's change, and nothing is lost or counted twice (PostgreSQL, two connections)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from maillage.reviews import services
from maillage.reviews.models import ActionUpdate, IllegalTransition, Meeting, Situation
from tests.reviews.conftest import at

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run_together(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("done")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_closings_of_one_action_one_wins_the_other_is_refused(
    review, make_meeting, submit, analyse
):
    meeting, situation = make_meeting(), submit()
    analyse(meeting, situation)
    action = services.add_improvement_action(
        by=review["moderator"],
        meeting=meeting,
        situation=situation,
        description="Une action.",
        due_date=timezone.localdate() + timedelta(days=30),
        owner_organization=review["orgs"]["clsc"],
    )
    outcomes = run_together(
        lambda: services.update_action_status(by=review["moderator"], action=action, status="done"),
        lambda: services.update_action_status(by=review["nurse"], action=action, status="dropped"),
    )
    assert outcomes == ["done", "refused"]
    assert ActionUpdate.objects.filter(action=action).count() == 1


def test_situations_submitted_at_once_get_distinct_places_in_the_queue(review, submit):
    outcomes = run_together(
        *(lambda n=n: submit(title=f"Situation {n}", by=review["worker"]) for n in range(4))
    )
    assert outcomes == ["done"] * 4
    positions = list(Situation.objects.values_list("queue_position", flat=True))
    assert sorted(positions) == [1, 2, 3, 4]


def test_meetings_scheduled_at_once_still_rotate_the_venue(review):
    day = timezone.localdate() + timedelta(days=7)
    outcomes = run_together(
        *(
            lambda n=n: services.schedule_meeting(
                by=review["moderator"],
                group=review["group"],
                starts_at=at(day + timedelta(days=35 * n)),
            )
            for n in range(3)
        )
    )
    assert outcomes == ["done"] * 3
    assert len(set(Meeting.objects.values_list("host", flat=True))) == 3
