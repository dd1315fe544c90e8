"""The generator seeds a review group whose year looks like the one in the literature: about
ten meetings, ten situations of which eight malfunctions, six that harmed the patient and four
that harmed the carer; in French and English, naming no one."""

from collections import Counter
from itertools import pairwise

import pytest
from django.utils import timezone

from maillage.core import deidentification
from maillage.families.guard_names import name_index
from maillage.reviews import selectors
from maillage.reviews.agenda import build_agenda
from maillage.reviews.models import MeetingStatus, ReviewGroup, Situation, SituationStatus
from maillage.reviews.statistics import default_period, group_statistics
from maillage.seeding.generator import SCALES, NetworkGenerator, Scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo = SCALES["demo"]
    # The directory at demo size, without the families stage (not needed here, and slow).
    scale = Scale("reviews", demo.organizations, demo.teams, demo.practitioners, 3)
    result = NetworkGenerator(scale, seed=1).run()
    return result, ReviewGroup.objects.get()


def test_seeded_year_reproduces_the_literature(seeded):
    _result, group = seeded
    start, end = default_period()
    stats = group_statistics(group, start=start, end=end)
    assert stats.meetings_held == 10
    assert stats.situations_presented == 10
    assert stats.malfunctions == 8
    assert stats.harmed_patient == 6
    assert stats.harmed_carer == 4
    assert stats.actions_opened > 10 and stats.actions_closed > 0 and stats.actions_overdue > 0
    assert len(stats.ratings) == 10 and all(p.count for p in stats.ratings)


def test_seeded_group_has_an_external_moderator_and_rotates_its_venue(seeded):
    result, group = seeded
    moderator = selectors.moderator_of(group)
    assert moderator.organization is None and not hasattr(moderator.user, "practitioner")
    assert any(login.email == moderator.user.email for login in result.logins)
    assert group.memberships.filter(user__email="practitioner@demo.maillage.test").exists()
    hosts = [m.host_id for m in group.meetings.order_by("starts_at")]
    counts = Counter(hosts)
    assert len(counts) == group.member_organizations.count()
    assert max(counts.values()) - min(counts.values()) <= 1
    assert all(a != b for a, b in pairwise(hosts))


def test_seeded_situations_are_bilingual_and_name_no_one(seeded):
    _result, group = seeded
    situations = list(Situation.objects.filter(group=group))
    titles = " ".join(s.title for s in situations)
    assert "Orientation vers le centre de réadaptation" in titles  # French
    assert "Discharge from the maternity ward" in titles  # English
    names = name_index()
    for situation in situations:
        assert deidentification.scan(situation.narrative, names=names) == [], situation.title


def test_the_coming_meeting_has_its_agenda_ready(seeded):
    _result, group = seeded
    coming = group.meetings.get(status=MeetingStatus.SCHEDULED)
    assert coming.starts_at > timezone.now()
    agenda = build_agenda(coming)
    assert len(agenda.new_situations) == 2 and all(i.proposed for i in agenda.new_situations)
    last_held = group.meetings.filter(status=MeetingStatus.HELD).latest("starts_at")
    followed = {item.situation.meeting_id for item in agenda.follow_ups}
    assert last_held.id in followed
    assert group.situations.filter(status=SituationStatus.SUBMITTED).count() == 2
