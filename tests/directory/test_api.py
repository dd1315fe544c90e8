"""The JSON API: OpenAPI document, personal tokens, directory endpoints."""

import pytest
from django.urls import reverse

from maillage.audit.models import Action, AuditEvent
from maillage.core.models import ApiToken
from maillage.core.services import create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_openapi_document_and_docs_page_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/directory/teams" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_api_refuses_requests_without_credentials(client, network):
    assert client.get("/api/v1/directory/teams").status_code == 401
    assert client.get("/api/v1/directory/teams", **bearer("mlg_not-a-token")).status_code == 401


def test_token_is_shown_once_stored_hashed_and_works(client, network):
    user = network["users"]["nurse"]
    client.force_login(user)
    page = client.post(reverse("api_tokens"), {"name": "FHIR bridge"}).content.decode()
    token = ApiToken.objects.get(user=user)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("mlg_")
    assert secret not in token.secret_hash and len(token.secret_hash) == 64
    assert secret not in client.get(reverse("api_tokens")).content.decode()
    client.logout()
    response = client.get("/api/v1/directory/teams", {"q": "perinatalite"}, **bearer(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "Périnatalité sociale"
    assert body["items"][0]["service_offers"][0]["populations"] == ["pregnant"]
    assert AuditEvent.objects.filter(action=Action.TOKEN_CREATED, actor=user).exists()


def test_revoked_token_stops_working_and_only_its_owner_can_revoke(client, network):
    owner, other = network["users"]["nurse"], network["users"]["worker"]
    token, secret = create_api_token(user=owner, name="script")
    with pytest.raises(ApiToken.DoesNotExist):
        revoke_api_token(user=other, token_id=token.id)
    assert client.get("/api/v1/directory/teams", **bearer(secret)).status_code == 200
    client.force_login(other)
    client.post(reverse("revoke_api_token", args=[token.id]))
    token.refresh_from_db()
    assert token.is_active  # another user's attempt changed nothing
    revoke_api_token(user=owner, token_id=token.id)
    client.logout()
    assert client.get("/api/v1/directory/teams", **bearer(secret)).status_code == 401


def test_deactivated_users_token_stops_working(client, network):
    user = network["users"]["nurse"]
    _token, secret = create_api_token(user=user, name="script")
    user.is_active = False
    user.save()
    assert client.get("/api/v1/directory/teams", **bearer(secret)).status_code == 401


def test_coordinator_session_without_second_factor_cannot_use_the_api(client, network):
    client.force_login(network["users"]["coordinator"])
    assert client.get("/api/v1/directory/teams").status_code == 401


def test_directory_endpoints_filter_and_paginate(client, network):
    _token, secret = create_api_token(user=network["users"]["nurse"], name="script")
    teams = client.get("/api/v1/directory/teams", {"sector": "substance_use"}, **bearer(secret))
    assert [t["name"] for t in teams.json()["items"]] == ["Équipe mère-enfant"]
    page = client.get(
        "/api/v1/directory/organizations", {"page_size": 1, "page": 2}, **bearer(secret)
    ).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    team_id = network["teams"]["perinatal"].id
    detail = client.get(f"/api/v1/directory/teams/{team_id}", **bearer(secret)).json()
    assert {m["name"] for m in detail["members"]} == {"Lead Test", "Nurse Test"}
    people = client.get("/api/v1/directory/practitioners", {"q": "nurse"}, **bearer(secret))
    assert len(people.json()["items"][0]["teams"]) == 2
    missing = client.get(
        "/api/v1/directory/teams/00000000-0000-0000-0000-000000000000", **bearer(secret)
    )
    assert missing.status_code == 404


def test_api_list_runs_a_bounded_number_of_queries(client, network, django_assert_max_num_queries):
    _token, secret = create_api_token(user=network["users"]["nurse"], name="script")
    for path in [
        "/api/v1/directory/teams",
        "/api/v1/directory/organizations",
        "/api/v1/directory/practitioners",
    ]:
        with django_assert_max_num_queries(6):
            assert client.get(path, **bearer(secret)).status_code == 200
