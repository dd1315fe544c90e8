"""A cross-training programme on top of the shared `network` fixture.

The network's perinatal team (CLSC, led by `lead`) hosts; the addiction team (CRD, where
`worker` and `nurse` work) and a youth-protection team (DPJ, with `protector`) visit. Time
passing is simulated by moving a session's start into the past, as the days would.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from maillage.core.models import User
from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    Sector,
    Team,
)
from maillage.training import services
from maillage.training.models import ImmersionSession, Moment
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def in_english():
    """Messages are asserted in English: the French catalog is the translators' to fill."""
    with translation.override("en"):
        yield


@pytest.fixture
def english(client):
    """Pages in English for this client, as if the user had pressed "English"."""
    client.cookies["maillage_language"] = "en"
    return client


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


def add_practitioner(team: Team, key: str, *, lead: bool = False) -> User:
    user = make_user(f"{key}@example.org")
    user.full_name = f"{key.title()} Test"
    user.save(update_fields=["full_name"])
    person = Practitioner.objects.create(
        user=user, first_name=key.title(), last_name="Test", email=user.email, profession="nurse"
    )
    Membership.objects.create(
        practitioner=person,
        team=team,
        role=MembershipRole.LEAD if lead else MembershipRole.MEMBER,
    )
    return user


@pytest.fixture
def training(network):
    teams = network["teams"]
    users = dict(network["users"])
    dpj = Organization.objects.create(
        code="dpj-saules", name="DPJ des Saules", sector=Sector.CHILD_PROTECTION
    )
    protection = Team.objects.create(
        organization=dpj, code="dpj-application", name="Application des mesures"
    )
    users["protector"] = add_practitioner(protection, "protector")
    users["dpj_lead"] = add_practitioner(protection, "dpjlead", lead=True)
    today = timezone.localdate()
    programme = services.create_programme(
        by=users["coordinator"],
        name="Formation croisée des Saules",
        starts_on=today - timedelta(days=400),
        ends_on=today + timedelta(days=400),
        teams=[teams["perinatal"], teams["mother_child"], protection],
    )
    return {
        "programme": programme,
        "users": users,
        "teams": {**teams, "protection": protection},
        "orgs": {**network["orgs"], "dpj": dpj},
    }


@pytest.fixture
def make_session(training):
    def make(host=None, *, days=7, capacity=4, **kwargs) -> ImmersionSession:
        return services.schedule_session(
            by=training["users"]["coordinator"],
            programme=training["programme"],
            host_team=host or training["teams"]["perinatal"],
            starts_at=at(timezone.localdate() + timedelta(days=days)),
            duration_minutes=kwargs.pop("duration_minutes", 240),
            capacity=capacity,
            **kwargs,
        )

    return make


@pytest.fixture
def session(make_session):
    return make_session()


def move_to_past(session: ImmersionSession, *, days: int = 1) -> ImmersionSession:
    """The day of the session has come and gone."""
    ImmersionSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=days)
    )
    session.refresh_from_db()
    return session


def answers_for(programme, values) -> dict[str, int]:
    items = list(programme.questionnaire_items.filter(is_active=True))
    return {str(item.pk): value for item, value in zip(items, values, strict=True)}


@pytest.fixture
def run_immersion(training):
    """Takes several practitioners through one immersion: sign-up, before questionnaire,
    confirmation by the host's lead, the day itself, attendance, after questionnaire."""

    def run(session, people: dict[str, tuple[list[int], list[int] | None]], *, days_ago=1):
        programme = training["programme"]
        lead = training["users"]["lead"] if session.host_team.code == "clsc-nord-perinat" else None
        decider = lead or training["users"]["coordinator"]
        sign_ups = {}
        for key, (before, _after) in people.items():
            user = training["users"][key]
            sign_up = services.sign_up(by=user, session=session)
            services.answer_self_assessment(
                by=user,
                sign_up=sign_up,
                moment=Moment.BEFORE,
                answers=answers_for(programme, before),
            )
            services.confirm_sign_up(by=decider, sign_up=sign_up)
            sign_ups[key] = sign_up
        move_to_past(session, days=days_ago)
        services.record_attendance(
            by=decider,
            session=session,
            present=[s.pk for key, s in sign_ups.items() if people[key][1] is not None],
        )
        for key, (_before, after) in people.items():
            if after is not None:
                sign_ups[key].refresh_from_db()
                services.answer_self_assessment(
                    by=training["users"][key],
                    sign_up=sign_ups[key],
                    moment=Moment.AFTER,
                    answers=answers_for(programme, after),
                )
        return sign_ups

    return run
