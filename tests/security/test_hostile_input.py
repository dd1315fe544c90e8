"""Hostile input never breaks the product: each server error the API fuzzer and hand-made
bad input found, and a sweep of every page and every paginated API list with the same
kinds of values, so that a new page or list is covered the day it appears.

What is asserted is the answer a client can act on: 422 with the field named for bad input,
404 for what is missing or hidden, 403 for a forbidden action on what one sees, 409 for a
step the state forbids; always the same error body; never a 500.
"""

import json
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pydantic import BaseModel

from maillage.api import api
from maillage.core.models import User
from maillage.core.services import create_api_token
from maillage.directory.models import Organization, Practitioner, Team
from maillage.families.models import Consent, Family, PlanAction, TimelineEntry
from maillage.referrals.models import Consultation, Referral
from maillage.reviews.models import Meeting, ReviewGroup, Situation
from maillage.seeding.generator import SCALES, NetworkGenerator
from maillage.training.models import ImmersionSession, Programme, SignUp

pytestmark = pytest.mark.django_db

HUGE_PAGE = "10000000000000000000000"
HOSTILE_QUERY = {
    "page": HUGE_PAGE,
    "start": "0001-01-01",
    "end": "9999-12-31",
    "since": "0001-01-01",
    "until": "9999-12-31",
    "team": "not-a-uuid",
    "family": "not-a-uuid",
    "service": "not-a-uuid",
    "phase": "not-a-uuid",
    "when": "zzz",
    "sector": "zzz",
    "kinds": "zzz",
    "by": "zzz",
    "q": "x" * 500,
    "attention": "zzz",
    "action": "zzz",
    "actor": "zzz",
    "object_type": "zzz",
}
DEMO_PASSWORD_USERS = {
    "practitioner": "practitioner@demo.maillage.test",
    "lead": "lead@demo.maillage.test",
    "coordinator": "coordinator@demo.maillage.test",
    "admin": "admin@demo.maillage.test",
    "moderator": "moderator@demo.maillage.test",
}


@pytest.fixture
def demo(db):
    NetworkGenerator(SCALES["demo"], seed=5).run()
    return {key: User.objects.get(email=email) for key, email in DEMO_PASSWORD_USERS.items()}


def token_client(client, user):
    _token, secret = create_api_token(user=user, name="hostile input")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) >= {"field", "loc", "message"}
    return body


# --- referral steps ------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["zzz", ""])
def test_an_unknown_referral_step_is_bad_input_not_a_server_error(referral, care, client, step):
    # Given the referrer's token and their referral
    api_client = token_client(client, care["users"]["owner"])
    # When they ask for a step that does not exist
    response = api_client.post(
        f"/api/v1/referrals/{referral.id}/steps",
        data=json.dumps({"step": step}),
        content_type="application/json",
    )
    # Then it is refused as bad input, naming the field
    body = assert_error_body(response, 422)
    assert [e["field"] for e in body["errors"]] == ["step"]


def test_a_step_the_state_forbids_is_a_conflict_and_a_step_not_mine_is_forbidden(
    referral, care, client
):
    referrer = token_client(client, care["users"]["owner"])
    url = f"/api/v1/referrals/{referral.id}/steps"
    # The referrer cannot accept their own referral: they see it, the step is not theirs
    forbidden = referrer.post(
        url,
        data=json.dumps({"step": "accept", "follow_up": "joint"}),
        content_type="application/json",
    )
    assert_error_body(forbidden, 403)
    # Sending a referral twice: the state forbids it
    first = referrer.post(url, data=json.dumps({"step": "send"}), content_type="application/json")
    if first.status_code == 200:
        again = referrer.post(
            url, data=json.dumps({"step": "send"}), content_type="application/json"
        )
        assert_error_body(again, 409)


# --- pagination ---------------------------------------------------------------------------


def paginated_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if "page" in names:
                found.append((method.upper(), path))
    return found


def test_the_api_has_paginated_lists_to_sweep():
    assert len(paginated_operations()) >= 9


def path_ids(demo) -> dict[str, str]:
    practitioner = demo["practitioner"]
    family = Family.objects.filter(
        circle__practitioner__user=practitioner, circle__left_at__isnull=True
    ).first()
    return {
        "family_id": str(family.id),
        "group_id": str(ReviewGroup.objects.first().id),
        "programme_id": str(Programme.objects.first().id),
    }


def test_a_huge_page_number_on_every_paginated_api_list_answers_an_empty_page(demo, client):
    # Given a token for each kind of user of the demo network
    secrets = {key: create_api_token(user=user, name="pages")[1] for key, user in demo.items()}
    ids = path_ids(demo)
    for method, path in paginated_operations():
        url = path.format(**ids)
        answers = []
        for secret in secrets.values():
            # When any of them asks for page 10^22 of a list
            response = client.generic(
                method, f"{url}?page={HUGE_PAGE}", HTTP_AUTHORIZATION=f"Bearer {secret}"
            )
            # Then it is never a server error...
            assert response.status_code < 500, (url, response.status_code)
            answers.append(response)
        # ...and whoever may read the list gets an empty page past the end, with the count
        read = [r for r in answers if r.status_code == 200]
        assert read, f"nobody could read {url}"
        for response in read:
            assert response.json()["items"] == []
            assert response.json()["count"] >= 0


def test_a_malformed_or_negative_page_number_is_bad_input(demo, client):
    api_client = token_client(client, demo["practitioner"])
    for page in ["abc", "0", "-1", "1e5"]:
        response = api_client.get(f"/api/v1/directory/teams?page={page}")
        body = assert_error_body(response, 422)
        assert body["errors"][0]["field"] == "page"


# --- dates in query strings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01&end=2026-01-01",
        "start=2025-01-01&end=9999-12-31",
        "start=1899-12-31&end=2026-01-01",
    ],
)
def test_far_dates_on_indicator_and_statistics_endpoints_are_bad_input(demo, client, query):
    api_client = token_client(client, demo["moderator"])
    group = ReviewGroup.objects.first()
    for url in [
        f"/api/v1/referrals/indicators?{query}",
        f"/api/v1/reviews/groups/{group.id}/statistics?{query}",
    ]:
        body = assert_error_body(api_client.get(url), 422)
        assert {e["field"] for e in body["errors"]} <= {"start", "end"}
        assert "1900-01-01" in body["errors"][0]["message"]


def test_far_dates_on_indicator_statistics_and_audit_pages_fall_back_to_the_default_period(
    demo, client, verified_login
):
    group = ReviewGroup.objects.first()
    far = {"start": "0001-01-01", "end": "9999-12-31"}
    c = verified_login(demo["moderator"])
    for url in [
        reverse("reviews:statistics", args=[group.id]),
        reverse("reviews:statistics_csv", args=[group.id]),
    ]:
        assert c.get(url, far).status_code == 200, url
    c = verified_login(demo["coordinator"])
    indicators = reverse("referrals:indicators")
    page = c.get(indicators, {**far, "by": "team"})
    assert page.status_code == 200
    assert "1900-01-01" in str(page.context["form"].errors)
    assert c.get(indicators, {**far, "by": "team", "format": "csv"}).status_code == 200
    c = verified_login(demo["admin"])
    audit = c.get(reverse("audit:log"), {"since": "0001-01-01", "until": "9999-12-31"})
    assert audit.status_code == 200
    assert "since" in audit.context["form"].errors


def test_new_referral_page_with_a_malformed_team_shows_the_form(demo, verified_login):
    c = verified_login(demo["practitioner"])
    response = c.get(reverse("referrals:new"), {"team": "not-a-uuid", "service": "x"})
    assert response.status_code == 200


# --- a sweep of every page with hostile query strings ----------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}".strip(":"), p


def page_ids(demo) -> dict[str, object]:
    """An object of each kind that the demo's users see, by the URL's argument name."""
    practitioner = demo["practitioner"]
    family = Family.objects.filter(circle__practitioner__user=practitioner).first()
    first = {
        "family_id": family,
        "consent_id": Consent.objects.filter(family=family).first(),
        "action_id": PlanAction.objects.filter(family=family).first(),
        "entry_id": TimelineEntry.objects.filter(family=family).first(),
        "referral_id": Referral.objects.first(),
        "consultation_id": Consultation.objects.first(),
        "group_id": ReviewGroup.objects.first(),
        "meeting_id": Meeting.objects.first(),
        "situation_id": Situation.objects.first(),
        "programme_id": Programme.objects.first(),
        "session_id": ImmersionSession.objects.first(),
        "sign_up_id": SignUp.objects.first(),
        "organization_id": Organization.objects.first(),
        "team_id": Team.objects.first(),
        "practitioner_id": Practitioner.objects.first(),
    }
    return {name: obj.pk for name, obj in first.items() if obj is not None}


SKIPPED = {"logout", "set_language", "api_token_revoke"}


def page_urls(demo) -> list[str]:
    ids = page_ids(demo)
    urls = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("api-") or name.split(":")[-1] in SKIPPED:
            continue
        converters = pattern.pattern.converters
        kwargs = {arg: ids.get(arg, uuid.uuid4()) for arg in converters}
        extra = getattr(pattern, "default_args", {}) or {}
        if any(arg not in ids and arg.endswith("_id") is False for arg in converters):
            continue  # a pattern with other arguments (the tokens of a password reset)
        urls.append(reverse(name, kwargs={k: v for k, v in kwargs.items() if k not in extra}))
    return urls


def test_no_page_answers_500_to_hostile_query_strings(demo, client, verified_login):
    urls = page_urls(demo)
    assert len(urls) > 40
    for who in ["practitioner", "coordinator", "moderator"]:
        c = verified_login(demo[who])
        for url in urls:
            response = c.get(url, HOSTILE_QUERY)
            assert response.status_code < 500, (who, url, response.status_code)
        c.logout()


# --- the OpenAPI document tells the truth ----------------------------------------------------


def _models_in(annotation, seen: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        _models_in(arg, seen)


def test_no_two_api_schemas_share_a_name():
    # Two schemas named alike overwrite each other in the OpenAPI document: the reviews'
    # answers were checked against the families' ActionOut.
    api.get_openapi_schema()
    seen: set = set()
    for router in api._routers:
        for path_view in router[1].path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    if model is not None and hasattr(model, "model_fields"):
                        _models_in(model.model_fields["response"].annotation, seen)
                for model in operation.models:
                    _models_in(model, seen)
    names: dict[str, type] = {}
    for model in seen:
        name = model.__name__
        if name in ("NinjaResponseSchema", "Input") or name.endswith("Params"):
            continue
        other = names.setdefault(name, model)
        # The same schema generated twice (the pages of two lists of referrals) is harmless.
        same = other is model or other.model_json_schema() == model.model_json_schema()
        assert same, f"two different schemas named {name}: {other} and {model}"


def test_every_operation_documents_every_error_answer_in_one_shape():
    schema = api.get_openapi_schema()
    assert "ErrorOut" in schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            statuses = {str(status) for status in operation["responses"]}
            expected = {"401", "403", "404", "422"} | ({"409"} if method != "get" else set())
            assert statuses >= expected, (method, path, statuses)
            for status in expected:
                content = operation["responses"][int(status)]["content"]["application/json"]
                ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
                assert ref in ("ErrorOut", "SituationErrorOut"), (method, path, status, ref)


def test_the_documented_422_body_is_what_bad_input_returns(demo, client):
    api_client = token_client(client, demo["practitioner"])
    response = api_client.get("/api/v1/referrals/indicators?start=nope&end=2026-01-01")
    body = assert_error_body(response, 422)
    assert body["errors"][0]["field"] == "start"
    assert body["errors"][0]["loc"] == ["query", "start"]


def test_unauthenticated_answers_the_same_shape(client):
    assert_error_body(client.get("/api/v1/directory/teams"), 401)


def test_a_date_in_range_is_accepted(demo, client):
    api_client = token_client(client, demo["coordinator"])
    today = timezone.localdate().isoformat()
    response = api_client.get(f"/api/v1/referrals/indicators?start=1900-01-01&end={today}")
    assert response.status_code == 200


def test_a_nul_character_is_bad_input_not_a_server_error(care, client):
    # PostgreSQL cannot store NUL: found by the fuzzer in a situation's title, a search, a
    # correction's reason.
    api_client = token_client(client, care["users"]["owner"])
    response = api_client.post(
        f"/api/v1/families/{care['family'].id}/timeline",
        data=json.dumps({"kind": "contact_note", "category": "plan", "text": "a\x00b"}),
        content_type="application/json",
    )
    body = assert_error_body(response, 422)
    assert body["errors"][0]["field"] == "text"
    search = api_client.get("/api/v1/directory/teams?q=a%00b")
    assert assert_error_body(search, 422)["errors"][0]["loc"] == ["query", "q"]
