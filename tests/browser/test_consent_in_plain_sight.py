"""Issue 13, point 1, in a real browser: where the consent stands is said in words where
people work, and a partner whose consent lapsed asks the lead to renew it.

The lead worker sees, in the caseload and on the overview, that the family's consent with
the partner expired; the partner no longer opens the family, sees it among those whose
access lapsed (by its reference only) and sends the request; the lead finds it in the
referral inbox. Screenshots of the caseload, the overview, the access report and the audit
log, in French and in English, land in test-results/browser/ to be looked at.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.families.models import Consent
from tests.browser.conftest import switch_language
from tests.conftest import PASSWORD
from tests.families import conftest as families_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
care = families_world.care  # the shared world, under its fixture name

LABELS = {"fr": ("Adresse courriel", "Mot de passe", "Se connecter")}


def log_in(new_context, base, email, language="fr", device=None):
    # The login page in French (the browser's language); English is then chosen in the page.
    page = new_context().new_page()
    page.goto(f"{base}/login/")
    email_label, password_label, button = LABELS["fr"]
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    if device is not None:
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.locator("input[name=token]").fill(f"{code:06d}")
        page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(f"{base}/")
    if language == "en":
        switch_language(page, "English", "en")
    return page


def test_consent_states_in_words_and_a_lapsed_partner_asks_for_renewal(
    live_server, care, new_context, output_dir
):
    base, family = live_server.url, care["family"]
    # The partner's consent ended two months ago.
    Consent.objects.filter(pk=care["consent"].pk).update(
        valid_from=timezone.localdate() - timedelta(days=400),
        valid_until=timezone.localdate() - timedelta(days=60),
    )

    # The partner: the family is no longer in the caseload, only among the lapsed ones.
    partner = log_in(new_context, base, "partner@crd.example.org")
    partner.goto(f"{base}/families/")
    lapsed = partner.locator("section[aria-labelledby=lapsed-title]")
    assert f"Famille {family.reference}" in lapsed.inner_text()
    assert "Mélanie" not in partner.content()
    partner.screenshot(path=output_dir / "partner-caseload-fr.png", full_page=True)
    lapsed.get_by_role("button", name="Demander à l’intervenant·e pivot").click()
    # The request posts and the caseload comes back with the confirmation: waited for, as
    # the page that was clicked is still there for a moment.
    expect(partner.locator("main")).to_contain_text(
        "Votre demande est transmise", use_inner_text=True
    )

    # The lead: the state in words in the caseload and on the overview, the request in the
    # inbox; the same pages in English.
    for language in ("fr", "en"):
        lead = log_in(new_context, base, "owner@clsc.example.org", language)
        lead.goto(f"{base}/families/")
        row = lead.locator("tbody tr").filter(has_text="Mélanie Côté")
        expected = "Consentement échu le" if language == "fr" else "Consent expired on"
        assert expected in row.inner_text()
        lead.screenshot(path=output_dir / f"lead-caseload-{language}.png", full_page=True)
        lead.goto(f"{base}/families/{family.id}/")
        assert expected in lead.inner_text("main")
        lead.screenshot(path=output_dir / f"lead-overview-{language}.png", full_page=True)
        lead.goto(f"{base}/referrals/")
        requests = lead.locator("section[aria-labelledby=consent-requests-title]")
        assert "Mélanie Côté" in requests.inner_text()
        lead.goto(f"{base}/families/{family.id}/access-report/")
        lead.screenshot(path=output_dir / f"lead-access-report-{language}.png", full_page=True)

    # The coordinator's audit log, in both languages.
    coordinator = care["users"]["coordinator"]
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    page = log_in(new_context, base, coordinator.email, device=device)  # one code, one login
    for language, switch in (("fr", None), ("en", "English")):
        if switch:
            switch_language(page, switch, language)
        page.goto(f"{base}/audit/")
        assert "Mélanie" not in page.content()
        page.screenshot(path=output_dir / f"audit-log-{language}.png", full_page=True)
