"""The venue rotates between member organizations: the one that hosted least recently is
proposed, ties go to the one that has waited longest, and the moderator may override."""

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from maillage.audit.models import AuditEvent
from maillage.directory.models import Organization, Sector
from maillage.reviews import selectors, services
from maillage.reviews.models import MeetingStatus
from tests.reviews.conftest import at

pytestmark = pytest.mark.django_db


def test_rotation_over_a_year_is_fair(review):
    group, moderator = review["group"], review["moderator"]
    # A fourth member joins later: it waits its turn behind the founding members.
    newcomer = Organization.objects.create(
        code="cdf", name="Maison de la famille", sector=Sector.COMMUNITY_ORGANIZATION
    )
    services.add_member_organization(by=review["coordinator"], group=group, organization=newcomer)
    first = timezone.localdate() + timedelta(days=7)
    hosts = []
    for month in range(10):  # about ten meetings in a year
        meeting = services.schedule_meeting(
            by=moderator, group=group, starts_at=at(first + timedelta(days=35 * month))
        )
        hosts.append(meeting.host.code)
    founding = ["clsc-nord", "crd-saules", "hopital-saules"]
    # The founding members first, in the order they joined, then the newcomer; then again.
    assert hosts[:4] == [*founding, "cdf"]
    assert hosts[4:8] == hosts[:4] and hosts[8:] == hosts[:2]
    counts = Counter(hosts)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert all(a != b for a, b in pairwise(hosts))  # never twice in a row


def test_override_is_kept_and_the_rotation_goes_on_from_it(review, make_meeting):
    orgs = review["orgs"]
    assert selectors.propose_host(review["group"]) == orgs["clsc"]
    overridden = make_meeting(days_from_now=7, host=orgs["hospital"])
    assert overridden.host == orgs["hospital"]
    event = AuditEvent.objects.filter(object_id=str(overridden.id)).get()
    assert event.details["host_overridden"] is True
    assert event.details["proposed_host"] == str(orgs["clsc"].id)
    # The hospital just hosted: the two others, by longest wait, come first.
    assert make_meeting(days_from_now=40).host == orgs["clsc"]
    assert make_meeting(days_from_now=80).host == orgs["crd"]
    assert make_meeting(days_from_now=120).host == orgs["hospital"]


def test_cancelled_meeting_does_not_count_as_hosting(review, make_meeting):
    meeting = make_meeting(days_from_now=7)
    assert meeting.host == review["orgs"]["clsc"]
    services.cancel_meeting(by=review["moderator"], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert selectors.propose_host(review["group"]) == review["orgs"]["clsc"]


def test_venue_must_be_a_member_organization(review, make_meeting):
    from django.core.exceptions import ValidationError

    stranger = Organization.objects.create(code="x", name="Ailleurs", sector=Sector.SCHOOL)
    with pytest.raises(ValidationError) as error:
        make_meeting(host=stranger)
    assert "host" in error.value.message_dict
