"""Issue 13, point 5: every label a person reads is a translated term or sentence. The
family's access report, the audit log and the plan's history are rendered in French and in
English after a day of ordinary work, and their visible text may hold no model name, app
label or snake_case code."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from maillage.families import services
from maillage.referrals import services as referral_services
from tests.families import conftest as families_world

pytestmark = pytest.mark.django_db
care = families_world.care

MODEL_NAMES = {
    "planaction",
    "planreview",
    "circlemember",
    "timelineentry",
    "emergencyaccess",
    "totpdevice",
    "consent_scan",
    "access_report",
    "duplicate_check",
}
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
DOTTED = re.compile(r"\b(?:families|referrals|core|otp_totp|directory|reviews|training)\.[a-z]+\b")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.chunks)
    return re.sub(r"\S+@\S+", " ", text)  # e-mail addresses are not labels


def a_day_of_work(care):
    owner, family = care["users"]["owner"], care["family"]
    services.update_action(
        by=owner, action=care["action"], expected_version=1, status="in_progress"
    )
    services.add_goal(by=owner, family=family, need="Se reposer", goal="Dormir la nuit")
    referral = referral_services.refer_family(
        by=owner,
        family=family,
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi",
    )
    referral_services.take_step(by=care["users"]["partner"], referral=referral, step="acknowledge")
    services.open_emergency_access(
        by=care["users"]["outsider"],
        family=family,
        reason="Nourrisson seul à domicile, la mère ne répond plus.",
    )
    services.hand_over_lead(by=owner, family=family, to=care["partner_member"])
    services.withdraw_consent(by=care["partner_member"].practitioner.user, consent=care["consent"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_access_report_audit_log_and_plan_history_speak_words(
    care, client, verified_login, language
):
    a_day_of_work(care)
    family = care["family"]
    pages = []
    client.force_login(care["users"]["owner"])
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    client.get(reverse("families:caseload"))  # a read from a list, in the report too
    pages.append(client.get(reverse("families:access_report", args=[family.id])))
    pages.append(client.get(reverse("families:plan", args=[family.id])))
    coordinator = verified_login(care["users"]["coordinator"])
    coordinator.post(reverse("set_language"), {"language": language, "next": "/"})
    pages.append(coordinator.get(reverse("audit:log")))
    for response in pages:
        assert response.status_code == 200
        text = visible_text(response.content.decode())
        assert not (set(re.findall(r"[a-z_]+", text)) & MODEL_NAMES), text[:2000]
        assert not SNAKE.findall(text), SNAKE.findall(text)
        assert not DOTTED.findall(text), DOTTED.findall(text)
    report = visible_text(pages[0].content.decode())
    expected = {
        "fr": ["rôle d’intervenant·e pivot transféré", "consentement retiré", "depuis une charge"],
        "en": ["lead worker handed over", "consent withdrawn", "from a caseload"],
    }[language]
    for words in expected:
        assert words in report, words
