"""A practitioner refers a family; the receiving team lead accepts with joint follow-up;
the referrer sees "accepted" and the new member of the circle of care."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, switch_language
from tests.conftest import PASSWORD
from tests.families.conftest import care  # noqa: F401 - the shared family setting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, email):
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    if page.get_by_role("button", name="English").count():  # the choice outlives the session
        switch_language(page, "English", "en")


def log_out(page):
    # The next step asks for the login page: not before the logout is done, or the `goto`
    # cuts the logout short and the login page opens on the session still there.
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()


def acknowledge(page):
    """Acknowledges the referral; its page comes back with the next steps, folded: the step
    opened next is the new page's, not the one the click left."""
    page.get_by_text("Acknowledge").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Acknowledge").click()


def test_referral_accepted_with_joint_follow_up(live_server, care, page, output_dir):  # noqa: F811
    base = live_server.url
    team = care["teams"]["mother_child"]
    log_in(page, base, "owner@clsc.example.org")
    page.goto(f"{base}/directory/teams/{team.id}/")
    page.get_by_role("link", name="Refer a family to this team").click()
    page.get_by_label("Family", exact=True).select_option(index=1)
    page.get_by_label("From my team").select_option(index=1)
    page.get_by_label("Reason for the referral").fill("Suivi en dépendance pendant la grossesse")
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_text("The referral is sent.").wait_for()
    referral_url = page.url
    expect(page.locator("#referral-status")).to_have_text("Sent", use_inner_text=True)
    assert axe_violations(page) == []
    log_out(page)

    log_in(page, base, "chief@crd.example.org")
    page.get_by_role("link", name="Referrals").first.click()
    page.locator("table a").first.click()
    acknowledge(page)
    page.locator("summary", has_text="Accept").click()
    page.get_by_label("Joint follow-up (join the circle of care)").check()
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Done: Accept.").wait_for()
    page.screenshot(path=output_dir / "1-receiver-accepted.png", full_page=True)
    log_out(page)

    log_in(page, base, "owner@clsc.example.org")
    page.goto(referral_url)
    expect(page.locator("#referral-status")).to_have_text("Accepted", use_inner_text=True)
    expect(page.locator("#circle")).to_contain_text("Chief Test", use_inner_text=True)
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "2-referrer-sees-accepted.png", full_page=True)


def test_referral_accepted_with_hand_over_makes_the_receiver_the_lead(
    live_server,
    care,  # noqa: F811
    page,
    output_dir,
):
    """The receiving team's lead accepts with hand-over: the family's page names her as
    the one lead worker, and the referrer's card carries no lead badge any more."""
    base = live_server.url
    team = care["teams"]["mother_child"]
    log_in(page, base, "owner@clsc.example.org")
    page.goto(f"{base}/referrals/new/?team={team.id}")
    page.get_by_label("Find a family by name").fill("melanie cote")
    # The search reloads the page: the family is chosen in the page it brings back.
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    page.get_by_label("Family", exact=True).select_option(index=1)
    page.get_by_label("From my team").select_option(index=1)
    page.get_by_label("Reason for the referral").fill("Suivi en dépendance pendant la grossesse")
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_text("The referral is sent.").wait_for()
    referral_url = page.url
    log_out(page)

    log_in(page, base, "chief@crd.example.org")
    page.goto(referral_url)
    acknowledge(page)
    page.locator("summary", has_text="Accept").click()
    page.get_by_label("Hand-over").check()
    assert page.get_by_label("Who follows the family").input_value() == ""  # herself
    assert axe_violations(page) == []
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Done: Accept.").wait_for()
    page.goto(f"{base}/families/{care['family'].id}/circle/")
    cards = page.locator("li.card")
    chief = cards.filter(has_text="Chief Test")
    owner = cards.filter(has_text="Owner Test")
    assert "Lead worker" in chief.inner_text()
    assert "Lead worker" not in owner.inner_text()
    assert page.get_by_text("Lead worker", exact=True).count() == 1
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "3-new-lead-after-hand-over.png", full_page=True)
