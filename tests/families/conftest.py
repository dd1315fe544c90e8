"""A family followed by a CLSC (the recording organization) and, under consent, by a
partner from an addiction-treatment centre; and everyone around who should see nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.core.models import Role
from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    Sector,
    Team,
)
from maillage.families import services
from maillage.families.models import Category, ConsentMethod, EntryKind, Visibility
from tests.conftest import make_user

PARTNER_CATEGORIES = [Category.IDENTITY, Category.PLAN]


def practitioner(email: str, team: Team, role=MembershipRole.MEMBER):
    user = make_user(email)
    first, last = email.split("@")[0].title(), "Test"
    person = Practitioner.objects.create(
        user=user, first_name=first, last_name=last, email=email, profession="nurse"
    )
    Membership.objects.create(practitioner=person, team=team, role=role)
    return user


@pytest.fixture
def care(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clsc = Organization.objects.create(
        code="clsc", name="CLSC des Saules", sector=Sector.PRIMARY_CARE
    )
    crd = Organization.objects.create(
        code="crd", name="CRD des Saules", sector=Sector.SUBSTANCE_USE
    )
    hospital = Organization.objects.create(
        code="hop", name="Hôpital des Saules", sector=Sector.HOSPITAL
    )
    perinatal = Team.objects.create(organization=clsc, code="clsc-p", name="Périnatalité")
    family_team = Team.objects.create(organization=clsc, code="clsc-f", name="Enfance-famille")
    mother_child = Team.objects.create(organization=crd, code="crd-me", name="Mère-enfant")
    obstetrics = Team.objects.create(organization=hospital, code="hop-o", name="Obstétrique")
    users = {
        "owner": practitioner("owner@clsc.example.org", perinatal),
        "colleague": practitioner("colleague@clsc.example.org", family_team),
        "partner": practitioner("partner@crd.example.org", mother_child),
        "partner_lead": practitioner("chief@crd.example.org", mother_child, MembershipRole.LEAD),
        "outsider": practitioner("outsider@hop.example.org", obstetrics),
        "coordinator": make_user("coordinator@example.org", Role.COORDINATOR),
        "admin": make_user("admin@example.org", Role.ADMINISTRATOR),
    }
    family = services.create_family(
        by=users["owner"],
        team=perinatal,
        role="Infirmière de liaison",
        caregivers=[
            services.CaregiverData(
                first_name="Mélanie",
                last_name="Côté",
                date_of_birth=timezone.localdate() - timedelta(days=9000),
                phone="(819) 555-0199",
            )
        ],
        children=[services.ChildData(due_date=timezone.localdate() + timedelta(days=60))],
        reasons=["substance_use", "pregnancy"],
        reasons_in_own_words="Je veux garder mon bébé avec moi.",
    )
    mother = family.caregivers.get()
    consent = services.record_consent(
        by=users["owner"],
        family=family,
        given_by=mother,
        organizations=[crd],
        categories=PARTNER_CATEGORIES,
        purpose="Suivi conjoint de grossesse",
        method=ConsentMethod.SIGNED_FORM,
        scan=SimpleUploadedFile(
            "consentement.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n"
        ),
    )
    partner_member = services.add_circle_member(
        by=users["owner"],
        family=family,
        practitioner=users["partner"].practitioner,
        team=mother_child,
        role="Intervenante en dépendance",
    )
    goal = services.add_goal(
        by=users["owner"],
        family=family,
        need="Un logement stable",
        goal="Trouver un logement avant la naissance",
    )
    action = services.add_action(
        by=users["owner"],
        goal=goal,
        description="Demande HLM",
        owner=partner_member,
        due_date=timezone.localdate() + timedelta(days=14),
    )
    note = services.add_entry(
        by=users["owner"],
        family=family,
        kind=EntryKind.CONTACT_NOTE,
        category=Category.NOTES,
        text="Rencontre au CLSC, se sent seule.",
    )
    plan_entry = services.add_entry(
        by=users["owner"],
        family=family,
        kind=EntryKind.EVENT,
        category=Category.PLAN,
        text="Plan signé par Mélanie.",
    )
    private = services.add_entry(
        by=users["owner"],
        family=family,
        kind=EntryKind.CONTACT_NOTE,
        category=Category.PLAN,
        visibility=Visibility.PRIVATE,
        text="Mon impression personnelle.",
    )
    for user in users.values():
        user.__dict__.pop("_family_access", None)
    return {
        "users": users,
        "family": family,
        "consent": consent,
        "mother": mother,
        "orgs": {"clsc": clsc, "crd": crd, "hospital": hospital},
        "teams": {
            "perinatal": perinatal,
            "family": family_team,
            "mother_child": mother_child,
            "obstetrics": obstetrics,
        },
        "goal": goal,
        "action": action,
        "partner_member": partner_member,
        "entries": {"note": note, "plan": plan_entry, "private": private},
    }
