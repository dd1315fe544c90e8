"""Cross-training by immersion, end to end in a real browser: the coordinator creates a
programme and schedules a session at a host team; a practitioner signs up and fills the
before questionnaire; the host team's lead confirms and, once the day has come, records
attendance; the practitioner fills the after questionnaire; the programme page shows the
change.

Each person has their own browser context, switched to English with the header's language
button, so that the journey does not depend on the French catalog's wording. Two colleagues
take the same immersion off screen (through the services), so that the change has the three
respondents the page needs before it shows an aggregate. Every main page passes axe-core.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    Sector,
    Team,
)
from maillage.training import services
from maillage.training.models import ImmersionSession, Moment, SignUp
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "Formation croisée des Saules"
# Answers to the four default statements: the journey's practitioner, then two colleagues.
ANNIE = ([2, 2, 1, 3], [4, 4, 3, 4])
COLLEAGUES = {"luc": ([3, 3, 2, 2], [4, 3, 3, 3]), "sara": ([2, 1, 2, 2], [3, 3, 2, 4])}
SCALE = {1: "1 — Strongly disagree", 2: "2 — Disagree", 3: "3 — Neither agree nor disagree"}
SCALE |= {4: "4 — Agree", 5: "5 — Strongly agree"}


@pytest.fixture
def people(transactional_db):
    users = {}
    teams = {}
    for code, org_name, sector, team_name, members in [
        (
            "clsc-nord",
            "CLSC du Nord",
            Sector.PRIMARY_CARE,
            "Périnatalité sociale",
            [("lead", "Louise", "Lavoie", True)],
        ),
        (
            "crd-saules",
            "Centre de réadaptation en dépendance",
            Sector.SUBSTANCE_USE,
            "Équipe mère-enfant",
            [("annie", "Annie", "Gagnon", False), ("luc", "Luc", "Roy", False)],
        ),
        (
            "dpj-saules",
            "DPJ des Saules",
            Sector.CHILD_PROTECTION,
            "Application des mesures",
            [("sara", "Sara", "Tremblay", False)],
        ),
    ]:
        org = Organization.objects.create(code=code, name=org_name, sector=sector)
        team = Team.objects.create(
            organization=org, code=f"{code}-t", name=team_name, email=f"{code}@example.org"
        )
        teams[code] = team
        for key, first, last, lead in members:
            user = make_user(f"{key}@example.org")
            user.full_name = f"{first} {last}"
            user.save(update_fields=["full_name"])
            person = Practitioner.objects.create(
                user=user, first_name=first, last_name=last, email=user.email, profession="nurse"
            )
            Membership.objects.create(
                practitioner=person,
                team=team,
                role=MembershipRole.LEAD if lead else MembershipRole.MEMBER,
            )
            users[key] = user
    coordinator = make_user("coordinator@example.org", role="coordinator")
    coordinator.full_name = "Hélène Coordonnatrice"
    coordinator.save(update_fields=["full_name"])
    users["coordinator"] = coordinator
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    return {"users": users, "teams": teams, "device": device}


def open_as(new_context, base: str, email: str, *, device=None, phone: bool = False):
    """A browser context of its own for one person: English, logged in."""
    options: dict = {"locale": "fr-CA"}
    options |= (
        {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
        if phone
        else {}
    )
    page = new_context(**options).new_page()
    page.goto(f"{base}/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        page.get_by_role("heading", name="Enter your code").wait_for()
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.get_by_label("6-digit code from your authenticator app").fill(f"{code:06d}")
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")
    return page


def fill_questionnaire(page, values: list[int]) -> None:
    groups = page.locator("fieldset.choices")
    expect(groups).to_have_count(len(values))
    for index, value in enumerate(values):
        groups.nth(index).get_by_label(SCALE[value], exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you: your answers are recorded.").wait_for()


def test_a_programme_from_creation_to_the_change_it_makes(
    live_server, people, new_context, output_dir
):
    base = live_server.url
    today = timezone.localdate()
    users, teams = people["users"], people["teams"]

    # 1. The coordinator creates the programme with three teams and the default topics.
    coordinator = open_as(new_context, base, "coordinator@example.org", device=people["device"])
    # axe-core on the programmes' page, not on the home page the click leaves.
    with coordinator.expect_navigation():
        coordinator.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Cross-training"
        ).click()
    assert axe_violations(coordinator) == []
    coordinator.get_by_role("link", name="New programme").click()
    coordinator.get_by_label("Name of the programme").fill(PROGRAMME)
    coordinator.get_by_label("Starts on").fill(today.isoformat())
    coordinator.get_by_label("Ends on").fill((today + timedelta(days=3 * 365)).isoformat())
    participating = coordinator.get_by_role("group", name="Participating teams")
    for label in (
        "Périnatalité sociale — CLSC du Nord",
        "Équipe mère-enfant — Centre de réadaptation en dépendance",
        "Application des mesures — DPJ des Saules",
    ):
        participating.get_by_label(label).check()
    assert "Harm reduction" in coordinator.get_by_label("Topics").input_value()
    assert axe_violations(coordinator) == []
    coordinator.screenshot(path=output_dir / "1-new-programme.png", full_page=True)
    coordinator.get_by_role("button", name="Create the programme").click()
    coordinator.get_by_role("heading", level=1, name=PROGRAMME).wait_for()
    programme_url = coordinator.url

    # 2. ... and schedules an immersion at the perinatal team, three places.
    coordinator.get_by_role("link", name="Schedule a session").click()
    coordinator.get_by_label("Host team").select_option(label="Périnatalité sociale — CLSC du Nord")
    day = today + timedelta(days=14)
    coordinator.get_by_label("Date and time").fill(f"{day.isoformat()}T09:00")
    coordinator.get_by_label("Places for visitors").fill("3")
    coordinator.get_by_role("group", name="Topics").get_by_label(
        "Effects of psychotropic drugs on the foetus, the child and the parenting role"
    ).check()
    shows = coordinator.get_by_role("group", name="What the host shows", exact=True)
    shows.get_by_label("Home visits shadowed").check()
    shows.get_by_label("Team meetings attended").check()
    coordinator.get_by_label("Agenda").fill("9 h accueil\n10 h rencontre d'équipe\n13 h visite")
    coordinator.get_by_role("button", name="Schedule the session").click()
    coordinator.get_by_role("heading", level=1, name="Immersion at Périnatalité sociale").wait_for()
    expect(coordinator.locator("#places")).to_have_text("0 of 3 taken, 3 left", use_inner_text=True)
    assert axe_violations(coordinator) == []
    coordinator.screenshot(path=output_dir / "2-session-scheduled.png", full_page=True)
    session = ImmersionSession.objects.get()

    # 3. Annie, of the addiction team, finds the session, signs up, fills the before form.
    annie = open_as(new_context, base, "annie@example.org")
    annie.get_by_role("navigation", name="Main").get_by_role("link", name="Cross-training").click()
    annie.get_by_role("link", name=PROGRAMME).click()
    annie.locator("#sessions ~ .table-scroll").get_by_role("link").first.click()
    annie.get_by_role("button", name="Sign up").click()
    annie.get_by_text("You are signed up.").wait_for()
    expect(annie.locator("#places")).to_have_text("1 of 3 taken, 2 left", use_inner_text=True)
    annie.get_by_role("link", name="Fill the before questionnaire").click()
    annie.get_by_role("heading", level=1, name="Before my immersion").wait_for()
    expect(annie.get_by_role("group", name="I know whom to call there.")).to_be_visible()
    assert axe_violations(annie) == []
    annie.screenshot(path=output_dir / "3-before-questionnaire.png", full_page=True)
    fill_questionnaire(annie, ANNIE[0])

    # Off screen, two colleagues sign up and answer too.
    programme = session.programme
    items = [str(i.pk) for i in programme.questionnaire_items.all()]
    colleague_sign_ups = {}
    for key, (before, _after) in COLLEAGUES.items():
        sign_up = services.sign_up(by=users[key], session=session)
        services.answer_self_assessment(
            by=users[key],
            sign_up=sign_up,
            moment=Moment.BEFORE,
            answers=dict(zip(items, before, strict=True)),
        )
        colleague_sign_ups[key] = sign_up

    # 4. The host team's lead confirms the three sign-ups.
    lead = open_as(new_context, base, "lead@example.org")
    lead.goto(f"{base}/training/sessions/{session.id}/")
    for name in ("Annie Gagnon", "Luc Roy", "Sara Tremblay"):
        lead.get_by_role("button", name=f"Confirm {name}").click()
        lead.get_by_text(f"{name}'s place is confirmed.").wait_for()
    assert axe_violations(lead) == []
    lead.screenshot(path=output_dir / "4-sign-ups-confirmed.png", full_page=True)

    # The day of the immersion comes and goes.
    ImmersionSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=6)
    )

    # 5. The lead records attendance: all three came.
    lead.reload()
    lead.get_by_role("link", name="Record attendance").click()
    came = lead.get_by_role("group", name="Who came")
    for name in ("Annie Gagnon", "Luc Roy", "Sara Tremblay"):
        expect(came.get_by_label(name)).to_be_checked()
    assert axe_violations(lead) == []
    lead.get_by_role("button", name="Record attendance").click()
    lead.get_by_text("Attendance is recorded: 3 present.").wait_for()
    for key, sign_up in colleague_sign_ups.items():
        services.answer_self_assessment(
            by=users[key],
            sign_up=SignUp.objects.get(pk=sign_up.pk),
            moment=Moment.AFTER,
            answers=dict(zip(items, COLLEAGUES[key][1], strict=True)),
        )

    # 6. Annie fills the after questionnaire from her immersions, then reads her answers.
    annie.get_by_role("navigation", name="Main").get_by_role("link", name="Cross-training").click()
    annie.get_by_role("link", name="My immersions").click()
    annie.get_by_role("link", name="Fill the after questionnaire").click()
    annie.get_by_role("heading", level=1, name="After my immersion").wait_for()
    fill_questionnaire(annie, ANNIE[1])
    annie.get_by_role("link", name="See my answers").nth(1).click()
    mine = annie.get_by_role("table", name="My answers").locator("tbody td:nth-child(2)")
    # `all_inner_texts` reads what is there, nothing while the answers' page is on its way.
    expect(mine).to_have_text([str(v) for v in ANNIE[1]], use_inner_text=True)
    assert axe_violations(annie) == []
    annie.screenshot(path=output_dir / "5-my-answers-after.png", full_page=True)

    # 7. The programme page shows the change, as an aggregate of the three respondents.
    # Mean differences per respondent: Annie 1.75, Luc 0.75, Sara 1.25 -> change 1.25;
    # s = 0.5, t(0.975, 2) = 4.303 -> 1.25 ± 1.242, from 0.01 to 2.49.
    coordinator.goto(programme_url)
    table = coordinator.get_by_role("table", name="Change in self-assessments, paired")
    overall = table.get_by_role("row").filter(has_text="All statements")
    assert overall.locator("td").all_inner_texts() == ["3", "2.08", "3.33", "1.25", "0.01 – 2.49"]
    chart = coordinator.get_by_role(
        "img", name="Change in self-assessments after the immersion (mean and 95 % interval)"
    )
    assert chart.is_visible()
    page_text = coordinator.locator("main").inner_text()
    for name in ("Annie Gagnon", "Luc Roy", "Sara Tremblay"):
        assert name not in page_text  # aggregates only
    assert axe_violations(coordinator) == []
    coordinator.locator("#effects").screenshot(path=output_dir / "6-programme-change.png")
    coordinator.screenshot(path=output_dir / "7-programme-page.png", full_page=True)

    # The programme page and the questionnaire read on a phone too.
    phone = open_as(new_context, base, "annie@example.org", phone=True)
    phone.goto(programme_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(phone) == []
    phone.screenshot(path=output_dir / "8-programme-phone.png", full_page=True)
    assert teams  # the three teams of the fixture took part


def test_the_seeded_programme_reads_well_with_its_phases_charts_and_pairs(
    live_server, transactional_db, new_context, output_dir
):
    """The demo network's three-phase programme, as its coordinator sees it."""
    from maillage.core.models import User
    from maillage.seeding.generator import DEMO_PASSWORD, SCALES, NetworkGenerator
    from maillage.training.models import Programme

    NetworkGenerator(SCALES["demo"], seed=1).run()
    coordinator = User.objects.get(email="coordinator@demo.maillage.test")
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    base = live_server.url
    page = new_context().new_page()
    page.goto(f"{base}/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("6-digit code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")

    programme = Programme.objects.get()
    page.goto(f"{base}/training/programmes/{programme.id}/")
    page.get_by_role("heading", level=1, name=programme.name).wait_for()
    assert page.get_by_role("heading", name="Phases").is_visible()
    # Both maps of the current phase load as images.
    maps = page.locator(".map-pair img")
    assert maps.count() == 2
    page.wait_for_function(
        "[...document.querySelectorAll('.map-pair img')].every(i => i.naturalWidth === 1600)"
    )
    overall = (
        page.get_by_role("table", name="Change in self-assessments, paired")
        .get_by_role("row")
        .filter(has_text="All statements")
    )
    assert float(overall.locator("td").nth(3).inner_text()) > 0
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "1-seeded-programme.png", full_page=True)

    page.get_by_role("link", name="Which teams should meet next").click()
    first_reason = page.locator("table.pairings tbody tr").first.locator("td").nth(2)
    expect(first_reason).to_contain_text(
        re.compile("training together|trained together"), use_inner_text=True
    )
    assert axe_violations(page) == []
    page.screenshot(path=output_dir / "2-seeded-pairings.png", full_page=True)
