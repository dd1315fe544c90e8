"""A cooperation review, end to end in a real browser: the moderator schedules a meeting (the
venue proposed by rotation); a participant submits a situation naming a family member, is
shown what was found, and fixes it; at the meeting the moderator records the five answers and
two improvement actions; the next meeting's agenda lists that situation and its open actions.

The journey runs in English so that it does not depend on the French catalog's wording; the
last page is checked in French too. Every main page passes axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.directory.models import Membership, Organization, Practitioner, Sector, Team
from maillage.families.models import Caregiver, Family
from maillage.reviews import services
from tests.browser.conftest import axe_violations, switch_language
from tests.conftest import PASSWORD, make_user
from tests.reviews.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY_MEMBER = "Mélanie Côté"


def named(user, full_name):
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def group(transactional_db):
    people, organizations = {}, []
    for code, name, sector, person in [
        ("clsc-nord", "CLSC du Nord", Sector.PRIMARY_CARE, ("nurse", "Annie", "Gagnon")),
        ("crd-saules", "Centre de réadaptation", Sector.SUBSTANCE_USE, ("worker", "Luc", "Roy")),
        ("hopital", "Hôpital des Saules", Sector.HOSPITAL, ("doctor", "Sara", "Tremblay")),
    ]:
        org = Organization.objects.create(code=code, name=name, sector=sector)
        team = Team.objects.create(organization=org, code=f"{code}-t", name=f"Équipe {name}")
        key, first, last = person
        user = named(make_user(f"{key}@example.org"), f"{first} {last}")
        practitioner = Practitioner.objects.create(
            user=user, first_name=first, last_name=last, email=user.email, profession="nurse"
        )
        Membership.objects.create(practitioner=practitioner, team=team)
        people[key] = user
        organizations.append(org)
    coordinator = make_user("coordinator@example.org", role="coordinator")
    # A family on record, whose caregiver the situation will name.
    family = Family.objects.create(recording_organization=organizations[0], created_by=coordinator)
    first, last = FAMILY_MEMBER.split()
    Caregiver.objects.create(family=family, first_name=first, last_name=last)
    moderator = named(make_user("moderator@example.org"), "Dominique Animatrice")
    group = services.create_group(
        by=coordinator,
        name="Revue de coopération des Saules",
        organizations=organizations,
        moderator=moderator,
        participants=list(people.values()),
    )
    return {"group": group, "moderator": moderator, **people}


def log_in(page, base: str, email: str) -> None:
    page.context.add_cookies([{"name": "maillage_language", "value": "en", "url": base}])
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")


def open_group(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Cooperation reviews"
    ).click()
    page.get_by_role("link", name="Revue de coopération des Saules").click()
    page.get_by_role("heading", level=1, name="Revue de coopération des Saules").wait_for()


def schedule(page, when) -> str:
    """Schedules a meeting with the venue the rotation proposes; returns the venue's name."""
    page.get_by_role("link", name="Schedule a meeting").click()
    host = page.get_by_label("Venue (host organization)")
    proposed = host.locator("option:checked").inner_text()
    expect(page.locator("main")).to_contain_text(
        f"Proposed by rotation: {proposed}", use_inner_text=True
    )
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT13:30"))
    page.get_by_label("Room and access").fill("Salle 204")
    page.get_by_role("button", name="Schedule").click()
    page.get_by_role("heading", level=2, name="Agenda").wait_for()
    return proposed


def test_a_review_from_scheduling_to_the_next_agenda(live_server, group, page, output_dir):
    base = live_server.url
    today = timezone.localdate()

    # 1. The moderator schedules the first meeting; the CLSC is proposed (first to join).
    log_in(page, base, "moderator@example.org")
    open_group(page)
    assert axe_violations(page) == []
    # The meeting is today: what happens at a meeting is recorded on its day.
    assert schedule(page, today) == "CLSC du Nord"
    assert "CLSC du Nord" in page.locator("dl.facts").inner_text()
    page.screenshot(path=output_dir / "1-meeting-scheduled.png", full_page=True)
    log_out(page)

    # 2. A participant submits a situation that names a family member: blocked and shown.
    log_in(page, base, "nurse@example.org")
    open_group(page)
    page.get_by_role("link", name="Submit a situation").click()
    page.get_by_label("Short title").fill("Referral to addiction services without follow-up")
    narrative = page.get_by_label("Narrative")
    narrative.fill(
        "melanie cote was referred to the rehabilitation centre by fax; each team thought "
        "the other one was following her, and nobody called her for three weeks."
    )
    sectors = page.get_by_role("group", name="Kinds of organizations involved")
    sectors.get_by_label("Primary care (CLSC)").check()
    sectors.get_by_label("Substance use and addiction").check()
    page.get_by_role("button", name="Submit the situation").click()
    findings = page.get_by_role("region", name="This text may identify someone")
    findings.wait_for()
    assert findings.locator("mark").first.inner_text() == "melanie cote"
    assert "[name of a person]" in findings.inner_text()
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "2-situation-blocked.png", full_page=True)

    narrative.fill(
        "The mother was referred to the rehabilitation centre by fax; each team thought the "
        "other one was following her, and nobody called her for three weeks."
    )
    page.get_by_role("button", name="Submit the situation").click()
    page.get_by_text("The situation is in the group's queue").wait_for()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Referral to addiction services without follow-up", use_inner_text=True
    )
    log_out(page)

    # 3. At the meeting, the moderator records the five answers and two actions.
    log_in(page, base, "moderator@example.org")
    open_group(page)
    page.locator("#upcoming + ul").get_by_role("link").first.click()
    page.get_by_text("Proposed from the queue").wait_for()
    page.screenshot(path=output_dir / "3-agenda-with-proposed-situation.png", full_page=True)
    page.get_by_role("link", name="Record the five questions").click()
    page.get_by_label("1. What malfunction").fill(
        "The referral was treated as a transfer: no one owned the joint follow-up."
    )
    page.get_by_role("group", name="Types of malfunction").get_by_label(
        "Referral without joint monitoring"
    ).check()
    patient = page.get_by_role("group", name="2. Did it harm the patient?")
    patient.get_by_label("Yes", exact=True).check()
    page.get_by_label("How did it harm the patient?").fill("Prenatal care was delayed.")
    page.get_by_role("group", name="3. Did it harm the carer?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("group", name="4. Was it avoidable?").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record the answers").click()
    page.get_by_text("The five questions are recorded").wait_for()

    due = (today + timedelta(days=40)).isoformat()
    for description, owner in [
        ("Agree on a phone call seven days after every referral.", "Centre de réadaptation"),
        ("Write a shared 'who does what' sheet for joint follow-up.", "Annie Gagnon"),
    ]:
        page.get_by_label("5. Avenue for improvement").fill(description)
        page.get_by_label("Who carries it?").select_option(label=owner)
        page.get_by_label("Due date").fill(due)
        page.get_by_role("button", name="Add the action").click()
        page.get_by_role("cell", name=description).wait_for()
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "4-five-questions-and-actions.png", full_page=True)

    page.get_by_role("link", name="Back to the agenda").click()
    page.get_by_role("button", name="Record the meeting as held").click()
    page.get_by_text("The meeting is recorded as held").wait_for()

    # 4. The next meeting: the venue moves on, and the agenda follows the situation up.
    page.get_by_role("link", name="Revue de coopération des Saules").click()
    assert schedule(page, today + timedelta(days=42)) == "Centre de réadaptation"
    follow_up = page.locator("#follow-up")
    expect(follow_up).to_contain_text(
        "Referral to addiction services without follow-up", use_inner_text=True
    )
    rows = follow_up.get_by_role("table", name="Open improvement actions").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Agree on a phone call seven days", use_inner_text=True)
    expect(rows.nth(1)).to_contain_text("Annie Gagnon", use_inner_text=True)
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "5-next-agenda-follows-up.png", full_page=True)

    # The same page in French, and on a phone.
    switch_language(page, "Français", "fr")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "6-next-agenda-phone-fr.png", full_page=True)


def test_the_seeded_year_reads_on_the_statistics_page(
    live_server, transactional_db, page, output_dir
):
    from maillage.seeding.generator import DEMO_PASSWORD, SCALES, NetworkGenerator, Scale

    demo = SCALES["demo"]
    NetworkGenerator(Scale("reviews", demo.organizations, demo.teams, demo.practitioners, 3)).run()
    base = live_server.url
    page.context.add_cookies([{"name": "maillage_language", "value": "en", "url": base}])
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill("practitioner@demo.maillage.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    # The home page has cards too: the groups' page is waited for before its first card.
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Cooperation reviews"
        ).click()
    assert axe_violations(page) == []
    page.locator("main .cards a").first.click()
    page.get_by_role("link", name="What the group learns").click()
    summary = page.locator("table.stats")
    # `all()` takes the rows there are, none while the page is on its way: the whole page.
    summary.wait_for()
    page.wait_for_load_state()
    figures = {
        row.locator("th").inner_text(): row.locator("td").inner_text()
        for row in summary.locator("tr").all()
    }
    assert figures["Meetings held"] == "10"
    assert figures["Situations presented"] == "10"
    assert figures["Malfunctions"] == "8"
    assert figures["Harmed the patient"] == "6"
    assert figures["Harmed the carer"] == "4"
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "seeded-year-statistics.png", full_page=True)


def test_a_meeting_ahead_cannot_be_held_and_closing_says_what_goes_back_to_the_queue(
    live_server, group, page, browser_watch, output_dir
):
    base = live_server.url
    today = timezone.localdate()
    moderator = group["moderator"]
    ahead = services.schedule_meeting(
        by=moderator,
        group=group["group"],
        starts_at=at(today + timedelta(days=21)),
    )
    services.submit_situation(
        by=group["nurse"],
        group=group["group"],
        kind="malfunction",
        title="Une orientation sans suivi",
        narrative="The mother was referred by fax and nobody called her for three weeks.",
        sectors=["primary_care", "substance_use"],
    )

    # Weeks ahead: no attendance, no five questions, no closing; the page says why.
    log_in(page, base, "moderator@example.org")
    page.goto(f"{base}/reviews/meetings/{ahead.id}/")
    notice = page.locator("#not-yet")
    assert "its attendance, the five questions and its closing are recorded from that day" in (
        notice.inner_text()
    )
    assert page.get_by_role("button", name="Record the meeting as held").count() == 0
    assert page.get_by_role("link", name="Attendance").count() == 0
    assert page.get_by_role("link", name="Record the five questions").count() == 0
    # Asked for all the same, the attendance page answers 409 with the reason.
    browser_watch.expect_error_status(r"/attendance/$")
    response = page.goto(f"{base}/reviews/meetings/{ahead.id}/attendance/")
    assert response.status == 409
    assert "can be recorded from that day on" in page.locator("main").inner_text()

    # The meeting moves to today; the situation proposed from the queue is not analysed.
    page.goto(f"{base}/reviews/meetings/{ahead.id}/")
    page.get_by_role("link", name="Change date or venue").click()
    page.get_by_label("Date and time").fill(today.strftime("%Y-%m-%dT13:30"))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Proposed from the queue").wait_for()
    page.get_by_role("button", name="Record the meeting as held").click()

    # Closing says out loud which situations go back to the queue, and asks to confirm.
    heading = page.get_by_role("heading", level=2, name="1 situation was not analysed")
    heading.wait_for()
    expect(page.locator("ul.left-in-queue")).to_have_text(
        "Une orientation sans suivi", use_inner_text=True
    )
    page.screenshot(path=output_dir / "1-closing-confirmation.png", full_page=True)
    page.get_by_role("button", name="Close the meeting all the same").click()
    page.get_by_text("The meeting is recorded as held").wait_for()
    warning = page.locator(".message.warning")
    expect(warning).to_contain_text(
        "1 situation was not analysed and goes back to the queue", use_inner_text=True
    )
    expect(warning).to_contain_text("Une orientation sans suivi", use_inner_text=True)
    page.screenshot(path=output_dir / "2-closed-with-warning.png", full_page=True)
