"""A review group on top of the shared `network` fixture: three member organizations, an
external moderator, three participants, and carers who are not in the group."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from maillage.directory.models import Membership, Organization, Practitioner, Sector, Team
from maillage.families.models import Caregiver, Family
from maillage.reviews import services
from tests.conftest import make_user


def at(day, hour=13, minute=30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def family_member(network):
    """Records a family with one caregiver: the guard knows every person on record."""

    def record(first_name: str, last_name: str) -> Caregiver:
        family = Family.objects.create(
            recording_organization=network["orgs"]["clsc"],
            created_by=network["users"]["nurse"],
        )
        return Caregiver.objects.create(family=family, first_name=first_name, last_name=last_name)

    return record


@pytest.fixture
def review(network):
    clsc, crd = network["orgs"]["clsc"], network["orgs"]["crd"]
    hospital = Organization.objects.create(
        code="hopital-saules", name="Hôpital des Saules", sector=Sector.HOSPITAL
    )
    ward = Team.objects.create(organization=hospital, code="hopital-maternite", name="Maternité")
    doctor = make_user("doctor@example.org")
    Membership.objects.create(
        team=ward,
        practitioner=Practitioner.objects.create(
            user=doctor,
            first_name="Jean-François",
            last_name="Lévesque",
            email=doctor.email,
            profession="physician",
        ),
    )
    users = network["users"]
    moderator = make_user("moderator@example.org")  # works for none of the organizations
    group = services.create_group(
        by=users["coordinator"],
        name="Revue de coopération des Saules",
        organizations=[clsc, crd, hospital],
        moderator=moderator,
        participants=[users["nurse"], users["worker"], doctor],
    )
    return {
        "group": group,
        "moderator": moderator,
        "nurse": users["nurse"],
        "worker": users["worker"],
        "doctor": doctor,
        "outsider": users["lead"],  # a carer of a member organization, not in the group
        "coordinator": users["coordinator"],
        "admin": users["admin"],
        "orgs": {"clsc": clsc, "crd": crd, "hospital": hospital},
    }


@pytest.fixture
def make_meeting(review):
    def make(days_from_now=0, **kwargs):
        day = timezone.localdate() + timedelta(days=days_from_now)
        return services.schedule_meeting(
            by=review["moderator"], group=review["group"], starts_at=at(day), **kwargs
        )

    return make


@pytest.fixture
def submit(review):
    def submit(by=None, title="Une orientation sans suivi", narrative=None, **kwargs):
        return services.submit_situation(
            by=by or review["nurse"],
            group=review["group"],
            kind=kwargs.pop("kind", "malfunction"),
            title=title,
            narrative=narrative
            or "La mère a été orientée vers le centre de réadaptation sans suivi conjoint.",
            sectors=kwargs.pop("sectors", [Sector.PRIMARY_CARE, Sector.SUBSTANCE_USE]),
            **kwargs,
        )

    return submit


@pytest.fixture
def analyse(review):
    def analyse(meeting, situation, **answers):
        fields = {
            "malfunction": "Chaque équipe croyait que l'autre assurait le suivi.",
            "malfunction_types": ["referral_only"],
            "patient_harm": "yes",
            "patient_harm_how": "Suivi prénatal retardé.",
            "carer_harm": "no",
            "avoidable": "yes",
        } | answers
        return services.record_analysis(
            by=review["moderator"], meeting=meeting, situation=situation, **fields
        )

    return analyse


@pytest.fixture
def moderator_client(client, review):
    client.force_login(review["moderator"])
    return client
