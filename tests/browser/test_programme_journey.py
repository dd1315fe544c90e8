"""Programmes in practice, end to end in a real browser, in French: the coordinator creates
a programme and makes a team its site, then moves the site through two stages; the team's
lead records a practitioner's training and a supervision; the practitioner enrols a family
(recorded under consent) and records three sessions with their fidelity; the coordinator's
dashboard shows them, with no family named; the lead opens the site's own dashboard (in
French, then in English) and dates Annie's departure, which the site counts as trained
capacity lost. Every page passes axe-core, with no console
error; screenshots land in test-results/browser/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    Sector,
    Team,
)
from maillage.families import services as family_services
from maillage.families.models import Category, ConsentMethod
from maillage.implementation.models import Departure, ProgrammeSession, SiteStage, Supervision
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPONENTS = ["Capacité réflexive", "Régulation des émotions", "Alliance"]


def day(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


@pytest.fixture
def people(transactional_db):
    clsc = Organization.objects.create(code="clsc", name="CLSC du Nord", sector=Sector.PRIMARY_CARE)
    crd = Organization.objects.create(
        code="crd", name="Centre de réadaptation", sector=Sector.SUBSTANCE_USE
    )
    team = Team.objects.create(organization=clsc, code="clsc-p", name="Périnatalité sociale")
    users = {}
    for key, first, last, role in [
        ("lead", "Louise", "Lavoie", MembershipRole.LEAD),
        ("annie", "Annie", "Gagnon", MembershipRole.MEMBER),
    ]:
        user = make_user(f"{key}@example.org")
        user.full_name = f"{first} {last}"
        user.save(update_fields=["full_name"])
        person = Practitioner.objects.create(
            user=user, first_name=first, last_name=last, email=user.email, profession="nurse"
        )
        Membership.objects.create(practitioner=person, team=team, role=role)
        users[key] = user
    coordinator = make_user("coordinator@example.org", role="coordinator")
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    family = family_services.create_family(
        by=users["annie"],
        team=team,
        role="Infirmière",
        caregivers=[family_services.CaregiverData(first_name="Mélanie", last_name="Côté")],
        children=[],
        reasons=["substance_use"],
    )
    family_services.record_consent(
        by=users["annie"],
        family=family,
        given_by=family.caregivers.get(),
        organizations=[crd],
        categories=[Category.IDENTITY, Category.PLAN],
        purpose="Suivi conjoint",
        method=ConsentMethod.VERBAL,
        witness="Louise Lavoie",
    )
    return {"users": users, "coordinator": coordinator, "device": device, "family": family}


def open_as(new_context, base, email, errors, *, device=None):
    """A browser context of its own for one person, in French, logged in, under the real
    Content-Security-Policy (conftest's watched context: console errors, axe)."""
    page = new_context().new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if device is not None:
        page.get_by_role("heading", name="Saisissez votre code").wait_for()
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.get_by_label("Code à 6 chiffres de votre application d'authentification").fill(
            f"{code:06d}"
        )
        page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(f"{base}/")
    return page


def check(page, errors, output_dir, name):
    assert axe_violations(page) == []
    assert errors == [], errors
    page.screenshot(path=output_dir / f"{name}.png", full_page=True)


def test_a_programme_from_its_creation_to_the_dashboard(
    new_context, live_server, people, output_dir
):
    base, errors = live_server.url, []

    # The coordinator creates the programme and makes the team a site.
    coord = open_as(new_context, base, "coordinator@example.org", errors, device=people["device"])
    coord.get_by_role("link", name="Programmes en pratique").first.click()
    coord.get_by_role("link", name="Nouveau programme").click()
    coord.get_by_label("Nom (français)").fill("Materner de l'intérieur")
    coord.get_by_label("Nom (anglais)").fill("Mothering from the Inside Out")
    coord.get_by_label("Dose prévue (séances)").fill("12")
    coord.get_by_label("Composantes essentielles").fill("\n".join(COMPONENTS))
    coord.get_by_role("button", name="Enregistrer").click()
    coord.get_by_role("heading", name="Materner de l'intérieur").wait_for()
    coord.get_by_label("Équipe").select_option(label="Périnatalité sociale")
    coord.get_by_role("button", name="Ajouter le site").click()
    # The programme's page comes back with the site: checked once it is there, not before.
    coord.get_by_text("L'équipe est maintenant un site du programme.").wait_for()
    check(coord, errors, output_dir, "1-programme-and-site")

    # … and moves the site through two stages.
    coord.get_by_role("link", name="Périnatalité sociale").click()
    form = coord.locator("form", has=coord.get_by_role("button", name="Enregistrer l'étape"))
    for stage, start, end in [("Engagement", 90, 60), ("Faisabilité", 60, None)]:
        form.get_by_label("Étape", exact=True).select_option(label=stage)
        form.get_by_label("Commencée le").fill(day(start))
        if end:
            form.get_by_label("Terminée le").fill(day(end))
        form.get_by_label("Activités prévues").fill("4")
        form.get_by_label("Activités faites").fill("4" if end else "1")
        # The site's page comes back saying "L'étape est inscrite.": the second time, the
        # page clicked says it already, so the new page is waited for.
        with coord.expect_navigation():
            coord.get_by_role("button", name="Enregistrer l'étape").click()
        coord.get_by_text("L'étape est inscrite.").wait_for()
    assert SiteStage.objects.count() == 2
    check(coord, errors, output_dir, "2-site-two-stages")
    site_url = coord.url

    # The team's lead records Annie's training and a supervision.
    lead = open_as(new_context, base, "lead@example.org", errors)
    lead.goto(site_url)
    training = lead.locator("form", has=lead.get_by_role("button", name="Enregistrer la formation"))
    training.get_by_label("Intervenant·e").select_option(label="Annie Gagnon")
    training.get_by_label("Type").select_option(label="Formation initiale")
    training.get_by_label("Date").fill(day(50))
    training.get_by_label("Heures").fill("14")
    training.get_by_label("Sujet").fill("Formation de base")
    training.get_by_role("button", name="Enregistrer la formation").click()
    lead.get_by_text("La formation est inscrite.").wait_for()
    supervision = lead.locator(
        "form", has=lead.get_by_role("button", name="Enregistrer la supervision")
    )
    supervision.get_by_label("Intervenant·e").select_option(label="Annie Gagnon")
    supervision.get_by_label("Date").fill(day(7))
    supervision.get_by_label("Durée (minutes)").fill("60")
    supervision.get_by_label("Supervision réflexive").check()
    supervision.get_by_label("Cas discutés").fill("2")
    supervision.get_by_role("button", name="Enregistrer la supervision").click()
    lead.get_by_text("La supervision est inscrite.").wait_for()
    assert Supervision.objects.count() == 1
    check(lead, errors, output_dir, "3-training-and-supervision")

    # Annie enrols the family and records three sessions with fidelity.
    annie = open_as(new_context, base, "annie@example.org", errors)
    annie.goto(f"{base}/programmes/families/{people['family'].id}/")
    annie.get_by_label("Programme et site").select_option(index=1)
    annie.get_by_label("Référée le").fill(day(30))
    annie.get_by_label("Offert le").fill(day(25))
    annie.get_by_label("Inscrite le").fill(day(21))
    annie.get_by_role("button", name="Inscrire").click()
    annie.get_by_text("La famille est inscrite.").wait_for()
    check(annie, errors, output_dir, "4-family-enrolled")
    annie.get_by_role("link", name="Materner de l'intérieur").click()
    for ago, scores in [(20, (4, 3, 5)), (13, (5, 4, 4)), (6, (3, 4, 5))]:
        annie.get_by_label("Date de la séance").fill(day(ago))
        annie.get_by_role("checkbox", name=COMPONENTS[0]).check()
        annie.get_by_role("checkbox", name=COMPONENTS[1]).check()
        for index, score in enumerate(scores):
            annie.locator(f"#id_fidelity_{index}").fill(str(score))
        annie.get_by_label("Fidélité cotée par").select_option(label="L'intervenante")
        # As for the stages: from the second session on, the page clicked already says so.
        with annie.expect_navigation():
            annie.get_by_role("button", name="Enregistrer la séance").click()
        annie.get_by_text("La séance est inscrite.").wait_for()
    assert ProgrammeSession.objects.count() == 3
    check(annie, errors, output_dir, "5-three-sessions")

    # The coordinator's dashboard shows them, and names no family.
    coord.goto(base + "/programmes/")
    coord.get_by_role("link", name="Materner de l'intérieur").click()
    coord.get_by_role("link", name="Tableau de bord").click()
    dashboard = "Tableau de bord — Materner de l'intérieur"
    coord.get_by_role("heading", level=1, name=dashboard).wait_for()
    coord.wait_for_load_state()  # the whole dashboard, not its heading only
    content = coord.content()
    assert "Mélanie" not in content and "Côté" not in content
    assert "100\u00a0%" in content or "100 %" in content  # reach: 1 of 1 eligible referred
    assert "(0 / 3)" in content  # no-shows: none of three sessions
    assert "Annie Gagnon" in content  # fidelity by practitioner (professional, not a family)
    check(coord, errors, output_dir, "6-dashboard")

    # The lead opens the site's own dashboard: its stages and figures, no family named.
    lead.goto(site_url)
    lead.get_by_role("link", name="Tableau de bord de ce site").click()
    lead.get_by_role("heading", name="Tableau de bord du site — Périnatalité sociale").wait_for()
    lead.wait_for_load_state()
    content = lead.content()
    assert "Mélanie" not in content and "Côté" not in content
    assert "(0 / 3)" in content  # no-shows of the site's three sessions
    assert "Faisabilité" in content  # its stages
    check(lead, errors, output_dir, "7-site-dashboard")
    site_dashboard_url = lead.url

    # Annie leaves the team: the lead dates her departure, the site has no trained capacity.
    lead.goto(site_url)
    lead.get_by_role("link", name="Départs des intervenantes formées").click()
    # The site's page, still shown for a moment, has two "Intervenant·e" fields (training,
    # supervision): the departure's form is waited for before its one is chosen.
    lead.get_by_label("A quitté l'équipe le").wait_for()
    lead.get_by_label("Intervenant·e").select_option(label="Annie Gagnon")
    lead.get_by_label("A quitté l'équipe le").fill(day(2))
    lead.get_by_role("button", name="Enregistrer le départ").click()
    lead.get_by_text("Le départ est inscrit").wait_for()
    assert Departure.objects.count() == 1
    lead.get_by_text("0 intervenante formée dans l'équipe aujourd'hui.").wait_for()
    check(lead, errors, output_dir, "8-departure")

    # The same site dashboard in English.
    lead.context.add_cookies([{"name": "maillage_language", "value": "en", "url": base}])
    lead.goto(site_dashboard_url)
    lead.get_by_role("heading", name="Site dashboard — Périnatalité sociale").wait_for()
    assert "Mélanie" not in lead.content()
    check(lead, errors, output_dir, "9-site-dashboard-en")
