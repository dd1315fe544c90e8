"""Login, lockout, second factor, session expiry, password rules."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.audit.models import Action, AuditEvent
from maillage.core.models import Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def post_login(client, email, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_practitioner_logs_in_with_email_and_password_and_it_is_logged(client):
    user = make_user("nurse@example.org")
    response = post_login(client, "Nurse@Example.org", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=user).count() == 1


def test_passwords_are_hashed_with_argon2():
    user = make_user("nurse@example.org")
    assert user.password.startswith("argon2")


def test_failed_login_is_logged_without_the_password(client):
    make_user("nurse@example.org")
    response = post_login(client, "nurse@example.org", "wrong password here")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor_label == "nurse@example.org"
    assert "wrong password" not in str(event.details)


def test_account_locks_after_repeated_failures_with_a_clear_message(client):
    make_user("nurse@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "nurse@example.org", "wrong password here")
    # Even the right password is refused now, with a message saying why.
    response = post_login(client, "nurse@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT).exists()
    assert "_auth_user_id" not in client.session


def test_lockout_from_one_address_does_not_lock_the_owner_out_elsewhere(client):
    make_user("nurse@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        post_login(client, "nurse@example.org", "wrong password here", ip="203.0.113.9")
    response = post_login(client, "nurse@example.org", PASSWORD, ip="10.0.0.1")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_password_rules_follow_asvs_length_and_common_list():
    with pytest.raises(ValidationError):
        validate_password("short-pass")  # 10 characters
    with pytest.raises(ValidationError):
        validate_password("password1234")  # 12 characters, but on the common list
    # No composition rules: a long lower-case phrase is fine.
    validate_password("le chat dort sur le canapé bleu")


def test_coordinator_must_enrol_a_second_factor_before_anything_else(client):
    make_user("coordinator@example.org", Role.COORDINATOR)
    post_login(client, "coordinator@example.org", PASSWORD)
    response = client.get(reverse("directory:search"))
    assert response.status_code == 302
    assert response["Location"] == reverse("otp_setup")
    # The enrolment page shows a QR code and a key.
    page = client.get(reverse("otp_setup")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user__email="coordinator@example.org", confirmed=False)
    # A wrong code is refused; the right one enrols and opens the app.
    client.post(reverse("otp_setup"), {"token": "000000"})
    assert client.get(reverse("directory:search")).status_code == 302
    # django-otp slows down guessing after a failure; the person waits, the test resets.
    device.refresh_from_db()
    device.throttle_reset()
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post(reverse("otp_setup"), {"token": f"{code:06d}"})
    assert response.status_code == 302
    assert client.get(reverse("directory:search")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED).count() == 1


def test_enrolled_coordinator_is_asked_for_a_code_at_each_login(client):
    user = make_user("coordinator@example.org", Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    post_login(client, "coordinator@example.org", PASSWORD)
    response = client.get(reverse("audit:log"))
    assert response["Location"] == reverse("otp_verify")
    assert client.get(reverse("api_tokens")).status_code == 302
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    client.post(reverse("otp_verify"), {"token": f"{code:06d}"})
    assert client.get(reverse("audit:log")).status_code == 200


def test_practitioner_needs_no_second_factor(client):
    make_user("nurse@example.org")
    post_login(client, "nurse@example.org", PASSWORD)
    assert client.get(reverse("directory:search")).status_code == 200


def test_logout_ends_the_session(client):
    make_user("nurse@example.org")
    post_login(client, "nurse@example.org", PASSWORD)
    assert client.session.get_expiry_age() <= 30 * 60
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOGOUT).count() == 1


def test_password_reset_sends_an_email_in_french_by_default(
    client, django_capture_on_commit_callbacks
):
    make_user("nurse@example.org")
    # The e-mail leaves through the task queue once the request's transaction holds.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "nurse@example.org"})
    assert len(mail.outbox) == 1
    assert "mot de passe" in mail.outbox[0].body
    assert "/password-reset/" in mail.outbox[0].body
    client.post(
        reverse("password_reset"), {"email": "nurse@example.org"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert AuditEvent.objects.filter(action=Action.PASSWORD_RESET_REQUESTED).count() == 2


def test_pages_need_a_login(client):
    for name in ["home", "directory:search", "directory:network_map", "api_tokens", "audit:log"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
