"""A practitioner logs in, searches the directory in French, opens a team, switches to
English; the pages pass axe-core on desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from maillage.seeding.generator import DEMO_PASSWORD, SCALES, NetworkGenerator
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_network(transactional_db):
    return NetworkGenerator(SCALES["demo"], seed=1).run()


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base_url}/")


def test_practitioner_finds_a_perinatal_team_and_reads_it_in_english(
    live_server, demo_network, page, output_dir
):
    base = live_server.url
    page.goto(f"{base}/login/")
    assert axe_violations(page) == []
    log_in(page, base, "practitioner@demo.maillage.test")

    page.get_by_role("link", name="Répertoire").first.click()
    page.get_by_label("Rechercher").fill("perinatalite")
    page.get_by_role("button", name="Rechercher").click()
    # htmx swaps the results in, then pushes the search into the address bar.
    page.wait_for_url("**q=perinatalite**")
    results = page.locator("#results .card h2 a")
    expect(page.locator("#results")).to_contain_text("Périnatalité", use_inner_text=True)
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "1-directory-search-fr.png", full_page=True)

    team_name = results.first.inner_text()
    results.first.click()
    page.get_by_role("heading", level=1, name=team_name).wait_for()
    expect(page.get_by_role("heading", name="Qui fait quoi")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "2-team-fr.png", full_page=True)

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Who does what").wait_for()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Services offered")).to_be_visible()
    page.screenshot(path=output_dir / "3-team-en.png", full_page=True)
    assert (output_dir / "3-team-en.png").stat().st_size > 10_000

    # The same search works from the English page.
    page.get_by_role("link", name="Directory").first.click()
    page.get_by_label("Search").fill("perinatal")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=perinatal**")
    expect(page.locator(".results-count")).to_contain_text("team", use_inner_text=True)


def test_pages_pass_axe_on_a_phone(live_server, demo_network, new_context, output_dir):
    context = new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="fr-CA",
    )
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/login/")
    assert axe_violations(page) == []
    log_in(page, base, "practitioner@demo.maillage.test")
    page.goto(f"{base}/directory/?q=perinatalite")
    assert axe_violations(page) == []
    # Nothing wider than the screen: no sideways scrolling on the road.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("#results .card h2 a").first.click()
    page.get_by_role("heading", level=2, name="Qui fait quoi").wait_for()
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "team-phone.png", full_page=True)
