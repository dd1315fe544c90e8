"""The synthetic network: realistic, deterministic, bilingual, and loginable."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from maillage.core.models import Role, User
from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Sector,
    Team,
)
from maillage.families.models import Family
from maillage.seeding.generator import DEMO_PASSWORD, SCALES, NetworkGenerator
from tests.conftest import wipe_network

pytestmark = pytest.mark.django_db


def fingerprint() -> list:
    return (
        list(Organization.objects.order_by("code").values_list("code", "name", "sector"))
        + list(Team.objects.order_by("code").values_list("code", "name", "territory"))
        + sorted(Family.objects.values_list("search_text", "reasons"))
    )


def test_demo_network_has_every_sector_and_the_expected_size():
    result = NetworkGenerator(SCALES["demo"], seed=1).run()
    assert result.counts["organizations"] == 20
    assert result.counts["teams"] == 60
    assert result.counts["practitioners"] == 300
    assert set(Organization.objects.values_list("sector", flat=True)) == set(Sector.values)
    # Every team has exactly one lead; some practitioners work in two organizations.
    assert Membership.objects.filter(role=MembershipRole.LEAD).count() == 60
    assert Membership.objects.count() > 300


def wipe() -> None:
    wipe_network(accounts=True)


def test_same_seed_gives_the_same_network_and_another_seed_another():
    NetworkGenerator(SCALES["demo"], seed=3).run()
    first = fingerprint()
    wipe()
    NetworkGenerator(SCALES["demo"], seed=3).run()
    assert fingerprint() == first
    wipe()
    NetworkGenerator(SCALES["demo"], seed=4).run()
    assert fingerprint() != first


def test_network_speaks_french_and_english():
    NetworkGenerator(SCALES["region"].__class__("mini", 120, 200, 400, 10), seed=1).run()
    names = " ".join(Organization.objects.values_list("name", flat=True))
    assert "Centre de réadaptation" in names or "Maison de la famille" in names
    assert any(w in names for w in ("Hospital", "Family Resource Centre", "Psychology Clinic"))


def test_demo_logins_work_for_every_role():
    NetworkGenerator(SCALES["demo"], seed=1).run()
    for email, role in [
        ("practitioner@demo.maillage.test", Role.PRACTITIONER),
        ("lead@demo.maillage.test", Role.PRACTITIONER),
        ("coordinator@demo.maillage.test", Role.COORDINATOR),
        ("admin@demo.maillage.test", Role.ADMINISTRATOR),
    ]:
        request = RequestFactory().post("/login/")
        user = authenticate(request, username=email, password=DEMO_PASSWORD)
        assert user is not None and user.role == role, email
    lead = User.objects.get(email="lead@demo.maillage.test")
    assert lead.practitioner.memberships.filter(role=MembershipRole.LEAD).exists()


def test_seed_command_loads_once_and_refuses_to_seed_twice():
    call_command("seed", "--scale", "demo")
    assert Organization.objects.count() == 20
    call_command("seed", "--scale", "demo", "--if-empty")  # the demo's restart: no-op
    assert Organization.objects.count() == 20
    with pytest.raises(CommandError, match="already holds a network"):
        call_command("seed", "--scale", "demo")
