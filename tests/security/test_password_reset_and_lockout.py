"""Finding 9b: the password reset answered faster for unknown addresses (the e-mail was
sent inside the request for known ones) and could be asked for without limit.
Finding 9c: the lockout counted per account and address only, so one password sprayed
over many accounts from one address was never slowed."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.audit.models import Action, AuditEvent
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def ask_reset(client, email, ip="10.0.0.1", **extra):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip, **extra)


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(
    client, django_capture_on_commit_callbacks
):
    make_user("nurse@example.org")
    answers, queries, callbacks = [], [], []
    for email in ["nurse@example.org", "nobody@example.org"]:
        with (
            django_capture_on_commit_callbacks(execute=False) as captured,
            CaptureQueriesContext(connection) as context,
        ):
            answers.append(ask_reset(client, email, ip="10.0.0.7"))
        queries.append(len(context.captured_queries))
        callbacks.append(captured)
        # Nothing leaves inside the request: the e-mail is the queue's job.
        assert len(mail.outbox) == 0

    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert queries[0] == queries[1]
    assert [len(c) for c in callbacks] == [1, 1]
    # Only the queued task looks the address up: it writes to the known account only.
    for callback in callbacks[1]:
        callback()
    assert len(mail.outbox) == 0
    for callback in callbacks[0]:
        callback()
    assert [m.to for m in mail.outbox] == [["nurse@example.org"]]
    assert AuditEvent.objects.filter(action=Action.PASSWORD_RESET_REQUESTED).count() == 2


def test_the_queued_email_carries_a_working_link_in_the_account_language(
    client, django_capture_on_commit_callbacks
):
    make_user("nurse@example.org", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, "Nurse@Example.org")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Someone asked to reset the password" in body
    link = re.search(r"http://testserver(/password-reset/\S+)", body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "new_password1" in response.content.decode()


def test_inactive_accounts_get_no_email(client, django_capture_on_commit_callbacks):
    make_user("gone@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, "gone@example.org")
    assert len(mail.outbox) == 0


def test_reset_requests_for_one_address_are_limited(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    make_user("nurse@example.org")
    for n in range(3):
        assert ask_reset(client, "nurse@example.org", ip=f"10.0.1.{n}").status_code == 302
    # From yet another address, and for an unknown account alike: the same answer.
    refused = ask_reset(client, "NURSE@example.org", ip="10.0.1.99", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert AuditEvent.objects.filter(action=Action.PASSWORD_RESET_REQUESTED).count() == 3
    for n in range(3):
        ask_reset(client, "nobody@example.org", ip=f"10.0.2.{n}")
    assert ask_reset(client, "nobody@example.org", ip="10.0.2.99").status_code == 429
    # Another address is not affected.
    assert ask_reset(client, "other@example.org", ip="10.0.1.99").status_code == 302


def test_reset_requests_from_one_network_address_are_limited(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 5
    for n in range(5):
        assert ask_reset(client, f"person{n}@example.org", ip="198.51.100.4").status_code == 302
    refused = ask_reset(client, "person9@example.org", ip="198.51.100.4")
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()
    assert ask_reset(client, "person9@example.org", ip="198.51.100.5").status_code == 302


def post_login(client, email, password, ip):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_spraying_one_password_over_many_accounts_from_one_address_is_locked(client):
    limit = settings.MAILLAGE_IP_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    for n in range(limit + 1):
        make_user(f"person{n}@example.org")
    for n in range(limit - 1):
        response = post_login(client, f"person{n}@example.org", "Printemps2026!", "203.0.113.7")
        assert response.status_code == 200, n  # the form again, no lockout yet
    # The failure that reaches the address's limit locks the address.
    response = post_login(client, f"person{limit - 1}@example.org", "Printemps2026!", "203.0.113.7")
    assert response.status_code == 429

    # Even the right password of an account never tried is refused from that address.
    response = post_login(client, f"person{limit}@example.org", PASSWORD, "203.0.113.7")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT).exists()
    # The account's owner, elsewhere, is not locked out.
    response = post_login(client, f"person{limit}@example.org", PASSWORD, "10.0.0.1")
    assert response.status_code == 302


def test_one_good_login_does_not_wipe_the_count_of_the_spray(client):
    limit = settings.MAILLAGE_IP_FAILURE_LIMIT
    make_user("insider@example.org")
    for n in range(limit + 1):
        make_user(f"person{n}@example.org")
    for n in range(limit - 1):
        post_login(client, f"person{n}@example.org", "Printemps2026!", "203.0.113.7")
    # The attacker's own account logs in fine, which must not reset the address's count.
    assert post_login(client, "insider@example.org", PASSWORD, "203.0.113.7").status_code == 302
    client.logout()
    post_login(client, f"person{limit - 1}@example.org", "Printemps2026!", "203.0.113.7")
    response = post_login(client, f"person{limit}@example.org", PASSWORD, "203.0.113.7")
    assert response.status_code == 429


def test_a_few_typos_from_a_shared_office_address_lock_no_one(client):
    # Several people behind one address each mistype once or twice: below the limit.
    for n in range(4):
        make_user(f"staff{n}@example.org")
        post_login(client, f"staff{n}@example.org", "typo typo typo", "192.0.2.10")
        post_login(client, f"staff{n}@example.org", "typo typo typo", "192.0.2.10")
    response = post_login(client, "staff3@example.org", PASSWORD, "192.0.2.10")
    assert response.status_code == 302
