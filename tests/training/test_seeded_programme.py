"""The generator's cross-training stage: a three-phase programme with sessions and
questionnaires, in French and English, whose indicators come out of the app itself."""

import pytest
from django.utils import timezone, translation

from maillage.core.models import User
from maillage.seeding.generator import SCALES, NetworkGenerator
from maillage.training import indicators, pairing
from maillage.training.models import (
    ImmersionSession,
    Programme,
    SelfAssessment,
    SessionStatus,
    SignUp,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    result = NetworkGenerator(SCALES["demo"], seed=1).run()
    return result


def test_demo_network_has_a_three_phase_programme_with_sessions_and_questionnaires(seeded):
    programme = Programme.objects.get()
    assert seeded.counts["training_programmes"] == 1
    phases = list(programme.phases.all())
    assert [p.number for p in phases] == [1, 2, 3]
    for phase in phases:
        assert ImmersionSession.objects.filter(phase=phase).count() >= 6
    assert 2 <= programme.programme_teams.count() <= 14
    # Two phases are over; the third has sessions held and sessions open for sign-ups.
    today = timezone.localdate()
    assert phases[0].ends_on < today < phases[2].ends_on
    third = ImmersionSession.objects.filter(phase=phases[2])
    assert third.filter(status=SessionStatus.HELD).exists()
    assert third.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()).exists()
    held = SignUp.objects.filter(session__status=SessionStatus.HELD)
    assert held.filter(attended=True).exists()
    assert (
        SelfAssessment.objects.filter(moment="before").count()
        > SelfAssessment.objects.filter(moment="after").count()
        > 20
    )


def test_seeded_topics_statements_and_phases_read_in_french_and_english(seeded):
    programme = Programme.objects.get()
    topic = programme.topics.first()
    item = programme.questionnaire_items.first()
    phase = programme.phases.first()
    with translation.override("fr"):
        assert "psychotropes" in topic.name
        assert item.text.startswith("Je connais")
        assert phase.name.startswith("Phase 1 — Se connaître")
    with translation.override("en"):
        assert "psychotropic" in topic.name
        assert item.text.startswith("I know this partner")
        assert phase.name == "Phase 1 — Getting to know each other"


def test_seeded_programme_shows_a_positive_paired_change_and_pairs_to_meet(seeded):
    programme = Programme.objects.get()
    coordinator = User.objects.get(email="coordinator@demo.maillage.test")
    changes = indicators.self_assessment_change(fetched_by=coordinator, programme=programme)
    overall = changes[-1]
    assert overall.item is None and overall.shown
    assert overall.respondents >= indicators.MIN_RESPONDENTS
    assert overall.change > 0 and overall.low > 0
    assert pairing.suggest_pairs(fetched_by=coordinator, programme=programme)
    rates = indicators.pair_rates(fetched_by=coordinator, programme=programme)
    joint = [g for g in rates if g.measure == "joint_follow_ups"]
    assert joint[0].available and sum(g.pairs_with_data for g in joint) > 0


def test_the_stage_draws_from_a_stream_of_its_own_the_same_in_every_run():
    import random

    from maillage.seeding.training import own_stream

    generator = random.Random(1)
    # The same in every process (no hash of None, no address), and the generator's own
    # stream is left where it was: the stages after this one are unchanged.
    assert own_stream(generator).random() == 0.44074254250065725
    assert generator.random() == random.Random(1).random()
