"""Pairing suggestions on constructed data: which pairs of teams should meet next, and why."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.directory.models import Organization, Sector, Team
from maillage.families.models import CircleMember, Family
from maillage.training import pairing, services
from maillage.training.pairing import last_quarter
from tests.training.conftest import add_practitioner

pytestmark = pytest.mark.django_db


def share_families(training, a: tuple[Team, object], b: tuple[Team, object], count: int):
    for _ in range(count):
        family = Family.objects.create(
            recording_organization=a[0].organization, created_by=training["users"]["lead"]
        )
        for team, person in (a, b):
            CircleMember.objects.create(family=family, practitioner=person, team=team)


@pytest.fixture
def constructed(training, make_session, run_immersion):
    """Four teams in four sectors.

    - perinatal (CLSC) and mother-child (CRD): 12 shared families, 3 referrals from the CLSC
      to the CRD declined last quarter, never trained together;
    - mother-child and the DPJ: 12 shared families too, but two immersions together;
    - the DPJ and an early-childhood centre: 2 shared families, sectors that should meet;
    - the early-childhood centre and the CLSC: nothing in common.
    """
    from maillage.referrals.models import Referral

    users, teams = training["users"], training["teams"]
    cpe = Organization.objects.create(
        code="cpe-lucioles", name="CPE Les Lucioles", sector=Sector.EARLY_CHILDHOOD
    )
    early = Team.objects.create(organization=cpe, code="cpe-t", name="Pouponnière")
    educator = add_practitioner(early, "educator")
    services.add_teams(by=users["coordinator"], programme=training["programme"], teams=[early])
    perinatal = (teams["perinatal"], users["lead"].practitioner)
    mother_child = (teams["mother_child"], users["worker"].practitioner)
    protection = (teams["protection"], users["protector"].practitioner)
    share_families(training, perinatal, mother_child, 12)
    share_families(training, mother_child, protection, 12)
    share_families(training, protection, (early, educator.practitioner), 2)
    quarter_start, _end = last_quarter(timezone.localdate())
    sent = datetime.combine(
        quarter_start + timedelta(days=10), time(10), tzinfo=timezone.get_current_timezone()
    )
    family = Family.objects.first()
    for _ in range(3):
        Referral.objects.create(
            family=family,
            referrer=users["lead"],
            from_team=teams["perinatal"],
            to_team=teams["mother_child"],
            reason="Suivi en dépendance",
            status="rejected",
            requested_at=sent,
        )
    for days in (5, 12):
        held = make_session(host=teams["protection"], days=days)
        run_immersion(held, {"worker": ([2] * 4, [3] * 4)}, days_ago=days * 3)
    return {**teams, "early": early}


def test_a_pair_with_many_shared_families_and_no_training_comes_first(training, constructed):
    suggestions = pairing.suggest_pairs(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )
    first = suggestions[0]
    assert {first.team_a, first.team_b} == {constructed["perinatal"], constructed["mother_child"]}
    assert first.reason.startswith(
        "12 shared families, no training together, 3 declined referrals last quarter"
    )
    # The pair with as many families but two immersions together comes after.
    ranked = [{s.team_a.code, s.team_b.code} for s in suggestions]
    trained = ranked.index({"crd-mere-enfant", "dpj-application"})
    assert trained > ranked.index({"dpj-application", "cpe-t"})
    assert "trained together 2 times" in suggestions[trained].reason
    # Nothing in common, sectors that need not meet: not proposed.
    assert {"clsc-nord-perinat", "cpe-t"} not in ranked


def test_sectors_that_should_meet_are_proposed_even_without_shared_families(training, constructed):
    suggestions = pairing.suggest_pairs(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )
    pair = next(
        s for s in suggestions if {s.team_a.code, s.team_b.code} == {"crd-mere-enfant", "cpe-t"}
    )
    assert pair.reason == "no training together, sectors that should work together"


def test_teams_of_one_organization_are_never_paired(training):
    services.add_teams(
        by=training["users"]["coordinator"],
        programme=training["programme"],
        teams=[training["teams"]["family"]],
    )
    suggestions = pairing.suggest_pairs(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )
    assert all(s.team_a.organization_id != s.team_b.organization_id for s in suggestions)


def test_the_pairing_page_ranks_and_explains_for_coordinators_only(
    training, constructed, client, english, verified_login
):
    url = reverse("training:pairings", args=[training["programme"].id])
    client.force_login(training["users"]["lead"])
    assert client.get(url).status_code == 404
    verified_login(training["users"]["coordinator"])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "12 shared families, no training together, 3 declined referrals last quarter" in body
    assert body.index("Périnatalité sociale") < body.index("Pouponnière")
    api = client.get(f"/api/v1/training/programmes/{training['programme'].id}/pairings")
    assert api.json()[0]["shared_families"] == 12
