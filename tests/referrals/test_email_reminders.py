"""Reminder and step e-mails leave through the task queue and reach a real SMTP server
(started here), in each person's language, only for those who want them."""

import email
import socket
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone, translation

from maillage.referrals import services
from maillage.referrals.models import Referral, Step

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_overdue_reminders_reach_smtp_in_each_persons_language(
    care, referral, smtp, django_capture_on_commit_callbacks
):
    partner, lead = care["users"]["partner"], care["users"]["partner_lead"]
    partner.preferred_language = "en"
    partner.save()
    lead.preferred_language = "fr"
    lead.save()
    Referral.objects.filter(pk=referral.pk).update(requested_at=timezone.now() - timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_overdue_reminders() == 1
    by_recipient = {m["To"]: subject(m) for m in smtp.messages}
    assert set(by_recipient) == {partner.email, lead.email}
    english = "A referral is waiting for Mère-enfant"
    with translation.override("fr"):
        french = translation.gettext("A referral is waiting for %(team)s") % {"team": "Mère-enfant"}
    assert french != english
    assert by_recipient[partner.email] == english
    assert by_recipient[lead.email] == french


def test_people_who_opted_out_get_no_email(
    care, referral, smtp, django_capture_on_commit_callbacks
):
    owner = care["users"]["owner"]
    services.save_email_preferences(user=owner, referral_steps=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.take_step(
            by=care["users"]["partner_lead"], referral=referral, step=Step.ACKNOWLEDGE
        )
    assert [m["To"] for m in smtp.messages] == []
    assert owner.notifications.filter(kind="step").count() == 1  # still told in the app
    services.save_email_preferences(user=owner, referral_steps=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.take_step(
            by=care["users"]["partner_lead"],
            referral=referral,
            step=Step.ACCEPT,
            follow_up="hand_over",
        )
    assert [m["To"] for m in smtp.messages] == [owner.email]
    body = smtp.messages[0].get_payload(decode=True).decode()
    assert f"/referrals/{referral.id}/" in body
