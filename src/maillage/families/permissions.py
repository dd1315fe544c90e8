"""Who may see and do what with a family. The one place these decisions are made.

- A member of the circle of care whose team belongs to the family's recording organization
  sees every part of the record.
- A member from another organization sees the parts whose category a consent in effect
  (started, not ended, not withdrawn) shares with their organization: nothing without one.
- The lead of a team that has a member in the circle sees what that member's organization
  may see.
- Names (and what carries them: a signed scan, who gave a consent) only with the identity
  category: everywhere else the family is its neutral reference.
- Only the record holder (the lead worker, or a member of the lead's team in the recording
  organization) records, widens or withdraws a consent and brings people into the circle.
- A practitioner who opened emergency access ("break glass") sees the record until it
  expires.
- Network coordinators and administrators see no family's personal data.
Timeline entries add their own visibility: circle, the author's team only, or the author.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import rules
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import DateField, Q, UUIDField
from django.utils import timezone

from maillage.core.compiled import CompiledQuery, Many
from maillage.core.models import Role
from maillage.core.tokens import split_codes
from maillage.directory.memberships import forget_memberships, memberships_of
from maillage.directory.models import MembershipRole

from .models import Category, CircleMember, Consent, EmergencyAccess, Family, Visibility

ALL_CATEGORIES = frozenset(Category.values)


@dataclass(frozen=True)
class FamilyAccess:
    """What one reader may see of one family: the one answer every app asks for (pages,
    API, referrals, consultations, exports). Nothing else decides it."""

    categories: frozenset[str] = frozenset()
    via: str = ""  # "circle", "team_lead", "emergency", "receiving_team"… or "" (no access)
    member: CircleMember | None = None
    is_lead: bool = False
    in_recording_organization: bool = False
    user_team_ids: frozenset = field(default_factory=frozenset)
    # The record holder: the lead worker, or someone of the lead's team in the recording
    # organization. Only they record, change or widen the family's consents.
    holds_record: bool = False
    # The organization through which the reader sees the family (their circle team's).
    organization_id: Any = None

    @property
    def granted(self) -> bool:
        return bool(self.categories)

    @property
    def shows_identity(self) -> bool:
        """May this reader see the family members' names (and anything that carries them:
        a signed scan, the caregivers a consent was given by)?"""
        return Category.IDENTITY in self.categories

    def sees(self, category: str) -> bool:
        return category in self.categories


NO_ACCESS = FamilyAccess()


class FamilyKey(NamedTuple):
    """What the rule needs of a family in a list (organization_accesses), read as values
    with the rows that name it rather than as the family's own row."""

    pk: Any
    recording_organization_id: Any


@dataclass(frozen=True)
class _Reader:
    """The reader's side of the decision, read once per request."""

    user_id: object
    team_ids: frozenset
    led_team_ids: frozenset


@dataclass(frozen=True)
class _CircleRow:
    practitioner_user_id: object
    team_id: object
    organization_id: object
    is_lead: bool
    member: CircleMember | None = None


# The two statements of the rule that every page of a practitioner sends, compiled once per
# process (core/compiled.py): the reader's teams, and the circles of care they are in.
_MY_CIRCLES = CompiledQuery(
    lambda user_id: (
        CircleMember.objects.filter(practitioner__user_id=user_id, left_at__isnull=True)
        .values_list(
            "family_id",
            "family__recording_organization_id",
            "team_id",
            "team__organization_id",
            "is_lead",
        )
        .order_by()
    ),
    [UUIDField()],
)


def _reader_role_sees_nothing(user) -> bool:
    """Anonymous, inactive, coordinators, administrators: no family's data, ever."""
    return not (user and user.is_authenticated and user.is_active) or (
        user.role != Role.PRACTITIONER
    )


def _reader(user) -> _Reader | None:
    """None for anyone who sees no family (_reader_role_sees_nothing)."""
    if _reader_role_sees_nothing(user):
        return None
    cached = getattr(user, "_family_reader", None)
    if cached is None:
        memberships = memberships_of(user)
        cached = _Reader(
            user_id=user.id,
            team_ids=frozenset(team_id for team_id, _ in memberships),
            led_team_ids=frozenset(
                team_id for team_id, role in memberships if role == MembershipRole.LEAD
            ),
        )
        user._family_reader = cached
    return cached


def _decide(
    reader: _Reader,
    recording_organization_id,
    circle: list[_CircleRow],
    shared_with: Callable[[], dict],
    emergency: Callable[[], bool],
) -> FamilyAccess:
    """THE disclosure rule (see the module's docstring), on rows read by the caller.
    `shared_with()` maps an organization to the categories consents in effect share with
    it; `emergency()` says whether the reader broke the glass. Both are asked only when
    the answer depends on them (a single read skips their queries when it can)."""

    def categories_for(organization_id) -> tuple[frozenset[str], bool]:
        if organization_id == recording_organization_id:
            return ALL_CATEGORIES, True
        return frozenset(shared_with().get(organization_id, ())), False

    lead = next((m for m in circle if m.is_lead), None)
    team_ids = reader.team_ids
    mine = next((m for m in circle if m.practitioner_user_id == reader.user_id), None)
    if mine is not None:
        categories, in_org = categories_for(mine.organization_id)
        holds = mine.is_lead or (in_org and lead is not None and lead.team_id in team_ids)
        return FamilyAccess(
            categories,
            "circle",
            mine.member,
            mine.is_lead,
            in_org,
            team_ids,
            holds and bool(categories),
            mine.organization_id,
        )
    led = next((m for m in circle if m.team_id in reader.led_team_ids), None)
    if led is not None:
        categories, in_org = categories_for(led.organization_id)
        if categories:
            holds = in_org and lead is not None and lead.team_id in team_ids
            return FamilyAccess(
                categories, "team_lead", None, False, in_org, team_ids, holds, led.organization_id
            )
    if emergency():
        return FamilyAccess(ALL_CATEGORIES, "emergency", None, False, False, team_ids)
    return NO_ACCESS


# Bumped by every consent write in this process: a family instance's cached shares are
# stale from then on (see _shared_with).
_consent_generation = [0]


def _shared_with(family: Family) -> dict:
    """What consents in effect share with each organization, for one family, read once per
    family instance (a request that asks both "may this team act?" and "what may it see?"
    reads the consents once). A consent written since, in this process, voids the copy."""
    cached = getattr(family, "_shared_with", None)
    if cached is None or cached[0] != _consent_generation[0]:
        cached = (_consent_generation[0], _consents_by_family([family.pk]).get(family.pk, {}))
        family._shared_with = cached
    return cached[1]


def forget_shares() -> None:
    """After a consent is recorded or withdrawn."""
    _consent_generation[0] += 1


# The consents in effect on a day for some families, with the organizations they open
# them to: asked by every list of families a reader does not record (a caseload, an inbox).
_CONSENTS_IN_EFFECT = CompiledQuery(
    lambda family_ids, on: (
        Consent.objects.in_effect(on)
        .filter(family_id__in=family_ids)
        .order_by()  # a union of sets: no order to pay for
        .values_list("family_id", "organizations", "categories")
    ),
    [Many(UUIDField()), DateField()],
)


def _consents_by_family(family_ids) -> dict:
    """{family id: {organization id: set of categories}} from the consents in effect."""
    shared: dict = {}
    for family_id, organization_id, categories in _CONSENTS_IN_EFFECT.rows(
        list(family_ids), timezone.localdate()
    ):
        if organization_id is None:
            continue
        shared.setdefault(family_id, {}).setdefault(organization_id, set()).update(
            split_codes(categories)
        )
    return shared


def compute_access(user, family: Family) -> FamilyAccess:
    reader = _reader(user)
    if reader is None:
        return NO_ACCESS
    circle = [
        _CircleRow(m.practitioner.user_id, m.team_id, m.team.organization_id, m.is_lead, m)
        for m in CircleMember.objects.filter(family=family, left_at__isnull=True).select_related(
            "team", "practitioner"
        )
    ]
    return _decide(
        reader,
        family.recording_organization_id,
        circle,
        functools.cache(lambda: _consents_by_family([family.pk]).get(family.pk, {})),
        lambda: EmergencyAccess.objects.filter(
            user=user, family=family, expires_at__gt=timezone.now()
        ).exists(),
    )


def accesses(user, families) -> dict:
    """The same rule for a list of families (a caseload, an inbox, a referral page), in a
    fixed number of queries whatever the list's length: {family id: FamilyAccess}."""
    families = list(families)
    reader = _reader(user) if families else None
    if reader is None:
        return {f.pk: NO_ACCESS for f in families}
    ids = [f.pk for f in families]
    circles: dict = {}
    for row in (
        CircleMember.objects.filter(family_id__in=ids, left_at__isnull=True)
        .filter(
            Q(practitioner__user_id=reader.user_id)
            | Q(team_id__in=reader.led_team_ids)
            | Q(is_lead=True)
        )
        .values_list(
            "family_id", "practitioner__user_id", "team_id", "team__organization_id", "is_lead"
        )
    ):
        circles.setdefault(row[0], []).append(_CircleRow(*row[1:]))
    emergency = set(
        EmergencyAccess.objects.filter(
            user_id=reader.user_id, family_id__in=ids, expires_at__gt=timezone.now()
        ).values_list("family_id", flat=True)
    )
    shared = _consents_by_family(ids)
    return {
        f.pk: _decide(
            reader,
            f.recording_organization_id,
            circles.get(f.pk, []),
            lambda pk=f.pk: shared.get(pk, {}),
            lambda pk=f.pk: pk in emergency,
        )
        for f in families
    }


def accesses_as_member(user) -> dict:
    """The same rule for every family whose circle the user is in (a caseload): two
    queries whatever its length, the consents read only for families recorded by another
    organization. Lists never write, so `holds_record` is left undecided (False) here, and
    the reader's teams (which only timeline visibility and team leads need) are not read."""
    if _reader_role_sees_nothing(user):
        return {}
    reader = _Reader(user_id=user.id, team_ids=frozenset(), led_team_ids=frozenset())
    rows = _MY_CIRCLES.rows(reader.user_id)
    elsewhere = [row[0] for row in rows if row[1] != row[3]]
    shared = _consents_by_family(elsewhere) if elsewhere else {}
    return {
        family_id: _decide(
            reader,
            recording_organization_id,
            [_CircleRow(reader.user_id, team_id, organization_id, is_lead)],
            lambda family_id=family_id: shared.get(family_id, {}),
            lambda: False,
        )
        for family_id, recording_organization_id, team_id, organization_id, is_lead in rows
    }


def organization_access(family: Family, organization_id, via: str) -> FamilyAccess:
    """What a team of this organization sees of the family without being in its circle: a
    referral's receiving team, a consulted team. The same consent rule as above."""
    if organization_id == family.recording_organization_id:
        return FamilyAccess(ALL_CATEGORIES, via, in_recording_organization=True)
    return FamilyAccess(frozenset(_shared_with(family).get(organization_id, ())), via)


def organization_accesses(pairs, via: str = "organization") -> dict:
    """organization_access for many (family, organization id) pairs at once (an inbox):
    one query whatever their number. {(family id, organization id): FamilyAccess}."""
    pairs = list(pairs)
    shared = _consents_by_family({family.pk for family, _ in pairs})
    found = {}
    for family, organization_id in pairs:
        if organization_id == family.recording_organization_id:
            access = FamilyAccess(ALL_CATEGORIES, via, in_recording_organization=True)
        else:
            categories = shared.get(family.pk, {}).get(organization_id, ())
            access = FamilyAccess(frozenset(categories), via)
        found[(family.pk, organization_id)] = access
    return found


def reader_access(user, family: Family, *, through_organization=None, via: str = ""):
    """What this reader sees of the family: their own access (circle, team lead, break
    glass) or, failing that, what the family's consent shares with the organization they
    act for (a referral's receiving team, a consulted team)."""
    access = family_access(user, family)
    if access.granted or through_organization is None:
        return access
    return organization_access(family, through_organization, via)


def consent_covers(family: Family, organization_id, categories) -> bool:
    """Does a consent in effect share every one of these categories (at least one, when none
    is named) with the organization? The recording organization needs none."""
    access = organization_access(family, organization_id, via="organization")
    if not access.granted:
        return False
    return set(categories) <= access.categories


def practitioner_id(user):
    """The id of the user's practitioner record, read with the user (core.backends), or
    None for coordinators and administrators: a filter on None matches no circle member."""
    try:
        return user.practitioner.id
    except ObjectDoesNotExist:
        return None


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
        user._family_reader = None
        forget_memberships(user)


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
    access = family_access(user, family)
    return access.via == "circle" and access.granted


@rules.predicate
def holds_record(user, family) -> bool:
    """The lead worker, or a member of the lead's team in the recording organization: the
    side that holds the family's record. A partner never records, widens or withdraws a
    consent (not even for itself) and never brings people into the circle."""
    return family_access(user, family).holds_record


@rules.predicate
def is_lead_worker(user, family) -> bool:
    return family_access(user, family).is_lead


@rules.predicate
def sees_identity(user, family) -> bool:
    return family_access(user, family).shows_identity


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
rules.add_perm("families.record_consent", holds_record)
rules.add_perm("families.manage_circle", holds_record)
rules.add_perm("families.leave_circle", is_circle_member)
rules.add_perm("families.see_identity", sees_identity)
rules.add_perm("families.hand_over_lead", is_lead_worker)
rules.add_perm("families.change_plan", is_circle_member & sees_plan)
rules.add_perm("families.add_entry", is_circle_member)
rules.add_perm("families.mark_entry_entered_in_error", may_correct_entry)
rules.add_perm("families.view_access_report", is_lead_worker | holds_the_record)
rules.add_perm("families.export_record", is_lead_worker | holds_the_record)
rules.add_perm("families.open_emergency_access", is_practitioner)


# The rule each action of the circle page needs: anyone in the circle may leave it, only the
# lead hands the lead over, and bringing someone in is the record holder's (manage_circle).
CIRCLE_ACTION_RULES = {"hand_over": "families.hand_over_lead", "leave": "families.leave_circle"}


def circle_action_rule(action: str | None) -> str:
    return CIRCLE_ACTION_RULES.get(action or "", "families.manage_circle")


@rules.predicate
def may_ask_for_consent(user, family) -> bool:
    """Anyone still in the circle, whatever the consent now lets them see, may ask the
    record holder to renew or widen it: asking reveals nothing and grants nothing."""
    access = family_access(user, family)
    return access.via == "circle" and not access.holds_record


rules.add_perm("families.ask_for_consent", may_ask_for_consent)
