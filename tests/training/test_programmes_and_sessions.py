"""Programmes and sessions: who runs them, what they start with, what is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from maillage.audit.models import AuditEvent
from maillage.directory.models import Organization, Sector, Team
from maillage.training import services
from maillage.training.models import (
    HostActivity,
    IllegalTransition,
    ImmersionSession,
    Programme,
    SessionStatus,
)
from tests.training.conftest import at

pytestmark = pytest.mark.django_db


def test_a_new_programme_starts_with_the_default_topics_and_statements_in_both_languages(
    training,
):
    programme = training["programme"]
    assert programme.coordinator == training["users"]["coordinator"]
    assert programme.programme_teams.count() == 3
    topics = list(programme.topics.all())
    items = list(programme.questionnaire_items.all())
    assert len(topics) == 4 and len(items) == 4
    with translation.override("en"):
        assert topics[0].name.startswith("Effects of psychotropic drugs on the foetus")
        assert [i.text for i in items] == [
            "I know this partner's mandate and services.",
            "I know whom to call there.",
            "I feel able to explain the effects of substance use on the foetus, the child and "
            "parenting.",
            "I would refer a family to them.",
        ]
    with translation.override("fr"):
        assert topics[1].name == "Procédures en protection de la jeunesse"
        assert items[1].text == "Je sais qui appeler chez ce partenaire."
    event = AuditEvent.objects.get(object_id=str(programme.pk))
    assert event.details["event"] == "training_programme_created"


def test_a_translatable_item_falls_back_to_the_version_it_has(training):
    coordinator = training["users"]["coordinator"]
    topic = services.add_topic(
        by=coordinator, programme=training["programme"], name_fr="Pères et entourage"
    )
    with translation.override("en"):
        assert topic.name == "Pères et entourage"
    with pytest.raises(ValidationError) as error:
        services.add_topic(by=coordinator, programme=training["programme"], name_fr=" ")
    assert "name_fr" in error.value.message_dict


def test_a_programme_needs_two_teams_and_writes_nothing_otherwise(training):
    with pytest.raises(ValidationError) as error:
        services.create_programme(
            by=training["users"]["coordinator"],
            name="Seule",
            starts_on=timezone.localdate(),
            teams=[training["teams"]["perinatal"]],
        )
    assert "teams" in error.value.message_dict
    assert Programme.objects.count() == 1


def test_only_coordinators_and_administrators_create_programmes(training):
    for key in ("nurse", "lead"):
        with pytest.raises(PermissionDenied):
            services.create_programme(
                by=training["users"][key],
                name="Non",
                starts_on=timezone.localdate(),
                teams=list(training["teams"].values()),
            )
    assert services.create_programme(
        by=training["users"]["admin"],
        name="Oui",
        starts_on=timezone.localdate(),
        teams=[training["teams"]["perinatal"], training["teams"]["protection"]],
    )


def test_a_session_is_scheduled_at_a_programme_team_with_its_topics_and_activities(
    training, make_session
):
    topics = list(training["programme"].topics.all()[:2])
    session = make_session(
        topics=topics,
        host_activities=[HostActivity.TEAM_MEETING, HostActivity.HOME_VISIT],
        agenda="9 h accueil",
    )
    assert session.status == SessionStatus.SCHEDULED
    assert list(session.topics.all()) == topics
    assert session.host_activity_codes == ["home_visit", "team_meeting"]
    assert session.ends_at - session.starts_at == timedelta(minutes=240)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"host": "outsider"}, "host_team"),
        ({"days": -1}, "starts_at"),
        ({"days": 800}, "starts_at"),
        ({"capacity": 0}, "capacity"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"host_activities": ["juggling"]}, "host_activities"),
    ],
)
def test_bad_session_input_names_the_field_and_writes_nothing(
    training, make_session, change, field
):
    if change.get("host") == "outsider":
        org = Organization.objects.create(code="x", name="Ailleurs", sector=Sector.SCHOOL)
        change["host"] = Team.objects.create(organization=org, code="x-t", name="École")
    with pytest.raises(ValidationError) as error:
        make_session(**change)
    assert field in error.value.message_dict
    assert ImmersionSession.objects.count() == 0


def test_topics_of_another_programme_are_refused(training, make_session):
    other = services.create_programme(
        by=training["users"]["coordinator"],
        name="Autre",
        starts_on=timezone.localdate(),
        teams=[training["teams"]["perinatal"], training["teams"]["protection"]],
    )
    with pytest.raises(ValidationError) as error:
        make_session(topics=[other.topics.first()])
    assert "topics" in error.value.message_dict


def test_a_session_joins_the_phase_its_date_falls_in_even_if_the_phase_comes_later(
    training, make_session
):
    coordinator, programme = training["users"]["coordinator"], training["programme"]
    early = make_session(days=10)
    today = timezone.localdate()
    phase = services.add_phase(
        by=coordinator,
        programme=programme,
        name_fr="Phase 1",
        name_en="Phase 1",
        starts_on=today,
        ends_on=today + timedelta(days=60),
    )
    early.refresh_from_db()
    assert early.phase == phase
    assert make_session(days=20).phase == phase
    assert make_session(days=90).phase is None


def test_overlapping_or_outside_phases_are_refused(training):
    coordinator, programme = training["users"]["coordinator"], training["programme"]
    today = timezone.localdate()
    services.add_phase(
        by=coordinator, programme=programme, starts_on=today, ends_on=today + timedelta(days=30)
    )
    with pytest.raises(ValidationError) as error:
        services.add_phase(
            by=coordinator,
            programme=programme,
            starts_on=today + timedelta(days=10),
            ends_on=today + timedelta(days=50),
        )
    assert "overlap" in error.value.message_dict["starts_on"][0]
    with pytest.raises(ValidationError):
        services.add_phase(
            by=coordinator,
            programme=programme,
            starts_on=today - timedelta(days=900),
            ends_on=today - timedelta(days=800),
        )
    assert programme.phases.count() == 1


def test_cancelling_a_session_twice_is_an_illegal_transition(training, session):
    coordinator = training["users"]["coordinator"]
    services.cancel_session(by=coordinator, session=session)
    session.refresh_from_db()
    assert (session.status, session.sequence) == (SessionStatus.CANCELLED, 1)
    with pytest.raises(IllegalTransition, match="Cannot go from"):
        services.cancel_session(by=coordinator, session=session)


def test_practitioners_do_not_schedule_sessions(training):
    with pytest.raises(PermissionDenied):
        services.schedule_session(
            by=training["users"]["lead"],
            programme=training["programme"],
            host_team=training["teams"]["perinatal"],
            starts_at=at(timezone.localdate() + timedelta(days=3)),
            duration_minutes=180,
            capacity=3,
        )
