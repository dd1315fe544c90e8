"""A programme delivered by two sites (the CLSC's perinatal team, the hospital's obstetrics
team), around the family of tests/families/conftest.py: the owner works at the first site
and follows the family; the hospital's practitioner works at the other site and sees
aggregates only."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import Role
from maillage.implementation import services
from tests.conftest import make_user
from tests.families.conftest import care, practitioner  # noqa: F401 - shared fixtures

COMPONENTS = ["Réflexion sur l'enfant", "Régulation émotionnelle", "Alliance"]


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def _restore_default_sustainability_items() -> None:
    """The default items come from a data migration; a transactional test (a browser
    walk's live server) that ran earlier in the same worker flushed them away."""
    from django.apps import apps

    from maillage.implementation.models import SustainabilityItem

    if not SustainabilityItem.objects.exists():
        migration = importlib.import_module(
            "maillage.implementation.migrations.0002_default_sustainability_items"
        )
        migration.add_items(apps, None)


@pytest.fixture
def programme_setup(care):  # noqa: F811 - the fixture imported above
    _restore_default_sustainability_items()
    coordinator = care["users"]["coordinator"]
    programme = services.create_programme(
        by=coordinator,
        name_fr="Materner de l'intérieur",
        name_en="Mothering from the Inside Out",
        planned_dose=12,
        core_components=COMPONENTS,
        eligibility="Mères qui consomment, enfant de 0 à 5 ans.",
    )
    site = services.add_site(by=coordinator, programme=programme, team=care["teams"]["perinatal"])
    other_site = services.add_site(
        by=coordinator, programme=programme, team=care["teams"]["obstetrics"]
    )
    lead = practitioner("lead@clsc.example.org", care["teams"]["perinatal"], role="lead")
    return {
        **care,
        "coordinator": coordinator,
        "programme": programme,
        "site": site,
        "other_site": other_site,
        "lead": lead,
    }


@pytest.fixture
def enrolled(programme_setup):
    s = programme_setup
    enrolment = services.enrol_family(
        by=s["users"]["owner"],
        family=s["family"],
        site=s["site"],
        referred_on=days_ago(40),
        offered_on=days_ago(35),
        enrolled_on=days_ago(30),
    )
    return {**s, "enrolment": enrolment}


def make_coordinator(email="coord2@example.org"):
    return make_user(email, Role.COORDINATOR)
