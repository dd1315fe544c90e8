"""Only a group's participants and its moderator see its content, in pages and API; everyone
else gets the same 404 as for a group that does not exist."""

import uuid

import pytest
from django.urls import reverse

from maillage.core.services import create_api_token
from maillage.reviews import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(review, make_meeting, submit, analyse):
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
    return {"meeting": meeting, "situation": situation, "action": action}


def content_pages(review, content) -> list[str]:
    group, meeting = review["group"], content["meeting"]
    situation, action = content["situation"], content["action"]
    return [
        reverse("reviews:group", args=[group.id]),
        reverse("reviews:statistics", args=[group.id]),
        reverse("reviews:statistics_csv", args=[group.id]),
        reverse("reviews:submit", args=[group.id]),
        reverse("reviews:schedule", args=[group.id]),
        reverse("reviews:meeting", args=[meeting.id]),
        reverse("reviews:minutes", args=[meeting.id]),
        reverse("reviews:minutes_pdf", args=[meeting.id]),
        reverse("reviews:invitation", args=[meeting.id]),
        reverse("reviews:attendance", args=[meeting.id]),
        reverse("reviews:round_table", args=[meeting.id]),
        reverse("reviews:analysis", args=[meeting.id, situation.id]),
        reverse("reviews:situation", args=[situation.id]),
        reverse("reviews:situation_edit", args=[situation.id]),
        reverse("reviews:action", args=[action.id]),
    ]


def api_paths(review, content) -> list[str]:
    group = review["group"]
    return [
        f"/api/v1/reviews/groups/{group.id}",
        f"/api/v1/reviews/groups/{group.id}/meetings",
        f"/api/v1/reviews/groups/{group.id}/situations",
        f"/api/v1/reviews/groups/{group.id}/statistics",
        f"/api/v1/reviews/meetings/{content['meeting'].id}",
        f"/api/v1/reviews/situations/{content['situation'].id}",
    ]


def test_anonymous_visitor_is_sent_to_login(client, review, content):
    for url in content_pages(review, content):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for path in api_paths(review, content):
        assert client.get(path).status_code == 401, path


def test_non_participant_gets_not_found_on_every_page(client, review, content):
    client.force_login(review["outsider"])
    for url in content_pages(review, content):
        assert client.get(url).status_code == 404, url
    # The same answer as for a group that does not exist.
    assert client.get(reverse("reviews:group", args=[uuid.uuid4()])).status_code == 404
    listing = client.get(reverse("reviews:groups")).content.decode()
    assert review["group"].name not in listing


def test_non_participant_gets_not_found_in_the_api(client, review, content):
    _token, secret = create_api_token(user=review["outsider"], name="script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for path in api_paths(review, content):
        assert client.get(path, **auth).status_code == 404, path
    assert client.get("/api/v1/reviews/groups", **auth).json()["count"] == 0
    response = client.post(
        f"/api/v1/reviews/groups/{review['group'].id}/situations",
        {"kind": "malfunction", "title": "t", "narrative": "n", "sectors": ["hospital"]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 404


def test_coordinator_manages_membership_without_seeing_content(
    client, review, content, verified_login
):
    client = verified_login(review["coordinator"])
    for url in content_pages(review, content):
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("reviews:group_manage", args=[review["group"].id]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "moderator@example.org" in body
    assert content["situation"].title not in body


def test_participants_and_moderator_see_the_content(client, review, content):
    for member in ("nurse", "worker", "doctor", "moderator"):
        client.force_login(review[member])
        for url in content_pages(review, content):
            if url.endswith(("/edit/", "/change/")) or "attendance" in url or "round-table" in url:
                continue
            if "/meetings/new/" in url or "/analysis/" in url or "/actions/" in url:
                continue
            assert client.get(url).status_code == 200, (member, url)
        _token, secret = create_api_token(user=review[member], name="script")
        for path in api_paths(review, content):
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert response.status_code == 200, (member, path)


def test_moderator_only_pages_refuse_participants(client, review, content):
    client.force_login(review["nurse"])
    meeting, situation = content["meeting"], content["situation"]
    for url in [
        reverse("reviews:schedule", args=[review["group"].id]),
        reverse("reviews:attendance", args=[meeting.id]),
        reverse("reviews:round_table", args=[meeting.id]),
        reverse("reviews:slot", args=[meeting.id]),
        reverse("reviews:analysis", args=[meeting.id, situation.id]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reviews:meeting_close", args=[meeting.id])).status_code == 403
    client.force_login(review["moderator"])
    assert client.get(reverse("reviews:schedule", args=[review["group"].id])).status_code == 200


def test_situation_page_never_says_who_submitted_it(client, review, content):
    client.force_login(review["worker"])
    body = client.get(reverse("reviews:situation", args=[content["situation"].id])).content
    assert b"nurse" not in body
    _token, secret = create_api_token(user=review["worker"], name="script")
    data = client.get(
        f"/api/v1/reviews/situations/{content['situation'].id}",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    ).json()
    assert "submitted_by" not in data and "nurse" not in str(data)
