"""Finding 7: after the second-factor code, `?next=` led anywhere. Every redirect taken
from the request goes through one helper (core.redirects.safe_next_url)."""

from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.models import Role
from maillage.core.redirects import safe_next_url
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ELSEWHERE = [
    "https://evil.example/x",
    "http://evil.example",
    "//evil.example/x",
    "///evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\r\n/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://testserver@evil.example/",
    "\x00//evil.example",
]
AT_HOME = ["/directory/", "/families/?page=2", "http://testserver/directory/"]


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def enter_code(client, next_url):
    user = make_user("coordinator@example.org", Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    url = reverse("otp_verify") + "?" + urlencode({"next": next_url})
    return client.post(url, {"token": code_for(device)})


@pytest.mark.parametrize("target", ELSEWHERE)
def test_code_page_never_sends_anyone_to_another_site(client, target):
    response = enter_code(client, target)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", AT_HOME)
def test_code_page_goes_on_to_the_page_that_was_asked_for(client, target):
    response = enter_code(client, target)
    assert response["Location"] == target


@pytest.mark.parametrize("target", ELSEWHERE)
def test_login_page_never_sends_anyone_to_another_site(client, target):
    make_user("nurse@example.org")
    url = reverse("login") + "?" + urlencode({"next": target})
    response = client.post(url, {"username": "nurse@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", ELSEWHERE)
def test_language_switch_never_sends_anyone_to_another_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", ELSEWHERE)
def test_helper_refuses_other_sites_and_falls_back(target):
    request = RequestFactory().get("/", {"next": target})
    assert safe_next_url(request, target) == reverse("home")
    assert safe_next_url(request, target, default="/x/") == "/x/"


def test_helper_refuses_plain_http_back_to_a_secure_site():
    request = RequestFactory().get("/", secure=True)
    assert safe_next_url(request, "http://testserver/directory/") == reverse("home")
    assert safe_next_url(request, "https://testserver/directory/") == (
        "https://testserver/directory/"
    )


def test_helper_without_a_target_goes_home():
    request = RequestFactory().get("/")
    assert safe_next_url(request, None) == reverse("home")
    assert safe_next_url(request, "") == reverse("home")
