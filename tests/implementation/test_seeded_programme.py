"""The demo network's programme in practice: several sites along the stages, ~200 enrolled
families with sessions and fidelity, two years of self-assessments, ~40 register entries;
the same seed gives the same programme."""

import pytest

from maillage.implementation.models import (
    Enrolment,
    Factor,
    FactorCategory,
    ProgrammeSession,
    Site,
    SustainabilityAssessment,
)
from maillage.seeding.generator import SCALES, NetworkGenerator
from tests.conftest import wipe_network

pytestmark = pytest.mark.django_db


def fingerprint():
    return sorted(
        map(
            str,
            Enrolment.objects.values_list("status", "referred_on", "enrolled_on", "exit_reason"),
        )
    ) + sorted(map(str, ProgrammeSession.objects.values_list("held_on", "attended")))


def test_the_demo_programme_is_realistic_and_deterministic():
    NetworkGenerator(SCALES["demo"], seed=1).run()
    assert Site.objects.count() >= 3
    enrolled = Enrolment.objects.exclude(enrolled_on=None).count()
    assert 150 <= enrolled <= 200
    assert ProgrammeSession.objects.count() > 1000
    assert set(SustainabilityAssessment.objects.values_list("year", flat=True)).__len__() == 2
    assert Factor.objects.count() == 40
    assert set(Factor.objects.values_list("category", flat=True)) == set(FactorCategory.values)
    first = fingerprint()
    wipe_network(accounts=True)
    NetworkGenerator(SCALES["demo"], seed=1).run()
    assert fingerprint() == first
