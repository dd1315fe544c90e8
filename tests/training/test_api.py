"""The cross-training API: same rules as the pages."""

import pytest

from maillage.training import services

pytestmark = pytest.mark.django_db


def test_programmes_and_sessions_are_listed_with_places_taken(training, session, client):
    services.sign_up(by=training["users"]["worker"], session=session)
    client.force_login(training["users"]["protector"])
    programmes = client.get("/api/v1/training/programmes").json()
    assert programmes["count"] == 1 and programmes["items"][0]["team_count"] == 3
    programme_id = programmes["items"][0]["id"]
    detail = client.get(f"/api/v1/training/programmes/{programme_id}").json()
    assert len(detail["topics"]) == 4 and len(detail["teams"]) == 3
    sessions = client.get(f"/api/v1/training/programmes/{programme_id}/sessions").json()
    assert sessions["items"][0]["places_taken"] == 1
    one = client.get(f"/api/v1/training/sessions/{session.id}").json()
    assert one["host_team"]["name"] == "Périnatalité sociale" and one["places_taken"] == 1


def test_signing_up_through_the_api(training, session, client):
    client.force_login(training["users"]["protector"])
    url = f"/api/v1/training/sessions/{session.id}/sign-ups"
    created = client.post(url, {}, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 409
    client.force_login(training["users"]["lead"])  # the host team's own lead
    assert client.post(url, {}, content_type="application/json").status_code == 403


def test_effects_and_pairings_are_not_for_practitioners(training, client):
    client.force_login(training["users"]["worker"])
    base = f"/api/v1/training/programmes/{training['programme'].id}"
    assert client.get(f"{base}/effects").status_code == 404
    assert client.get(f"{base}/pairings").status_code == 404
    # The lead of a participating team follows the effects (aggregates only).
    client.force_login(training["users"]["lead"])
    effects = client.get(f"{base}/effects").json()
    assert effects["min_respondents"] == 3 and effects["change"][-1]["respondents"] == 0


def test_the_api_needs_credentials(training, session, client):
    assert client.get("/api/v1/training/programmes").status_code == 401
