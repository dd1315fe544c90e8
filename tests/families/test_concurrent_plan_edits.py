"""Two practitioners saving the same plan action at once: one wins, the other gets a
clear conflict, nothing is lost."""

import threading

import pytest
from django.db import connection, connections

from maillage.families import services
from maillage.families.models import PlanAction, PlanChange


def test_a_stale_save_is_refused_and_the_first_change_kept(care):
    action = care["action"]
    services.update_action(
        by=care["users"]["owner"], action=action, expected_version=1, status="in_progress"
    )
    with pytest.raises(services.Conflict):
        services.update_action(
            by=care["users"]["partner"], action=action, expected_version=1, status="cancelled"
        )
    action.refresh_from_db()
    assert (action.status, action.version) == ("in_progress", 2)


def test_api_answers_409_to_a_stale_version(care, client):
    client.force_login(care["users"]["partner"])
    url = f"/api/v1/families/{care['family'].id}/plan/actions/{care['action'].id}"
    first = client.patch(url, {"version": 1, "status": "done"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(
        url, {"version": 1, "status": "cancelled"}, content_type="application/json"
    )
    assert second.status_code == 409
    assert "Someone else" in second.json()["detail"] or "Quelqu" in second.json()["detail"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_connections_saving_at_once_one_wins_one_is_told(care):
    action = care["action"]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(who: str, status: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.update_action(
                by=care["users"][who], action=action, expected_version=1, status=status
            )
            outcomes[who] = "saved"
        except services.Conflict:
            outcomes[who] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("owner", "done")),
        threading.Thread(target=save, args=("partner", "cancelled")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
    action = PlanAction.objects.get(pk=action.pk)
    assert action.version == 2
    assert action.status == {"owner": "done", "partner": "cancelled"}[winner]
    # The winner's change is in the history, exactly once.
    assert PlanChange.objects.filter(object_id=action.pk, before__isnull=False).count() == 1
