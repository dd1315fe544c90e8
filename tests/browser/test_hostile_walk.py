"""Issue 11: a hostile walk in a real browser, as the two people the consent keeps out.

- A partner organization's worker whose consent shares the plan and the notes but not
  identity walks every page of the family and of the referral it received, then asks the
  JSON API from the same session, then tries the signed consent scan, the consent form,
  a withdrawal and adding someone to the circle.
- An outsider tries every family page and API route by its address.

Neither may ever read a caregiver's name or phone, a note, or a count of a family they may
not open; every refusal looks like "not found".
"""

import pytest
from django.urls import reverse

from maillage.families.models import Category, Consent
from maillage.referrals import services as referral_services
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD
from tests.families import conftest as families_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
care = families_world.care  # the shared world, under its fixture name

NAMES = ["Mélanie", "Côté", "555-0199"]
NOTES = ["se sent seule", "Mon impression personnelle"]


def log_in(page, base, email):
    page.goto(f"{base}/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")


def shows_nothing_personal(text: str, where: str, *, notes_too: bool = False) -> None:
    for word in NAMES + (NOTES if notes_too else []):
        assert word not in text, f"{word!r} shown on {where}"


def test_a_partner_without_identity_finds_no_name_anywhere(live_server, care, page, output_dir):
    Consent.objects.filter(pk=care["consent"].pk).update(categories=",plan,notes,")
    referral = referral_services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance pendant la grossesse",
        categories=[Category.PLAN],
    )
    base, family = live_server.url, care["family"]
    log_in(page, base, "partner@crd.example.org")
    pages = {
        "caseload": reverse("families:caseload"),
        "overview": reverse("families:detail", args=[family.id]),
        "consents": reverse("families:consents", args=[family.id]),
        "circle": reverse("families:circle", args=[family.id]),
        "plan": reverse("families:plan", args=[family.id]),
        "timeline": reverse("families:timeline", args=[family.id]),
        "inbox": reverse("referrals:inbox"),
        "referral": reverse("referrals:detail", args=[referral.id]),
    }
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response.status == 200, name
        shows_nothing_personal(page.content(), name)
        page.screenshot(path=output_dir / f"partner-{name}.png", full_page=True)
    # The stand-in is the same on every page that names the family.
    for name in ("overview", "caseload", "inbox", "referral"):
        page.goto(base + pages[name])
        assert f"Famille {family.reference}" in page.inner_text("main"), name
    assert not axe_violations(page)
    # No consent form, no withdrawal button, nobody to add: the partner records nothing.
    page.goto(base + pages["consents"])
    assert page.locator("form[enctype='multipart/form-data']").count() == 0
    assert page.get_by_role("button", name="Retirer").count() == 0
    # The same session over the JSON API.
    for path in (
        "/api/v1/families/",
        f"/api/v1/families/{family.id}",
        f"/api/v1/families/{family.id}/timeline",
        f"/api/v1/families/{family.id}/consents",
        f"/api/v1/families/{family.id}/plan",
        "/api/v1/referrals/inbox",
        f"/api/v1/referrals/{referral.id}",
    ):
        answer = page.request.get(base + path)
        assert answer.status == 200, path
        shows_nothing_personal(answer.text(), path)
    # What carries a name is refused as "not found".
    scan = page.request.get(
        base + reverse("families:consent_scan", args=[family.id, care["consent"].id])
    )
    assert scan.status == 404
    shows_nothing_personal(scan.text(), "scan")


def test_an_outsider_learns_nothing_by_address(live_server, care, page, output_dir):
    base, family = live_server.url, care["family"]
    log_in(page, base, "outsider@hop.example.org")
    caseload = page.goto(base + reverse("families:caseload"))
    assert caseload.status == 200
    assert family.reference not in page.content()
    # Asked from the outsider's own browser session (its cookies), not navigated to: the
    # watched pages fail on a console error, and a refused page is one ("404").
    for name in ("detail", "consents", "circle", "plan", "timeline", "access_report"):
        answer = page.request.get(base + reverse(f"families:{name}", args=[family.id]))
        assert answer.status == 404, name
        shows_nothing_personal(answer.text(), name, notes_too=True)
    page.screenshot(path=output_dir / "outsider-caseload.png", full_page=True)
    for path in (
        f"/api/v1/families/{family.id}",
        f"/api/v1/families/{family.id}/timeline",
        f"/api/v1/families/{family.id}/consents",
        f"/api/v1/families/{family.id}/circle",
    ):
        answer = page.request.get(base + path)
        assert answer.status == 404, path
        shows_nothing_personal(answer.text(), path, notes_too=True)
    assert page.request.get(base + "/api/v1/families/").json()["items"] == []
