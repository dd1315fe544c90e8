"""The cross-training pages: who reaches what, bad input on the forms, bounded queries, and
the network map with its "trained together" links before and after a phase."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import Role
from maillage.training import services
from maillage.training.models import (
    Answer,
    ImmersionSession,
    Moment,
    Programme,
    ProgrammeTeam,
    SelfAssessment,
    SessionStatus,
    SignUp,
    SignUpStatus,
)
from tests.conftest import make_user
from tests.training.conftest import add_practitioner, at, move_to_past

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_up(training, session):
    return services.sign_up(by=training["users"]["worker"], session=session)


def routes(training, session, sign_up) -> dict[str, str]:
    programme = training["programme"]
    return {
        "programmes": reverse("training:programmes"),
        "mine": reverse("training:mine"),
        "create": reverse("training:programme_create"),
        "programme": reverse("training:programme", args=[programme.id]),
        "manage": reverse("training:programme_manage", args=[programme.id]),
        "pairings": reverse("training:pairings", args=[programme.id]),
        "csv": reverse("training:effects_csv", args=[programme.id]),
        "map": reverse("training:map_svg", args=[programme.id]),
        "schedule": reverse("training:session_create", args=[programme.id]),
        "session": reverse("training:session", args=[session.id]),
        "ics": reverse("training:ics", args=[session.id]),
        "attendance": reverse("training:attendance", args=[session.id]),
        "before": reverse("training:self_assessment", args=[sign_up.id, "before"]),
    }


# Expected status per route for: a practitioner of a visiting team who signed up (worker),
# a practitioner of a visiting team who did not (protector), the host team's lead, and the
# coordinator. 404 where the object is not to be known, 403 where the page is.
MATRIX = {
    "programmes": (200, 200, 200, 200),
    "mine": (200, 200, 200, 200),
    "create": (403, 403, 403, 200),
    "programme": (200, 200, 200, 200),
    "manage": (404, 404, 404, 200),
    "pairings": (404, 404, 404, 200),
    "csv": (404, 404, 200, 200),
    "map": (404, 404, 200, 200),
    "schedule": (404, 404, 404, 200),
    "session": (200, 200, 200, 200),
    "ics": (200, 200, 200, 200),
    "attendance": (403, 403, 200, 200),
    "before": (200, 404, 404, 404),
}


def test_every_route_sends_anonymous_visitors_to_the_login_page(training, session, sign_up, client):
    for name, url in routes(training, session, sign_up).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_authorization_matrix(training, session, sign_up, client, verified_login):
    urls = routes(training, session, sign_up)
    people = ["worker", "protector", "lead", "coordinator"]
    for column, key in enumerate(people):
        verified_login(training["users"][key])
        for name, url in urls.items():
            assert client.get(url).status_code == MATRIX[name][column], (key, name)


def test_a_coordinator_who_has_not_passed_the_second_factor_is_sent_to_it(training, client):
    client.force_login(training["users"]["coordinator"])
    response = client.get(reverse("training:programme_create"))
    assert response.status_code == 302 and "second-factor" in response["Location"]


def test_creating_a_programme_with_bad_input_names_the_fields_and_writes_nothing(
    training, client, english, verified_login
):
    verified_login(training["users"]["coordinator"])
    response = client.post(
        reverse("training:programme_create"),
        {
            "name": "Deuxième programme",
            "starts_on": "2027-01-10",
            "ends_on": "2026-01-10",
            "teams": [str(training["teams"]["perinatal"].id)],
            "topics": "   \n",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"ends_on", "topics", "teams"}
    assert "The end date is before the start date." in errors["ends_on"]
    assert "A programme brings together at least two teams." in response.content.decode()
    assert Programme.objects.count() == 1


def test_a_coordinator_creates_a_programme_and_schedules_a_session_through_the_pages(
    training, client, english, verified_login
):
    verified_login(training["users"]["coordinator"])
    teams = training["teams"]
    response = client.post(
        reverse("training:programme_create"),
        {
            "name": "Deuxième programme",
            "starts_on": timezone.localdate().isoformat(),
            "teams": [str(teams["perinatal"].id), str(teams["protection"].id)],
            "topics": "Réduction des méfaits | Harm reduction\n| Fathers",
        },
    )
    programme = Programme.objects.get(name="Deuxième programme")
    assert response["Location"] == reverse("training:programme", args=[programme.id])
    assert [(t.name_fr, t.name_en) for t in programme.topics.all()] == [
        ("Réduction des méfaits", "Harm reduction"),
        ("", "Fathers"),
    ]
    when = at(timezone.localdate() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("training:session_create", args=[programme.id]),
        {
            "host_team": str(teams["protection"].id),
            "starts_at": when,
            "duration_minutes": "180",
            "capacity": "3",
            "topics": [str(programme.topics.first().id)],
            "host_activities": ["team_meeting"],
        },
    )
    session = ImmersionSession.objects.get(programme=programme)
    assert response["Location"] == reverse("training:session", args=[session.id])
    assert session.capacity == 3 and session.host_activity_codes == ["team_meeting"]


def test_scheduling_in_the_past_says_so_on_the_page(training, client, english, verified_login):
    verified_login(training["users"]["coordinator"])
    response = client.post(
        reverse("training:session_create", args=[training["programme"].id]),
        {
            "host_team": str(training["teams"]["perinatal"].id),
            "starts_at": "2020-01-01T09:00",
            "duration_minutes": "180",
            "capacity": "3",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"] == ["The session must start in the future."]
    assert ImmersionSession.objects.count() == 0


def test_the_manage_page_adds_a_phase_a_topic_a_statement_and_a_team(
    training, client, english, verified_login
):
    verified_login(training["users"]["coordinator"])
    programme = training["programme"]
    url = reverse("training:programme_manage", args=[programme.id])
    today = timezone.localdate()
    assert (
        client.post(
            url,
            {
                "add": "phase",
                "phase-name_fr": "Phase 1",
                "phase-name_en": "Phase 1",
                "phase-starts_on": today.isoformat(),
                "phase-ends_on": (today + timedelta(days=90)).isoformat(),
            },
        ).status_code
        == 302
    )
    client.post(url, {"add": "topic", "topic-name_fr": "Pères", "topic-name_en": "Fathers"})
    client.post(url, {"add": "item", "item-text_en": "I know their intake criteria."})
    client.post(url, {"add": "teams", "teams-teams": [str(training["teams"]["family"].id)]})
    assert programme.phases.count() == 1
    assert programme.topics.filter(name_en="Fathers").exists()
    assert programme.questionnaire_items.count() == 5
    assert programme.programme_teams.count() == 4
    bad = client.post(url, {"add": "topic", "topic-name_fr": "", "topic-name_en": ""})
    assert bad.status_code == 200
    assert "Write it in French, in English, or in both." in bad.content.decode()


def test_sign_up_confirm_and_attendance_through_the_pages(
    training, session, client, english, verified_login
):
    client.force_login(training["users"]["worker"])
    response = client.post(reverse("training:sign_up", args=[session.id]))
    assert response.status_code == 302
    sign_up = SignUp.objects.get()
    page = client.get(reverse("training:session", args=[session.id])).content.decode()
    assert "Fill the before questionnaire" in page
    client.force_login(training["users"]["lead"])
    page = client.get(reverse("training:session", args=[session.id])).content.decode()
    assert "Worker Test" in page and "Confirm" in page
    client.post(reverse("training:confirm", args=[sign_up.id]))
    sign_up.refresh_from_db()
    assert sign_up.status == SignUpStatus.CONFIRMED
    move_to_past(session)
    response = client.post(
        reverse("training:attendance", args=[session.id]), {"present": [str(sign_up.id)]}
    )
    assert response.status_code == 302
    sign_up.refresh_from_db()
    session.refresh_from_db()
    assert sign_up.attended is True and session.status == SessionStatus.HELD
    client.force_login(training["users"]["worker"])
    mine = client.get(reverse("training:mine")).content.decode()
    assert "Fill the after questionnaire" in mine


# --- bounded queries ----------------------------------------------------------------------


def grow_programmes(training, count: int) -> None:
    teams = list(training["teams"].values())[:2]
    for n in range(count):
        programme = Programme.objects.create(
            name=f"Programme {n}", starts_on=timezone.localdate() - timedelta(days=n)
        )
        ProgrammeTeam.objects.bulk_create(ProgrammeTeam(programme=programme, team=t) for t in teams)


@pytest.mark.parametrize("size", [3, 30])
def test_programme_list_runs_a_bounded_number_of_queries(
    training, client, size, django_assert_max_num_queries
):
    grow_programmes(training, size)
    client.force_login(training["users"]["worker"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("training:programmes"))
    assert len(response.context["page"]) == min(size + 1, 20)


def grow_sessions(training, count: int, people: int) -> None:
    """`count` held sessions with `people` attendees each, who answered both questionnaires:
    rows written in bulk, as the generator does."""
    programme = training["programme"]
    visitors = [
        add_practitioner(training["teams"]["mother_child"], f"visitor{n}") for n in range(people)
    ]
    items = list(programme.questionnaire_items.all())
    topics = list(programme.topics.all())[:2]
    now = timezone.now()
    for n in range(count):
        session = ImmersionSession.objects.create(
            programme=programme,
            host_team=training["teams"]["perinatal"],
            starts_at=now - timedelta(days=n + 1),
            duration_minutes=180,
            capacity=people,
            status=SessionStatus.HELD,
        )
        session.topics.set(topics)
        sign_ups = SignUp.objects.bulk_create(
            SignUp(
                session=session,
                practitioner=user.practitioner,
                team=training["teams"]["mother_child"],
                status=SignUpStatus.CONFIRMED,
                attended=True,
            )
            for user in visitors
        )
        assessments = SelfAssessment.objects.bulk_create(
            SelfAssessment(sign_up=s, moment=moment, submitted_at=now + timedelta(minutes=n))
            for s in sign_ups
            for moment in (Moment.BEFORE, Moment.AFTER)
        )
        Answer.objects.bulk_create(
            Answer(assessment=a, item=item, value=2 if a.moment == Moment.BEFORE else 4)
            for a in assessments
            for item in items
        )


@pytest.mark.parametrize(("sessions", "people"), [(2, 3), (25, 6)])
def test_programme_page_with_effects_runs_a_bounded_number_of_queries(
    training, client, sessions, people, django_assert_max_num_queries, verified_login
):
    grow_sessions(training, sessions, people)
    verified_login(training["users"]["coordinator"])
    url = reverse("training:programme", args=[training["programme"].id]) + "?when=all"
    with django_assert_max_num_queries(24):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"]) == min(sessions, 20)
    assert response.context["changes"][-1].respondents == people


@pytest.mark.parametrize("people", [2, 30])
def test_session_page_runs_a_bounded_number_of_queries(
    training, client, people, django_assert_max_num_queries
):
    session = ImmersionSession.objects.create(
        programme=training["programme"],
        host_team=training["teams"]["perinatal"],
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=180,
        capacity=40,
    )
    for n in range(people):
        visitor = add_practitioner(training["teams"]["mother_child"], f"v{n}")
        SignUp.objects.create(
            session=session,
            practitioner=visitor.practitioner,
            team=training["teams"]["mother_child"],
        )
    client.force_login(training["users"]["lead"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("training:session", args=[session.id]))
    assert len(response.context["sign_ups"]) == people


@pytest.mark.parametrize("count", [2, 30])
def test_my_immersions_runs_a_bounded_number_of_queries(
    training, client, count, django_assert_max_num_queries
):
    worker = training["users"]["worker"]
    for n in range(count):
        session = ImmersionSession.objects.create(
            programme=training["programme"],
            host_team=training["teams"]["perinatal"],
            starts_at=timezone.now() + timedelta(days=n + 1),
            duration_minutes=180,
            capacity=4,
        )
        SignUp.objects.create(
            session=session,
            practitioner=worker.practitioner,
            team=training["teams"]["mother_child"],
        )
    client.force_login(worker)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("training:mine"))
    assert len(response.context["page"]) == min(count, 20)


# --- the network map ------------------------------------------------------------------------


def test_the_map_shows_trained_together_links_before_and_after_a_phase(
    training, session, run_immersion, client, verified_login
):
    coordinator, programme = training["users"]["coordinator"], training["programme"]
    today = timezone.localdate()
    phase = services.add_phase(
        by=coordinator,
        programme=programme,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    run_immersion(session, {"protector": ([2] * 4, [4] * 4)}, days_ago=3)
    verified_login(coordinator)
    url = reverse("training:map_svg", args=[programme.id])
    before = client.get(url, {"phase": phase.id, "moment": "before"}).content.decode()
    after = client.get(url, {"phase": phase.id, "moment": "after"}).content.decode()
    # Three organizations of the programme; the CLSC and the DPJ trained together in the phase.
    assert before.count("<circle") == after.count("<circle") == 3
    assert 'stroke-dasharray="10 6"' not in before
    assert after.count('stroke-dasharray="10 6"') == 1
    page = client.get(reverse("training:programme", args=[programme.id]))
    change = page.context["phase_change"]
    assert (change.pairs_before, change.pairs_after) == (0, 1)
    assert [(a.name, b.name) for a, b, _n in change.new_pairs] in (
        [("Périnatalité sociale", "Application des mesures")],
        [("Application des mesures", "Périnatalité sociale")],
    )


def test_the_directory_map_is_unchanged_without_training(training, client):
    client.force_login(training["users"]["worker"])
    body = client.get(reverse("directory:network_map_svg")).content.decode()
    assert "stroke-dasharray" not in body


def test_an_administrator_without_a_team_may_not_sign_up(training, session, client):
    admin = make_user("admin2@example.org", Role.ADMINISTRATOR)
    assert not admin.has_perm("training.sign_up", session)
