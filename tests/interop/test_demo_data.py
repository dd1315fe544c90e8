"""Every resource type we serve, from `maillage seed --scale demo`'s network, validates
with fhir.resources; every search walked page by page to its end returns each row exactly
once, as many as its `total`."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from maillage.core.models import User
from maillage.directory.models import MembershipRole
from maillage.families import selectors as family_selectors
from maillage.families.models import CircleMember
from maillage.referrals.models import Referral

from .conftest import Fhir, validate

pytestmark = pytest.mark.django_db

TYPES = [
    "Organization",
    "Location",
    "HealthcareService",
    "Practitioner",
    "PractitionerRole",
    "Patient",
    "RelatedPerson",
    "CareTeam",
    "CarePlan",
    "Goal",
    "Consent",
    "ServiceRequest",
    "Task",
]


def walk_once(client: Fhir, kind: str, count: int, **params) -> list[dict]:
    """The whole search, page by page: every row exactly once, as many as the total."""
    first = client.get(kind, _count=count, **params).json()
    found = client.walk(kind, _count=count, **params)
    ids = Counter(r["id"] for r in found)
    assert not [i for i, n in ids.items() if n > 1], f"{kind}: rows seen twice"
    assert len(ids) == first["total"], (kind, len(ids), first["total"])
    return found


def busiest(field: str, **filters) -> User:
    """The practitioner with the most of something: the longest walks."""
    row = (
        CircleMember.objects.filter(left_at__isnull=True, **filters)
        .values(field)
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return User.objects.get(practitioner__id=row[field])


def test_every_resource_type_from_the_demo_network_is_valid_fhir_and_pages_exactly_once(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed", "--scale", "demo")
    follower = busiest("practitioner", is_lead=True)
    receiver = User.objects.get(
        practitioner__memberships__team_id=Referral.objects.values("to_team_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["to_team_id"],
        practitioner__memberships__role=MembershipRole.LEAD,
    )
    seen: Counter = Counter()
    for user in (follower, receiver):
        partner = Fhir(client, user)
        for kind in TYPES:
            found = walk_once(partner, kind, count=7 if kind in ("Task", "Patient") else 50)
            seen[kind] += len(found)
            # Each resource read alone is the same valid resource (a sample of each type).
            for resource in found[:3]:
                response = partner.get(f"{kind}/{resource['id']}")
                assert response.status_code == 200, (kind, response.content)
                validate(response.json())
    # The access report of a family the follower leads (they may read it).
    led = CircleMember.objects.filter(practitioner__user=follower, is_lead=True).first()
    mother = led.family.caregivers.first()
    # Reading the report is itself logged: the walk sees, exactly once each, every event
    # there when it began, and the reads it made on the way.
    there = {
        f"{e.id}.{e.about(led.family_id).listing_index}" if e.is_listing else str(e.id)
        for e in family_selectors.access_report(led.family)
    }
    report = Fhir(client, follower).walk("AuditEvent", _count=5, patient=str(mother.id))
    ids = Counter(r["id"] for r in report)
    assert max(ids.values()) == 1
    assert {str(i) for i in there} <= set(ids)
    seen["AuditEvent"] += len(report)
    # The walks went through real data of every type.
    assert all(seen[kind] > 0 for kind in [*TYPES, "AuditEvent"]), seen
