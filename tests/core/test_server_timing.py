"""The Server-Timing header says where a request's time went, only when SERVER_TIMING is on
(core/server_timing.py; docs/configuration.md says why it is off by default)."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

FIRST = "maillage.core.server_timing.ServerTimingMiddleware"
LAST = "maillage.core.server_timing.ViewTimingMiddleware"


def metrics(header: str) -> dict[str, dict[str, str]]:
    out = {}
    for metric in header.split(","):
        name, *params = metric.strip().split(";")
        out[name] = dict(p.split("=", 1) for p in params)
    return out


def test_no_header_by_default(client):
    assert "Server-Timing" not in client.get(reverse("login"))


def test_the_header_splits_a_pages_time_when_asked(settings):
    settings.SERVER_TIMING = True
    settings.MIDDLEWARE = [FIRST, *settings.MIDDLEWARE, LAST]
    client = Client()  # its handler reads the middleware list now
    make_user("nurse@example.org")
    client.post(reverse("login"), {"username": "nurse@example.org", "password": PASSWORD})
    stamped = f"t={time.time() - 0.25:.6f}"  # a proxy received it a quarter second ago

    response = client.get(reverse("home"), HTTP_X_REQUEST_START=stamped)

    timing = metrics(response["Server-Timing"])
    app, view, mw = (float(timing[k]["dur"]) for k in ("app", "view", "mw"))
    assert app > 0
    assert view + mw == pytest.approx(app, abs=0.02)
    assert int(timing["db"]["desc"].strip('"')) >= 1  # the session, the user...
    assert float(timing["db"]["dur"]) <= app
    assert 250 <= float(timing["queue"]["dur"]) < 250 + 60_000
    assert {"gc", "dbmax"} <= timing.keys()


def test_a_forged_or_absurd_stamp_gives_no_queue_figure(settings):
    settings.MIDDLEWARE = [FIRST, *settings.MIDDLEWARE, LAST]
    client = Client()
    for stamp in ("t=tomorrow", f"t={time.time() + 3600:.3f}", "t=12"):
        timing = metrics(client.get(reverse("login"), HTTP_X_REQUEST_START=stamp)["Server-Timing"])
        assert "queue" not in timing
        assert "app" in timing
