"""The access rule's two compiled statements (the reader's teams, the circles they are in:
families/permissions.py) return what the ORM returns, for every person around a family."""

import pytest

from maillage.core.models import User
from maillage.directory.models import Membership
from maillage.families.models import CircleMember
from maillage.families.permissions import _MEMBERSHIPS, _MY_CIRCLES

pytestmark = pytest.mark.django_db


def test_compiled_reader_queries_equal_the_orm(care):
    users = list(User.objects.all())
    circles_seen = 0
    for user in users:
        teams = Membership.objects.filter(practitioner__user_id=user.id).values_list(
            "team_id", "role"
        )
        assert sorted(_MEMBERSHIPS.rows(user.id), key=str) == sorted(teams, key=str)
        circles = list(
            CircleMember.objects.filter(practitioner__user_id=user.id, left_at__isnull=True)
            .values_list(
                "family_id",
                "family__recording_organization_id",
                "team_id",
                "team__organization_id",
                "is_lead",
            )
            .order_by()
        )
        assert sorted(_MY_CIRCLES.rows(user.id), key=str) == sorted(circles, key=str)
        circles_seen += len(circles)
    assert circles_seen >= 2  # the fixture's owner and partner are in the family's circle
