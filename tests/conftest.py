"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
DATABASE_URL says so (CI does)."""

import functools
import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management.commands import flush
from django.db import connection
from hypothesis import HealthCheck, settings

from maillage.core.models import Role, User
from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    Sector,
    ServiceOffer,
    ServiceType,
    Team,
)
from maillage.directory.services import (
    refresh_practitioner_search_text,
    refresh_team_search_text,
)

PASSWORD = "a long test password 2026"

# Property tests judge results, never time: on a busy 2-core machine (the parallel suite, CI)
# Hypothesis's deadline and its "too slow" health check failed tests whose results were right.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


# The audit table refuses DELETE and TRUNCATE at the database level. Transactional tests
# (the browser tests' live server) empty every table between tests with Django's flush:
# only for that, the triggers are lifted for the length of the flush.
_original_flush = flush.Command.handle


def _audit_tables(cursor) -> list[str]:
    """The audit table and, on PostgreSQL, its monthly partitions (each has its own
    TRUNCATE trigger: audit/partitions.py)."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'audit_auditevent'::regclass"
    )
    return ["audit_auditevent", *(row[0] for row in cursor.fetchall())]


def _flush_with_audit_triggers_lifted(self, *args, **options):
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            tables = _audit_tables(cursor)
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            return _original_flush(self, *args, **options)
        finally:
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    if vendor == "sqlite":
        triggers = importlib.import_module("maillage.audit.migrations.0003_append_only_trigger")
        with connection.cursor() as cursor:
            for statement in triggers.SQLITE_DOWN:
                cursor.execute(statement)
        try:
            return _original_flush(self, *args, **options)
        finally:
            with connection.cursor() as cursor:
                for statement in triggers.SQLITE_UP:
                    cursor.execute(statement)
    return _original_flush(self, *args, **options)


flush.Command.handle = _flush_with_audit_triggers_lifted


def wipe_network(*, accounts: bool = False) -> None:
    """Empties a generated network, in the order its protective foreign keys ask: what
    names a family (referrals, consultations, review meetings, plan actions, consents)
    before the families, the families before the directory."""
    from maillage.families.models import Consent, Family, PlanAction
    from maillage.referrals.models import Consultation, Referral
    from maillage.reviews.models import ReviewGroup

    Referral.objects.all().delete()
    Consultation.objects.all().delete()
    ReviewGroup.objects.all().delete()
    PlanAction.objects.all().delete()
    Consent.objects.all().delete()
    Family.objects.all().delete()
    # Programmes in practice name teams and practitioners (sites, training): before them.
    from maillage.implementation.models import Factor, Programme

    Factor.objects.all().delete()
    Programme.objects.all().delete()
    # Studies keep their coders' accounts (a coding protects its coder): before the accounts.
    from maillage.evaluation.models import Study

    Study.objects.all().delete()
    Membership.objects.all().delete()
    Practitioner.objects.all().delete()
    Organization.objects.all().delete()
    if accounts:
        User.objects.all().delete()


@functools.cache
def password_hash() -> str:
    # One Argon2 hash for every test account: hashing per user would dominate the suite.
    return make_password(PASSWORD)


def make_user(email: str, role: str = Role.PRACTITIONER, **extra) -> User:
    user = User(
        email=email, full_name=email.split("@")[0], role=role, password=password_hash(), **extra
    )
    user.save()
    return user


@pytest.fixture
def network(db):
    """A small network: two organizations in two sectors, three teams, a lead, members,
    and a practitioner shared between two organizations."""
    clsc = Organization.objects.create(
        code="clsc-nord",
        name="CLSC du Nord",
        sector=Sector.PRIMARY_CARE,
        territory="Vallée-des-Saules",
    )
    crd = Organization.objects.create(
        code="crd-saules",
        name="Centre de réadaptation en dépendance",
        sector=Sector.SUBSTANCE_USE,
        territory="Vallée-des-Saules",
    )
    perinatal = Team.objects.create(
        organization=clsc,
        code="clsc-nord-perinat",
        name="Périnatalité sociale",
        territory="Vallée-des-Saules",
        languages=",en,fr,",
    )
    family = Team.objects.create(
        organization=clsc,
        code="clsc-nord-famille",
        name="Enfance-famille",
        territory="Vallée-des-Saules",
    )
    mother_child = Team.objects.create(
        organization=crd,
        code="crd-mere-enfant",
        name="Équipe mère-enfant",
        territory="Vallée-des-Saules",
    )
    ServiceOffer.objects.create(
        team=perinatal,
        code="perinat-suivi",
        name="Suivi prénatal",
        service_type=ServiceType.PRENATAL_CARE,
        populations=",pregnant,",
        languages=",en,fr,",
    )
    ServiceOffer.objects.create(
        team=mother_child,
        code="crd-me",
        name="Programme mère-enfant",
        service_type=ServiceType.ADDICTION_TREATMENT,
        populations=",pregnant,substance_use,",
        languages=",fr,",
    )
    people = {}
    for key, team, role in [
        ("lead", perinatal, MembershipRole.LEAD),
        ("nurse", perinatal, MembershipRole.MEMBER),
        ("worker", mother_child, MembershipRole.MEMBER),
    ]:
        user = make_user(f"{key}@example.org")
        person = Practitioner.objects.create(
            user=user,
            first_name=key.title(),
            last_name="Test",
            email=user.email,
            profession="nurse",
            languages=",fr,",
        )
        Membership.objects.create(practitioner=person, team=team, role=role)
        people[key] = user
    # The liaison nurse works for both organizations: the map links them.
    Membership.objects.create(practitioner=people["nurse"].practitioner, team=mother_child)
    refresh_team_search_text(Team.objects.values_list("id", flat=True))
    refresh_practitioner_search_text(Practitioner.objects.all())
    people["coordinator"] = make_user("coordinator@example.org", Role.COORDINATOR)
    people["admin"] = make_user("admin@example.org", Role.ADMINISTRATOR)
    return {
        "orgs": {"clsc": clsc, "crd": crd},
        "teams": {"perinatal": perinatal, "family": family, "mother_child": mother_child},
        "users": people,
    }


@pytest.fixture
def verified_login(client):
    """Log a user in, passing the second factor when their role requires one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(user):
        client.force_login(user)
        if user.requires_second_factor:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client

    return login
