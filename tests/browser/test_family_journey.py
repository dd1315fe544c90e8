"""A lead worker records a family and its consent and brings a partner into the circle;
the partner logs in and sees the shared plan but not a note outside the consent."""

import pytest

from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    Sector,
    Team,
)
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_organizations(transactional_db):
    clsc = Organization.objects.create(
        code="clsc", name="CLSC des Saules", sector=Sector.PRIMARY_CARE
    )
    crd = Organization.objects.create(
        code="crd", name="CRD des Saules", sector=Sector.SUBSTANCE_USE
    )
    teams = {
        "lead": Team.objects.create(organization=clsc, code="clsc-p", name="Périnatalité"),
        "partner": Team.objects.create(organization=crd, code="crd-me", name="Mère-enfant"),
    }
    for key in teams:
        user = make_user(f"{key}@example.org")
        person = Practitioner.objects.create(
            user=user,
            first_name=key.title(),
            last_name="Test",
            email=user.email,
            profession="nurse",
        )
        Membership.objects.create(practitioner=person, team=teams[key], role=MembershipRole.MEMBER)
    return teams


def log_in(page, base, email):
    page.goto(f"{base}/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")


def test_partner_sees_the_plan_but_not_a_note_outside_the_consent(
    live_server, two_organizations, page, output_dir
):
    base = live_server.url
    log_in(page, base, "lead@example.org")

    # Record the family.
    page.get_by_role("link", name="Ma charge de cas").first.click()
    page.get_by_role("link", name="Inscrire une famille").click()
    page.get_by_label("Prénom", exact=True).first.fill("Mélanie")
    page.get_by_label("Nom", exact=True).first.fill("Côté")
    page.locator("#id_child_due_date").fill("2027-03-01")
    page.get_by_role("button", name="Inscrire la famille").click()
    page.get_by_role("heading", level=1, name="Mélanie Côté").wait_for()
    assert axe_violations(page) == []

    # A goal and a note of the plan, and a follow-up note the CRD will not see.
    page.get_by_role("link", name="Plan partagé").click()
    page.get_by_text("Ajouter un objectif").click()
    page.get_by_label("Besoin, dans les mots de la famille").fill("Un logement stable")
    page.get_by_label("Objectif", exact=True).fill("Trouver un logement avant la naissance")
    page.get_by_role("button", name="Ajouter l'objectif").click()
    page.get_by_role("heading", name="Trouver un logement avant la naissance").wait_for()
    page.get_by_role("link", name="Fil de suivi").click()
    page.get_by_text("Ajouter une inscription").click()
    page.get_by_label("Catégorie").select_option("notes")
    page.get_by_label("Note", exact=True).fill("Se sent seule depuis le déménagement.")
    page.get_by_role("button", name="Ajouter l'inscription").click()
    page.get_by_text("Se sent seule depuis le déménagement.").wait_for()

    # The family's consent: the CRD may see identity and the plan, not follow-up notes.
    page.get_by_role("link", name="Consentements").click()
    page.get_by_label("Donné par").select_option(label="Mélanie Côté")
    page.get_by_label("Organisations qui peuvent partager").select_option(label="CRD des Saules")
    page.get_by_label("Identité et coordonnées").check()
    page.get_by_label("Plan partagé et objectifs").check()
    page.get_by_label("But", exact=True).fill("Suivi conjoint de grossesse")
    page.get_by_label("Verbal, devant témoin").check()
    page.get_by_label("Témoin (consentement verbal)").fill("Julie Roy")
    page.get_by_role("button", name="Enregistrer le consentement").click()
    page.get_by_text("Le consentement est enregistré.").wait_for()
    page.screenshot(path=output_dir / "1-consent.png", full_page=True)

    # The partner joins the circle of care.
    page.get_by_role("link", name="Cercle de soins").click()
    page.get_by_label("Courriel de l'intervenant·e").fill("partner@example.org")
    page.get_by_role("button", name="Ajouter au cercle").click()
    page.get_by_text("Partner Test").first.wait_for()
    # Logged out before the login page is asked for: a `goto` while the logout posts would
    # cut it short, and the lead's session would open the login page.
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()

    # The partner sees the family and its plan, not the follow-up note.
    log_in(page, base, "partner@example.org")
    page.get_by_role("link", name="Ma charge de cas").first.click()
    page.get_by_role("link", name="Mélanie Côté").click()
    page.get_by_role("link", name="Plan partagé").click()
    page.get_by_role("heading", name="Trouver un logement avant la naissance").wait_for()
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "2-partner-plan.png", full_page=True)
    page.get_by_role("link", name="Fil de suivi").click()
    # The timeline's own heading, then its whole page: the plan's page, still shown for a
    # moment after the click, has no note either, and would prove nothing.
    page.get_by_role("heading", level=2, name="Fil de suivi").wait_for()
    page.wait_for_load_state()
    assert "Se sent seule" not in page.content()
    page.screenshot(path=output_dir / "3-partner-timeline.png", full_page=True)
