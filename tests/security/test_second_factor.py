"""Finding 1: the second factor could be skipped by enrolling a new device while
half-logged-in (password accepted, code not yet entered). Only a fully verified session
may add or replace a device; an administrator resets someone's device, in the log."""

import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.api import api
from maillage.audit.models import Action, AuditEvent
from maillage.core.models import Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

# What a half-logged-in person with an enrolled device may reach, and nothing else.
OPEN_TO_HALF_LOGGED_IN = {"otp_verify", "logout", "set_language", "javascript-catalog"}


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def half_logged_in(client, role=Role.COORDINATOR):
    """A coordinator with an enrolled phone whose password (only) was typed."""
    user = make_user("coordinator@example.org", role)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    return user, device


def fully_verified(client, user, device):
    client.post(reverse("otp_verify"), {"token": code_for(device)})
    assert client.get(reverse("api_tokens")).status_code == 200


def test_half_logged_in_user_cannot_enrol_a_device_of_their_own_choosing(client):
    user, device = half_logged_in(client)

    response = client.get(reverse("otp_setup"))

    # Sent to the code page; no secret is handed out.
    assert response.status_code == 302
    assert response["Location"] == reverse("otp_verify")
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    # Even a device slipped in by other means cannot be confirmed from this session.
    attacker = TOTPDevice.objects.create(user=user, name="attacker", confirmed=False)
    response = client.post(reverse("otp_setup"), {"token": code_for(attacker)})
    assert response.status_code == 302
    assert response["Location"] == reverse("otp_verify")
    attacker.refresh_from_db()
    assert attacker.confirmed is False
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [device]
    assert client.get(reverse("audit:log"))["Location"] == reverse("otp_verify")
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED).exists()


def test_administrator_cannot_bypass_their_code_through_enrolment_either(client):
    _user, _device = half_logged_in(client, Role.ADMINISTRATOR)
    response = client.get(reverse("otp_setup"))
    assert response["Location"] == reverse("otp_verify")
    assert client.get(reverse("otp_reset"))["Location"] == reverse("otp_verify")


def _path_for(route: str) -> str:
    values = {"uuid": str(uuid.uuid4()), "int": "1", "slug": "x", "str": "x", "path": "x"}

    def fill(match):
        converter = match.group(1) or "str"
        return values.get(converter, "x")

    return re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def _page_routes(resolver=None, prefix=""):
    """Every page of the URL map (the JSON API is checked operation by operation, the FHIR
    endpoint, which reads no session, below)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("api/", "fhir/")):
                continue
            yield from _page_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield entry.name, "/" + _path_for(route.lstrip("^").rstrip("$"))


def test_every_page_but_the_code_page_is_closed_while_half_logged_in(client):
    half_logged_in(client)
    checked = 0
    for name, path in _page_routes():
        if name in OPEN_TO_HALF_LOGGED_IN:
            continue
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (name, path, response.status_code)
            assert response["Location"] == reverse("otp_verify"), (name, path)
        checked += 1
    assert checked > 40  # the walk really went through the URL map


def test_a_half_logged_in_session_alone_reads_nothing_over_fhir(client):
    # The FHIR endpoint takes a personal token only: the session, verified or not, opens
    # nothing there (only the public CapabilityStatement answers without a token).
    half_logged_in(client)
    for path in ("Task", "Patient", f"Patient/{uuid.uuid4()}", "AuditEvent", ""):
        for method in (client.get, client.post):
            response = method(f"/fhir/R4/{path}")
            assert response.status_code == 401, (path, response.status_code)
    assert client.get("/fhir/R4/metadata").status_code == 200


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_api_operation_refuses_a_half_logged_in_session(client):
    half_logged_in(client)
    checked = 0
    for path, method, operation in _operations():
        assert operation.get("security"), f"{method} {path} is open to anyone"
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = client.generic(method.upper(), url, "{}", content_type="application/json")
        assert response.status_code == 401, (method, path, response.status_code)
        checked += 1
    assert checked > 10


def test_the_same_session_reaches_the_api_once_the_code_is_entered(client):
    user, device = half_logged_in(client)
    fully_verified(client, user, device)
    assert client.get("/api/v1/directory/organizations").status_code == 200


def test_verified_user_replaces_their_device_and_the_old_one_stops_working(client):
    user, old = half_logged_in(client)
    fully_verified(client, user, old)

    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("otp_setup"), {"token": code_for(new)})

    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    event = AuditEvent.objects.get(action=Action.SECOND_FACTOR_ENROLLED, actor=user)
    assert event.details["replaced"] == 1


def test_administrator_resets_someones_second_factor_and_it_is_logged(client, verified_login):
    coordinator = make_user("coordinator@example.org", Role.COORDINATOR)
    TOTPDevice.objects.create(user=coordinator, name="lost phone", confirmed=True)
    admin = make_user("admin@example.org", Role.ADMINISTRATOR)
    verified_login(admin)

    assert client.get(reverse("otp_reset")).status_code == 200
    response = client.post(reverse("otp_reset"), {"email": "Coordinator@example.org"})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    event = AuditEvent.objects.get(action=Action.SECOND_FACTOR_RESET)
    assert event.actor == admin
    assert event.object_id == str(coordinator.pk)
    # At the next login the coordinator enrols a new device (first enrolment).
    client.logout()
    client.post(reverse("login"), {"username": coordinator.email, "password": PASSWORD})
    assert client.get(reverse("home"))["Location"] == reverse("otp_setup")


def test_reset_of_an_unknown_address_says_so_and_writes_nothing(client, verified_login):
    verified_login(make_user("admin@example.org", Role.ADMINISTRATOR))
    response = client.post(reverse("otp_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_RESET).exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PRACTITIONER])
def test_only_an_administrator_may_reset_a_second_factor(client, verified_login, role):
    victim = make_user("victim@example.org", Role.ADMINISTRATOR)
    TOTPDevice.objects.create(user=victim, name="phone", confirmed=True)
    verified_login(make_user("someone@example.org", role))
    assert client.get(reverse("otp_reset")).status_code == 404
    assert client.post(reverse("otp_reset"), {"email": victim.email}).status_code == 404
    assert TOTPDevice.objects.filter(user=victim).exists()


def test_reset_from_the_command_line_when_no_administrator_can_log_in():
    admin = make_user("admin@example.org", Role.ADMINISTRATOR)
    TOTPDevice.objects.create(user=admin, name="lost phone", confirmed=True)
    call_command("reset_second_factor", "admin@example.org")
    assert not TOTPDevice.objects.filter(user=admin).exists()
    event = AuditEvent.objects.get(action=Action.SECOND_FACTOR_RESET)
    assert event.object_id == str(admin.pk)
    assert event.actor is None
