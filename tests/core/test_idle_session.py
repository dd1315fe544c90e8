"""Sessions end after 30 minutes without a request; a request renews the session, but
writes it at most once a minute (core/idle_session.py)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.core.idle_session import RENEWED_AT
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    make_user("nurse@example.org")
    client.post(reverse("login"), {"username": "nurse@example.org", "password": PASSWORD})
    client.get(reverse("home"))  # the first request after the login renews the session
    return client


def stored(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def session_writes(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    )


def age_session(client, *, seconds: int) -> None:
    """As if the last renewal happened `seconds` ago: both the stored expiry and the
    renewal time move back."""
    session = client.session
    session[RENEWED_AT] -= seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=stored(client).expire_date - timedelta(seconds=seconds)
    )


def test_settings_idle_timeout_is_thirty_minutes_renewed_each_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_RENEW_SECONDS == 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_requests_within_a_minute_do_not_write_the_session(logged_in):
    expiry = stored(logged_in).expire_date
    assert session_writes(logged_in, reverse("home")) == 0
    assert session_writes(logged_in, reverse("directory:search")) == 0
    assert stored(logged_in).expire_date == expiry


def test_a_request_a_minute_later_pushes_the_expiry_forward(logged_in):
    age_session(logged_in, seconds=61)
    before = stored(logged_in).expire_date
    assert session_writes(logged_in, reverse("home")) == 1
    after = stored(logged_in).expire_date
    assert after - before >= timedelta(seconds=60)
    assert after - timezone.now() > timedelta(minutes=29, seconds=50)


def test_active_session_survives_past_thirty_minutes_from_login(logged_in):
    # Twenty-nine minutes idle, then a request: renewed for thirty more minutes.
    age_session(logged_in, seconds=29 * 60)
    assert logged_in.get(reverse("home")).status_code == 200
    age_session(logged_in, seconds=29 * 60)
    assert logged_in.get(reverse("home")).status_code == 200


def test_idle_session_ends_after_thirty_minutes(logged_in):
    age_session(logged_in, seconds=30 * 60 + 1)
    response = logged_in.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_anonymous_visitors_get_no_session_row(client):
    client.get(reverse("login"))
    assert Session.objects.count() == 0


def test_a_fhir_request_neither_reads_nor_renews_the_session(logged_in):
    # The FHIR endpoint authenticates with a token only: a cookie sent along is not read.
    from maillage.core.models import User
    from maillage.core.services import create_api_token

    _token, secret = create_api_token(
        user=User.objects.get(email="nurse@example.org"), name="partner system"
    )
    age_session(logged_in, seconds=61)
    before = stored(logged_in).expire_date
    with CaptureQueriesContext(connection) as queries:
        response = logged_in.get("/fhir/R4/Task", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert stored(logged_in).expire_date == before
    # While the person's own next page renews it as before.
    assert session_writes(logged_in, reverse("home")) == 1
