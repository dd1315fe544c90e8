"""The review endpoints of the JSON API: the agenda, situations without their author, a
submission blocked by the de-identification guard until fixed or confirmed, statistics."""

import pytest

from maillage.core.services import create_api_token
from maillage.reviews.models import Situation

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, review):
    def as_user(user):
        _token, secret = create_api_token(user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return as_user


def test_openapi_lists_the_review_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/reviews/meetings/{meeting_id}" in paths
    assert "/api/v1/reviews/groups/{group_id}/situations" in paths


def test_meeting_agenda_in_the_api(client, review, api, make_meeting, submit):
    meeting = make_meeting()
    situation = submit()
    data = client.get(f"/api/v1/reviews/meetings/{meeting.id}", **api(review["doctor"])).json()
    assert data["meeting"]["host"]["name"] == "CLSC du Nord"
    assert data["new_situations"][0]["situation"]["id"] == str(situation.id)
    assert data["new_situations"][0]["proposed"] is True
    assert data["follow_ups"] == []


def test_submission_is_refused_with_the_findings_then_accepted_when_fixed_or_confirmed(
    client, review, api, family_member
):
    family_member("Mélanie", "Côté")
    url = f"/api/v1/reviews/groups/{review['group'].id}/situations"
    headers = api(review["nurse"])
    payload = {
        "kind": "malfunction",
        "title": "Orientation sans suivi",
        "narrative": "melanie cote a été orientée; rappeler au 514-555-0123.",
        "sectors": ["primary_care", "substance_use"],
    }
    refused = client.post(url, payload, content_type="application/json", **headers)
    assert refused.status_code == 422
    findings = refused.json()["findings"]
    assert [(f["kind"], f["text"]) for f in findings] == [
        ("name", "melanie cote"),
        ("phone", "514-555-0123"),
    ]
    assert not Situation.objects.exists()

    payload["narrative"] = "La mère a été orientée; rappeler au 514-555-0123."
    payload["confirmations"] = [{"key": findings[1]["key"], "reason": "Le numéro général du CLSC."}]
    accepted = client.post(url, payload, content_type="application/json", **headers)
    assert accepted.status_code == 201
    assert accepted.json()["sectors"] == ["primary_care", "substance_use"]
    assert Situation.objects.get().narrative == payload["narrative"]


def test_bad_input_names_the_field(client, review, api):
    url = f"/api/v1/reviews/groups/{review['group'].id}/situations"
    payload = {"kind": "malfunction", "title": "t", "narrative": "n", "sectors": ["nowhere"]}
    response = client.post(url, payload, content_type="application/json", **api(review["nurse"]))
    assert response.status_code == 422
    assert "sectors" in [error["field"] for error in response.json()["errors"]]


def test_statistics_in_the_api(client, review, api, make_meeting, submit, analyse):
    from maillage.reviews import services

    meeting = make_meeting(days_from_now=-10)
    analyse(meeting, submit())
    services.close_meeting(by=review["moderator"], meeting=meeting)
    data = client.get(
        f"/api/v1/reviews/groups/{review['group'].id}/statistics", **api(review["worker"])
    ).json()
    assert (data["meetings_held"], data["situations_presented"], data["harmed_patient"]) == (
        1,
        1,
        1,
    )
    assert [(t["key"], t["count"]) for t in data["by_type"]] == [("referral_only", 1)]
