"""The pages of programmes in practice: the French walk through forms, bad input shown on the
field with nothing written, the dashboard's bounded queries on two sizes, the CSV, and a
review malfunction filed into the register in one step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from maillage.families import services as family_services
from maillage.implementation import services
from maillage.implementation.models import (
    Enrolment,
    Factor,
    HeardIn,
    Programme,
    ProgrammeSession,
    SiteStage,
)

from .conftest import COMPONENTS, days_ago

pytestmark = pytest.mark.django_db


def test_a_coordinator_creates_a_programme_on_the_page(programme_setup, client, verified_login):
    c = verified_login(programme_setup["coordinator"])
    response = c.post(
        reverse("implementation:programme_create"),
        {
            "name_fr": "Programme B",
            "name_en": "Programme B",
            "planned_dose": "8",
            "core_components": "Un\nDeux\n\n",
        },
    )
    assert response.status_code == 302
    assert Programme.objects.get(name_fr="Programme B").core_components == ["Un", "Deux"]


def test_a_stage_finished_before_it_started_shows_on_the_field(
    programme_setup, client, verified_login
):
    s = programme_setup
    c = verified_login(s["coordinator"])
    response = c.post(
        reverse("implementation:stage_record", args=[s["site"].id]),
        {
            "stage": "engagement",
            "started_on": days_ago(5).isoformat(),
            "finished_on": days_ago(9).isoformat(),
            "activities_planned": "0",
            "activities_done": "0",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    assert 'id="id_finished_on_error"' in response.content.decode()
    assert not SiteStage.objects.exists()


def test_fidelity_nine_on_the_page_is_shown_on_its_field_and_nothing_is_written(
    enrolled, client, verified_login
):
    s = enrolled
    c = verified_login(s["users"]["owner"])
    response = c.post(
        reverse("implementation:enrolment", args=[s["enrolment"].id]),
        {
            "action": "session",
            "held_on": days_ago(2).isoformat(),
            "attended": "on",
            "fidelity_1": "9",
            "rated_by": "practitioner",
        },
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert 'id="id_fidelity_1_error"' in content
    assert COMPONENTS[1].replace("'", "&#x27;") in content
    assert not ProgrammeSession.objects.exists()


def test_a_session_before_enrolment_via_the_api_is_422_naming_the_field(
    enrolled, client, verified_login
):
    s = enrolled
    c = verified_login(s["users"]["owner"])
    response = c.post(
        f"/api/v1/implementation/enrolments/{s['enrolment'].id}/sessions",
        {"held_on": days_ago(60).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["held_on"]  # the API's one shape
    assert not ProgrammeSession.objects.exists()


def test_a_duplicate_enrolment_on_the_page_names_the_field(enrolled, client, verified_login):
    s = enrolled
    c = verified_login(s["users"]["owner"])
    response = c.post(
        reverse("implementation:family", args=[s["family"].id]),
        {"site": s["site"].id, "referred_on": days_ago(1).isoformat()},
    )
    assert response.status_code == 422
    assert 'id="id_site_error"' in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_the_session_shows_in_the_family_timeline(enrolled, client, verified_login):
    s = enrolled
    services.record_session(
        by=s["users"]["owner"], enrolment=s["enrolment"], held_on=days_ago(3), note="Séance 1"
    )
    c = verified_login(s["users"]["owner"])
    with translation.override("fr"):
        response = c.get(reverse("families:timeline", args=[s["family"].id]))
    assert "Séance 1" in response.content.decode()


def _families(s, count):
    owner = s["users"]["owner"]
    for k in range(count):
        family = family_services.create_family(
            by=owner,
            team=s["teams"]["perinatal"],
            role="Infirmière",
            caregivers=[family_services.CaregiverData(first_name=f"P{k}", last_name="Test")],
            children=[],
            reasons=["parenting"],
        )
        enrolment = services.enrol_family(
            by=owner,
            family=family,
            site=s["site"],
            referred_on=days_ago(50),
            offered_on=days_ago(45),
            enrolled_on=days_ago(40),
        )
        for d in (30, 20):
            services.record_session(
                by=owner,
                enrolment=enrolment,
                held_on=days_ago(d),
                fidelity={COMPONENTS[0]: 3 + k % 3},
                rated_by="practitioner",
            )


@pytest.mark.parametrize("size", [2, 12])
def test_the_dashboard_runs_a_bounded_number_of_queries(
    programme_setup, client, verified_login, size, django_assert_max_num_queries
):
    s = programme_setup
    _families(s, size)
    c = verified_login(s["coordinator"])
    c.get(reverse("implementation:dashboard", args=[s["programme"].id]))  # warm the session
    with django_assert_max_num_queries(22):
        response = c.get(reverse("implementation:dashboard", args=[s["programme"].id]))
    assert response.status_code == 200
    for k in range(size):
        assert f"P{k} Test" not in response.content.decode()


def test_the_csv_says_its_charset_and_neutralizes_formulas(programme_setup, client, verified_login):
    s = programme_setup
    services.add_factor(
        by=s["coordinator"],
        polarity="barrier",
        category="external",
        title="=HYPERLINK(1)",
        heard_in=HeardIn.FOCUS_GROUP,
        heard_on=days_ago(1),
    )
    c = verified_login(s["coordinator"])
    response = c.get(reverse("implementation:dashboard_csv", args=[s["programme"].id]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM: spreadsheets read the accents right
    # (Formula payloads: tests/security/test_csv_formulas.py, with every CSV of the product.)


def test_a_review_malfunction_is_filed_into_the_register_in_one_step(
    programme_setup, client, verified_login
):
    from maillage.reviews import services as review_services
    from maillage.reviews.models import (
        Analysis,
        GroupMembership,
        GroupRole,
        Meeting,
        ReviewGroup,
        Situation,
    )

    s = programme_setup
    moderator = s["users"]["owner"]
    group = ReviewGroup.objects.create(name="RDC", created_by=s["coordinator"])
    GroupMembership.objects.create(
        group=group, user=moderator, role=GroupRole.MODERATOR, organization=s["orgs"]["clsc"]
    )
    meeting = Meeting.objects.create(
        group=group,
        starts_at=timezone.now() - timedelta(days=7),
        host=s["orgs"]["clsc"],
        scheduled_by=s["coordinator"],
    )
    situation = Situation.objects.create(
        group=group,
        title="Référence sans retour",
        narrative="…",
        sectors=",hospital,primary_care,",
        meeting=meeting,
        status="presented",
    )
    Analysis.objects.create(
        situation=situation,
        meeting=meeting,
        malfunction="Personne n'a rappelé la famille.",
        patient_harm="yes",
        carer_harm="no",
        avoidable="yes",
    )
    assert review_services  # the reviews app's own services are untouched
    c = verified_login(moderator)
    response = c.post(
        reverse("implementation:file_situation", args=[situation.id]),
        {"category": "organizational"},
    )
    assert response.status_code == 302
    factor = Factor.objects.get()
    assert factor.heard_in == HeardIn.REVIEW
    assert factor.sector_codes == ["hospital", "primary_care"]
    assert factor.description == "Personne n'a rappelé la famille."
    # Twice is refused with the reason.
    again = c.post(reverse("implementation:file_situation", args=[situation.id]), {})
    assert again.status_code == 409
    # Someone who is not the group's moderator cannot see the situation.
    other = verified_login(s["users"]["partner"])
    assert (
        other.post(reverse("implementation:file_situation", args=[situation.id])).status_code == 404
    )


def test_every_page_renders_in_french_for_the_coordinator(enrolled, client, verified_login):
    s = enrolled
    c = verified_login(s["coordinator"])
    factor = services.add_factor(
        by=s["coordinator"],
        polarity="facilitator",
        category="family",
        title="Visites à domicile",
        heard_in=HeardIn.SUPERVISION,
        heard_on=days_ago(2),
    )
    for url in [
        reverse("implementation:programmes"),
        reverse("implementation:programme", args=[s["programme"].id]),
        reverse("implementation:site", args=[s["site"].id]),
        reverse("implementation:dashboard", args=[s["programme"].id]),
        reverse("implementation:register"),
        reverse("implementation:factor", args=[factor.id]),
        reverse("implementation:items"),
        reverse("implementation:adaptation_create", args=[s["programme"].id]),
    ]:
        response = c.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fr", "Tableau de bord du site — Périnatalité"), ("en", "Site dashboard — Périnatalité")],
)
def test_the_site_dashboard_shows_its_own_figures_and_no_family(
    enrolled, client, verified_login, language, heading
):
    s = enrolled
    services.record_session(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        held_on=days_ago(10),
        fidelity={COMPONENTS[0]: 4},
        rated_by="practitioner",
    )
    services.record_stage(
        by=s["coordinator"], site=s["site"], stage="engagement", started_on=days_ago(90)
    )
    c = verified_login(s["lead"])
    site_page = c.get(reverse("implementation:site", args=[s["site"].id]))
    url = reverse("implementation:site_dashboard", args=[s["site"].id])
    assert url in site_page.content.decode()
    response = c.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    content = response.content.decode()
    assert heading in content
    board = response.context["board"]
    assert sum(board.statuses.values()) == 1
    assert board.no_shows.denominator == 1
    assert list(board.fidelity_by_site) == [s["site"].id]
    assert "Mélanie" not in content and "Côté" not in content
    # A practitioner of the site who does not lead it: aggregates are for leads.
    owner = verified_login(s["users"]["owner"])
    assert owner.get(url).status_code == 404


def test_a_departure_recorded_on_its_page_shows_as_capacity_lost(
    programme_setup, client, verified_login
):
    s = programme_setup
    owner = s["users"]["owner"].practitioner
    services.record_training(
        by=s["coordinator"], site=s["site"], practitioner=owner, kind="initial", on=days_ago(100)
    )
    c = verified_login(s["lead"])
    url = reverse("implementation:departures", args=[s["site"].id])
    assert c.get(url).status_code == 200
    bad = c.post(url, {"practitioner": owner.id, "left_on": days_ago(200).isoformat()})
    assert bad.status_code == 422
    assert "left_on" in bad.context["form"].errors
    response = c.post(url, {"practitioner": owner.id, "left_on": days_ago(5).isoformat()})
    assert response.status_code == 302
    page = c.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert str(owner) in page
    assert "0 intervenante formée dans l'équipe aujourd'hui" in page
    site_page = c.get(reverse("implementation:site", args=[s["site"].id])).content.decode()
    assert str(owner) in site_page.split("capacité perdue")[1]


def test_the_dashboard_pages_its_practitioners(enrolled, client, verified_login, monkeypatch):
    """A region's programme has hundreds of practitioners: the table shows a page of them, in
    the order of their names, and the pager leads to the others."""
    from maillage.implementation import views
    from maillage.implementation.models import PractitionerTally

    s = enrolled
    services.record_session(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        held_on=days_ago(10),
        fidelity={COMPONENTS[0]: 4},
        rated_by="practitioner",
    )
    # A colleague's rated sessions, as their running counts hold them (tallies.py).
    colleague = s["lead"].practitioner
    PractitionerTally.objects.create(
        site=s["site"],
        practitioner=colleague,
        sessions=2,
        attended=2,
        rated=2,
        fidelity_sum=5.0,
    )
    monkeypatch.setattr(views, "PRACTITIONERS_PER_PAGE", 1)
    owner = s["users"]["owner"].practitioner
    first, second = sorted([(str(owner), "4,00"), (str(colleague), "2,50")])
    c = verified_login(s["coordinator"])
    url = reverse("implementation:dashboard", args=[s["programme"].id])
    pages = [c.get(url).content.decode(), c.get(url, {"page": 2}).content.decode()]
    for page, (shown, mean), (hidden, _other) in zip(
        pages, [first, second], [second, first], strict=True
    ):
        table = page.split('id="fidelity-people"', 1)[1].split("</table>", 1)[0]
        assert shown in table and mean in table
        assert hidden not in table
    assert "Page 1 sur 2" in pages[0] or "Page 1 of 2" in pages[0]
    # Absurd pages answer a page, never an error: past the end the last, a word the first.
    for absurd, shown in [(10**22, second), ("abc", first), (-3, second)]:
        response = c.get(url, {"page": absurd})
        assert response.status_code == 200
        table = response.content.decode().split('id="fidelity-people"', 1)[1]
        assert shown[0] in table.split("</table>", 1)[0]


def test_the_programme_dashboard_shows_a_row_per_site_with_its_names_escaped(
    enrolled, client, verified_login
):
    """The rows per site (links, fidelity, trained capacity) are joined in the view: each
    name is escaped, each site's figures are in its own row."""
    s = enrolled
    s["teams"]["perinatal"].name = "Périnatalité <b>&</b>"
    s["teams"]["perinatal"].save()
    services.record_session(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        held_on=days_ago(10),
        fidelity={COMPONENTS[0]: 4},
        rated_by="practitioner",
    )
    services.record_training(
        by=s["coordinator"],
        site=s["site"],
        practitioner=s["users"]["owner"].practitioner,
        kind="initial",
        on=days_ago(100),
    )
    c = verified_login(s["coordinator"])
    content = c.get(
        reverse("implementation:dashboard", args=[s["programme"].id]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    name = "Périnatalité &lt;b&gt;&amp;&lt;/b&gt;"
    assert "<b>&</b>" not in content
    for site, team in ((s["site"], name), (s["other_site"], "Obstétrique")):
        link = reverse("implementation:site_dashboard", args=[site.id])
        assert f'<a href="{link}">{team}</a>' in content
    assert f"<tr><td>{name}</td><td>4,00</td></tr>" in content
    assert f'<tr><th scope="row">{name}</th><td>1</td><td>0</td></tr>' in content
