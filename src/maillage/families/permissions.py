"""Who may see and do what with a family. The one place these decisions are made.

- A member of the circle of care whose team belongs to the family's recording organization
  sees every part of the record.
- A member from another organization sees the parts whose category a consent in effect
  (started, not ended, not withdrawn) shares with their organization: nothing without one.
- The lead of a team that has a member in the circle sees what that member's organization
  may see.
- A practitioner who opened emergency access ("break glass") sees the record until it
  expires.
- Network coordinators and administrators see no family's personal data.
Timeline entries add their own visibility: circle, the author's team only, or the author.
"""

from dataclasses import dataclass, field

import rules
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, Subquery, UUIDField
from django.utils import timezone

from maillage.core.models import Role
from maillage.core.tokens import split_codes
from maillage.directory.models import Membership, MembershipRole

from .models import Category, CircleMember, Consent, EmergencyAccess, Family, Visibility

ALL_CATEGORIES = frozenset(Category.values)


@dataclass(frozen=True)
class FamilyAccess:
    categories: frozenset[str] = frozenset()
    via: str = ""  # "circle", "team_lead", "emergency" or "" (no access)
    member: CircleMember | None = None
    is_lead: bool = False
    in_recording_organization: bool = False
    user_team_ids: frozenset = field(default_factory=frozenset)

    @property
    def granted(self) -> bool:
        return bool(self.categories)

    def sees(self, category: str) -> bool:
        return category in self.categories


NO_ACCESS = FamilyAccess()


def _shared_categories(family: Family, organization_id) -> frozenset[str]:
    codes: set[str] = set()
    for categories in (
        Consent.objects.in_effect()
        .filter(family=family, organizations=organization_id)
        .values_list("categories", flat=True)
    ):
        codes.update(split_codes(categories))
    return frozenset(codes)


def _categories_for(family: Family, organization_id) -> tuple[frozenset[str], bool]:
    if organization_id == family.recording_organization_id:
        return ALL_CATEGORIES, True
    return _shared_categories(family, organization_id), False


def compute_access(user, family: Family) -> FamilyAccess:
    if not (user and user.is_authenticated and user.is_active):
        return NO_ACCESS
    if user.role != Role.PRACTITIONER:
        return NO_ACCESS
    memberships = list(
        Membership.objects.filter(practitioner__user=user).values_list("team_id", "role")
    )
    team_ids = frozenset(team_id for team_id, _ in memberships)
    led_team_ids = {team_id for team_id, role in memberships if role == MembershipRole.LEAD}
    active_circle = list(
        CircleMember.objects.filter(family=family, left_at__isnull=True).select_related(
            "team", "practitioner"
        )
    )
    mine = next((m for m in active_circle if m.practitioner.user_id == user.id), None)
    if mine is not None:
        categories, in_org = _categories_for(family, mine.team.organization_id)
        return FamilyAccess(categories, "circle", mine, mine.is_lead, in_org, team_ids)
    led = next((m for m in active_circle if m.team_id in led_team_ids), None)
    if led is not None:
        categories, in_org = _categories_for(family, led.team.organization_id)
        if categories:
            return FamilyAccess(categories, "team_lead", None, False, in_org, team_ids)
    if EmergencyAccess.objects.filter(
        user=user, family=family, expires_at__gt=timezone.now()
    ).exists():
        return FamilyAccess(ALL_CATEGORIES, "emergency", None, False, False, team_ids)
    return NO_ACCESS


def practitioner_id(user):
    """The id of the user's practitioner record, read with the user (core.backends), or
    None for coordinators and administrators: a filter on None matches no circle member."""
    try:
        return user.practitioner.id
    except ObjectDoesNotExist:
        return None


def my_organization_in_circle(user) -> Subquery:
    """For a caseload's query: the organization through which the user is in each
    family's circle (the team of their active membership)."""
    return Subquery(
        CircleMember.objects.filter(
            family=OuterRef("pk"), practitioner_id=practitioner_id(user), left_at__isnull=True
        ).values("team__organization_id")[:1],
        # Typed as the organization's key, so that rows compare with
        # recording_organization_id (a foreign key's raw value is not converted on SQLite).
        output_field=UUIDField(),
    )


def identity_shown_in_caseload(families) -> set:
    """The rule above for the identity part, for a page of a caseload whose rows carry
    `my_organization` (my_organization_in_circle): those the user's organization recorded,
    and those a consent in effect shares identity with it. The consent query runs only
    for families recorded elsewhere; a lead's caseload has few or none."""
    shown = {f.id for f in families if f.my_organization == f.recording_organization_id}
    elsewhere = {f.id: f.my_organization for f in families if f.id not in shown}
    if elsewhere:
        for family_id, organization_id in (
            Consent.objects.in_effect()
            .filter(family_id__in=elsewhere, categories__contains=f",{Category.IDENTITY},")
            .values_list("family_id", "organizations")
        ):
            if elsewhere[family_id] == organization_id:
                shown.add(family_id)
    return shown


def family_access(user, family: Family) -> FamilyAccess:
    """The access of this user to this family, computed once per request.

    The cache is set with getattr/setattr, never through `__dict__`: views pass
    `request.user`, a lazy proxy with a `__dict__` of its own, while `rules` predicates
    get the User behind it; attribute access reaches the same object from both."""
    if user is None:
        return compute_access(user, family)
    cache = getattr(user, "_family_access", None)
    if cache is None:
        cache = {}
        user._family_access = cache
    if family.pk not in cache:
        cache[family.pk] = compute_access(user, family)
    return cache[family.pk]


def forget_access(user) -> None:
    """After a write that changes who sees what (consent, circle, emergency access)."""
    if user is not None:
        user._family_access = None


def entry_is_visible(access: FamilyAccess, user, entry) -> bool:
    if not access.sees(entry.category):
        return False
    if entry.visibility == Visibility.PRIVATE:
        return entry.author_id == user.id
    if entry.visibility == Visibility.TEAM:
        return entry.author_team_id in access.user_team_ids
    return True


@rules.predicate
def sees_family(user, family) -> bool:
    return family_access(user, family).granted


@rules.predicate
def is_circle_member(user, family) -> bool:
    return family_access(user, family).via == "circle"


@rules.predicate
def is_lead_worker(user, family) -> bool:
    return family_access(user, family).is_lead


@rules.predicate
def sees_plan(user, family) -> bool:
    return family_access(user, family).sees(Category.PLAN)


@rules.predicate
def holds_the_record(user, family) -> bool:
    """A circle member of the recording organization: answers the family's own requests
    (their access report, a copy of their record)."""
    access = family_access(user, family)
    return access.via == "circle" and access.in_recording_organization


@rules.predicate
def is_practitioner(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.role == Role.PRACTITIONER
    )


@rules.predicate
def may_correct_entry(user, entry) -> bool:
    """A timeline entry is corrected by its author or the family's lead worker, and only
    by one who sees it."""
    access = family_access(user, entry.family)
    if not entry_is_visible(access, user, entry):
        return False
    return entry.author_id == user.id or access.is_lead


rules.add_perm("families.create_family", is_practitioner)
rules.add_perm("families.view_family", sees_family)
rules.add_perm("families.record_consent", is_circle_member)
rules.add_perm("families.manage_circle", is_circle_member)
rules.add_perm("families.hand_over_lead", is_lead_worker)
rules.add_perm("families.change_plan", is_circle_member & sees_plan)
rules.add_perm("families.add_entry", is_circle_member)
rules.add_perm("families.mark_entry_entered_in_error", may_correct_entry)
rules.add_perm("families.view_access_report", is_lead_worker | holds_the_record)
rules.add_perm("families.export_record", is_lead_worker | holds_the_record)
rules.add_perm("families.open_emergency_access", is_practitioner)
