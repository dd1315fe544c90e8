"""Finding 9a: the break-glass reason is free text that may name people. The family's lead
worker reads it (by e-mail), the administrator reviews it in the audit log; the
coordinator's audit log says only that a reason was recorded."""

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.audit.models import Action, AuditEvent
from maillage.families import services
from tests.families.conftest import care, practitioner  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db

REASON = "Nourrisson seul à domicile, Mélanie Côté ne répond plus depuis hier soir."


@pytest.fixture
def broken_glass(care):  # noqa: F811 - the imported fixture, requested by name
    services.open_emergency_access(
        by=care["users"]["outsider"], family=care["family"], reason=REASON
    )
    return care


def log_page(client, verified_login, user, language="en"):
    verified_login(user)
    return client.get(
        reverse("audit:log"), {"action": Action.EMERGENCY_ACCESS}, HTTP_ACCEPT_LANGUAGE=language
    )


def test_coordinator_sees_that_a_reason_was_recorded_but_not_the_reason(
    broken_glass, client, verified_login
):
    response = log_page(client, verified_login, broken_glass["users"]["coordinator"])
    page = response.content.decode()
    assert response.status_code == 200
    assert "Emergency access" in page
    assert "Mélanie" not in page
    assert "répond plus" not in page
    assert "Reason recorded" in page


def test_the_neutral_phrase_is_translated(broken_glass, client, verified_login):
    response = log_page(client, verified_login, broken_glass["users"]["coordinator"], "fr")
    page = response.content.decode()
    assert "répond plus" not in page
    with translation.override("fr"):
        assert translation.gettext("Reason recorded") != "Reason recorded"
        assert translation.gettext("Reason recorded") in page


def test_administrator_reviews_the_reason_in_full(broken_glass, client, verified_login):
    response = log_page(client, verified_login, broken_glass["users"]["admin"])
    assert REASON in response.content.decode()


def test_the_reason_is_still_kept_whole_in_the_log(broken_glass):
    event = AuditEvent.objects.get(action=Action.EMERGENCY_ACCESS)
    assert event.purpose == REASON


def test_the_lead_worker_still_reads_the_reason_in_the_access_report(
    broken_glass, client, verified_login
):
    verified_login(broken_glass["users"]["owner"])
    url = reverse("families:access_report", args=[broken_glass["family"].id])
    assert REASON in client.get(url).content.decode()
