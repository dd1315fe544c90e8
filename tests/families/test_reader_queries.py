"""The access rule's compiled statements (the reader's teams, the circles they are in, the
consents in effect: families/permissions.py) and the API caseload's (families/selectors.py)
return what the ORM returns, for every person around a family and every day."""

from datetime import timedelta

import pytest
from django.db.models import Case, When
from django.utils import timezone

from maillage.core.models import User
from maillage.directory.memberships import _MEMBERSHIPS
from maillage.directory.models import Membership
from maillage.families import services
from maillage.families.models import Caregiver, CircleMember, Consent, Family
from maillage.families.permissions import _CONSENTS_IN_EFFECT, _MY_CIRCLES
from maillage.families.selectors import (
    _CAREGIVERS_LISTED,
    _CASELOAD_ROWS,
    _CASELOAD_ROWS_SOME_PLANS,
    CASELOAD_ORDER,
    _next_action_due,
)

pytestmark = pytest.mark.django_db


def new_family(care) -> Family:
    return services.create_family(
        by=care["users"]["owner"],
        team=care["teams"]["perinatal"],
        caregivers=[services.CaregiverData(first_name="Léa", last_name="Roy")],
        children=[],
        reasons=["pregnancy"],
    )


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


def test_compiled_consents_in_effect_equal_the_orm_on_every_day(care):
    family, consent = care["family"], care["consent"]
    other = new_family(care)
    families = [family.pk, other.pk]
    days = [
        consent.valid_from - timedelta(days=1),
        consent.valid_from,
        timezone.localdate(),
        consent.valid_until,
        consent.valid_until + timedelta(days=1),
    ]

    def orm(on):
        return sorted(
            Consent.objects.in_effect(on)
            .filter(family_id__in=families)
            .values_list("family_id", "organizations", "categories"),
            key=str,
        )

    seen = 0
    for on in days:
        assert sorted(_CONSENTS_IN_EFFECT.rows(families, on), key=str) == orm(on)
        seen += len(orm(on))
    assert seen == 3  # in effect on its first day, today and its last day
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    assert _CONSENTS_IN_EFFECT.rows(families, timezone.localdate()) == orm(timezone.localdate())
    assert orm(timezone.localdate()) == []


def test_compiled_caseload_rows_equal_the_orm(care):
    families = [care["family"].pk] + [new_family(care).pk for _ in range(3)]
    Caregiver.objects.create(family_id=families[1], first_name="Zoé", last_name="Roy")

    def orm(ids, sees_plan=None):
        due = _next_action_due()
        if sees_plan is not None:
            due = Case(When(id__in=sees_plan, then=due), default=None)
        return list(
            Family.objects.filter(id__in=ids)
            .annotate(next_action_due=due)
            .order_by(*CASELOAD_ORDER)
            .values_list("id", "next_action_due")
        )

    rows = _CASELOAD_ROWS.rows(families)
    assert rows == orm(families)
    assert (care["family"].pk, care["action"].due_date) in rows  # its plan shared: its date
    hidden = _CASELOAD_ROWS_SOME_PLANS.rows(families, families[1:])
    assert hidden == orm(families, families[1:])
    assert (care["family"].pk, None) in hidden  # its plan hidden: no date
    names = _CAREGIVERS_LISTED.rows(families)
    assert names == list(
        Caregiver.objects.filter(family_id__in=families)
        .order_by("created_at")
        .values_list("id", "family_id", "first_name", "last_name")
    )
    assert (families[1], "Zoé", "Roy") in [row[1:] for row in names]
