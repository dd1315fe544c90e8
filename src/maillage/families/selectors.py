"""Every read of a family's data: scoped to the user by permissions.py, and logged.

One request that reads a family writes exactly one access event (who, which family, which
parts, when, why); a refused read writes none and answers "not found", whether the family
is missing or hidden, so nobody learns what exists.
"""

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.audit.models import Action, AuditEvent
from maillage.audit.services import client_ip, listing_event
from maillage.core.compiled import CompiledQuery, Many, instance
from maillage.core.models import User
from maillage.core.text import fold

from .consent_standing import standings
from .models import (
    ActionStatus,
    Caregiver,
    Category,
    Child,
    CircleMember,
    Consent,
    EntryKind,
    Family,
    Goal,
    PlanAction,
    PlanReview,
    TimelineEntry,
    Visibility,
    VisitOutcome,
    reference_of,
)
from .permissions import (
    FamilyAccess,
    accesses,
    accesses_as_member,
    entry_is_visible,
    family_access,
)

FAMILY = "families.family"
EXPIRING_WITHIN = timedelta(days=30)


def _access_event(user, family: Family, parts, access: FamilyAccess, request, purpose: str):
    return AuditEvent(
        action=Action.VIEWED,
        actor=user if user.is_authenticated else None,
        actor_label=user.email,
        object_type=FAMILY,
        object_id=str(family.id),
        object_label=family.reference,
        ip_address=client_ip(request),
        purpose=purpose[:300],
        details=_seen(access, parts),
    )


def _seen(access: FamilyAccess, parts) -> dict:
    return {"parts": sorted(parts), "via": access.via, "break_glass": access.via == "emergency"}


def log_access(user, family: Family, parts, access: FamilyAccess, request=None, purpose=""):
    _access_event(user, family, parts, access, request, purpose).save()


def access_family(
    user: User,
    family_id,
    *,
    parts: list[str],
    request=None,
    purpose: str = "",
    category: str = "",
    perm: str = "",
) -> tuple[Family, FamilyAccess]:
    """The family and the user's access to it, the read logged; 404 if not visible.

    `parts` names what the request reads (categories such as "plan", or "consents",
    "circle", "timeline", "export"): the access event records them. `category`, when
    given, must itself be visible (a page that is all plan needs "plan"); `perm`, when
    given, is checked too, before anything is logged."""
    try:
        family = Family.objects.select_related("recording_organization").get(id=family_id)
    except (Family.DoesNotExist, ValueError):
        raise Http404 from None
    access = family_access(user, family)
    if not access.granted or (category and not access.sees(category)):
        raise Http404
    if perm and not user.has_perm(perm, family):
        raise Http404
    # A page names every part it may show; the log keeps those this reader sees (a partner
    # without "plan" in the consent opens the overview without its plan).
    seen = [p for p in parts if p not in Category.values or access.sees(p)]
    log_access(user, family, seen, access, request, purpose)
    return family, access


def family_for_write(user: User, family_id, perm: str) -> Family:
    """The family for a write: 404 if not visible, or if this write is not the user's to
    make (checked before the form, so that a refusal never re-shows the page). The write
    logs its own event; this read of the row alone is not a read of the family's data."""
    family = Family.objects.filter(id=family_id).first()
    if family is None or not family_access(user, family).granted:
        raise Http404
    if not user.has_perm(perm, family):
        raise Http404
    return family


def family_visible(user: User, family_id, *, category: str = "") -> Family:
    """The family of an API write: 404 if it (or the category written to) is hidden from
    the user; the service then refuses, as forbidden (403), what they may not do to it."""
    family = Family.objects.filter(id=family_id).first()
    if family is None:
        raise Http404
    access = family_access(user, family)
    if not access.granted or (category and not access.sees(category)):
        raise Http404
    return family


def family_for_consent_request(user: User, family_id) -> Family:
    """The family a circle member asks a consent for: found even when the consent no longer
    lets them open it (that is why they ask), 404 for anyone else."""
    family = Family.objects.filter(id=family_id).first()
    if family is None or not user.has_perm("families.ask_for_consent", family):
        raise Http404
    return family


def family_for_emergency(user: User, family_id) -> Family | None:
    """The family behind an emergency-access request, or None when the id names none. The
    page answers alike in both cases; only the service tells them apart, and logs both."""
    if not user.has_perm("families.open_emergency_access"):
        raise Http404
    return Family.objects.filter(id=family_id).first()


def consent_of(family: Family, consent_id) -> Consent:
    consent = family.consents.filter(id=consent_id).first()
    if consent is None:
        raise Http404
    return consent


def plan_action_of(family: Family, action_id) -> PlanAction:
    item = (
        PlanAction.objects.filter(id=action_id, family=family)
        .select_related("owner__practitioner")
        .first()
    )
    if item is None:
        raise Http404
    return item


def goal_of(family: Family, goal_id) -> Goal | None:
    try:
        return family.goals.filter(id=goal_id).first()
    except (ValueError, ValidationError):
        return None


def plan_changes(family: Family, limit: int = 20) -> list:
    return list(family.plan_changes.select_related("by")[:limit])


def identity(family: Family, access: FamilyAccess) -> dict:
    """Caregivers and children, when identity is shared; otherwise a neutral reference."""
    if not access.sees(Category.IDENTITY):
        return {
            "shown": False,
            "caregivers": [],
            "children": [],
            "reference": family.reference,
            "label": family_label(family, access, []),
        }
    caregivers = list(family.caregivers.all())
    return {
        "shown": True,
        "caregivers": caregivers,
        "label": family_label(family, access, caregivers),
        # Read only where it is shown (the family page, the export): the other pages show
        # the caregivers' names in their header and skip the query.
        "children": family.children.all(),
        "reference": family.reference,
    }


def circle(family: Family) -> list[CircleMember]:
    return list(
        family.circle.filter(left_at__isnull=True).select_related(
            "practitioner", "team__organization"
        )
    )


def consents(family: Family) -> list[Consent]:
    return list(
        family.consents.select_related("given_by", "recorded_by")
        .prefetch_related("organizations")
        .order_by("-valid_from", "-created_at")
    )


def _unchanged(text: str) -> str:
    return text


def _masker_of(names: Iterable[str]) -> Callable[[str], str]:
    """The mask hiding these names (a caregiver's "first last", a child's first name)."""
    words = set()
    for name in names:
        words.update(re.findall(r"\w{2,}", unicodedata.normalize("NFC", name)))
    if not words:
        return _unchanged
    folded = {fold(w) for w in words}
    stand_in = _("[name withheld]")

    def mask(text: str) -> str:
        # NFC first: a name pasted in decomposed form is one word, not two halves.
        return re.sub(
            r"\w+",
            lambda m: stand_in if fold(m.group(0)) in folded else m.group(0),
            unicodedata.normalize("NFC", text or ""),
        )

    return mask


def name_masker(family: Family, access: FamilyAccess):
    """For a reader without identity, free text (notes, the plan) loses the family's own
    names, written with or without accents, in any case: a note the consent shares must
    not name whom the consent keeps anonymous. Returns a function text -> text."""
    if access.shows_identity:
        return _unchanged
    names = [
        f"{first} {last}"
        for first, last in family.caregivers.values_list("first_name", "last_name")
    ]
    names += family.children.values_list("first_name", flat=True)
    return _masker_of(names)


def name_maskers(families: Iterable[Family]) -> dict:
    """name_masker of many families at once, {family id: mask}: each family carries its
    `access` and its prefetched caregivers; the children of those whose identity the
    reader does not see are read in one query (a search page, not two queries a row)."""
    by_id: dict = {f.pk: f for f in families}
    hidden = [pk for pk, f in by_id.items() if not f.access.shows_identity]
    names: dict = {pk: [] for pk in hidden}
    for pk in hidden:
        names[pk] += [f"{c.first_name} {c.last_name}" for c in caregivers_of(by_id[pk])]
    if hidden:
        for family_id, first in Child.objects.filter(family_id__in=hidden).values_list(
            "family_id", "first_name"
        ):
            names[family_id].append(first)
    return {pk: _masker_of(names[pk]) if pk in names else _unchanged for pk in by_id}


def masked_entries(entries, family: Family, access: FamilyAccess) -> list[TimelineEntry]:
    """Timeline entries as this reader may read them (see name_masker)."""
    entries = list(entries)
    mask = name_masker(family, access)
    for entry in entries:
        entry.text = mask(entry.text)
        entry.visit_reason = mask(entry.visit_reason)
    return entries


def plan(family: Family, access: FamilyAccess) -> dict:
    if not access.sees(Category.PLAN):
        return {"shown": False}
    goals = list(
        family.goals.filter(category__in=access.categories).prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.select_related("owner__practitioner").order_by(
                    "due_date", "created_at"
                ),
            )
        )
    )
    if not access.shows_identity:
        mask = name_masker(family, access)
        for goal in goals:
            goal.need, goal.goal = mask(goal.need), mask(goal.goal)
            for action in goal.actions.all():
                action.description = mask(action.description)
    return {
        "shown": True,
        "goals": goals,
        "reviews": list(PlanReview.objects.filter(family=family).order_by("planned_for")),
    }


def visible_entries(
    user: User, family: Family, access: FamilyAccess, *, with_entered_in_error: bool = False
) -> QuerySet[TimelineEntry]:
    """Entries of a category the user sees, and whose visibility includes them; those
    marked "entered in error" only when asked for (they stay in the record's history)."""
    entries = TimelineEntry.objects.filter(family=family, category__in=access.categories)
    if with_entered_in_error:
        entries = entries.select_related("entered_in_error_by")
    else:
        entries = entries.filter(entered_in_error_at__isnull=True)
    return (
        entries.filter(
            Q(visibility=Visibility.CIRCLE)
            | Q(visibility=Visibility.TEAM, author_team_id__in=access.user_team_ids)
            | Q(visibility=Visibility.PRIVATE, author=user)
        )
        .select_related("author", "author_team")
        .order_by("-occurred_at", "-created_at")
    )


def entry_seen_by(user: User, family_id, entry_id) -> TimelineEntry:
    """A timeline entry of this family that the user sees, or 404 like a missing one.
    Nothing is logged: the caller logs what it then shows, a service what it changes."""
    entry = (
        TimelineEntry.objects.select_related("family")
        .filter(id=entry_id, family_id=family_id)
        .first()
    )
    if entry is None or not entry_is_visible(family_access(user, entry.family), user, entry):
        raise Http404
    return entry


def correctable_ids(user: User, entries) -> set:
    """The entries of a page this user may mark as entered in error (each carries its
    family, set by the page: no query per entry)."""
    return {
        e.id
        for e in entries
        if not e.is_entered_in_error and user.has_perm("families.mark_entry_entered_in_error", e)
    }


def correctable_entry(user: User, family_id, entry_id) -> TimelineEntry:
    """A timeline entry this user may mark as entered in error (its author or the lead
    worker, among those who see it); 404 otherwise, as pages answer every refusal."""
    entry = entry_seen_by(user, family_id, entry_id)
    if not user.has_perm("families.mark_entry_entered_in_error", entry):
        raise Http404
    return entry


@dataclass
class CaseloadFilters:
    q: str = ""
    only_lead: bool = False
    attention: str = ""  # "", "overdue", "missed_visits", "expiring_consents"


def _next_action_due() -> Subquery:
    # Each figure of a caseload is a subquery on one family's rows, through the
    # (family, ...) indexes: joining every plan action with every timeline entry and
    # grouping afterwards cost the caseload 2 to 3 times more at region scale than on the
    # demo (BENCHMARKS.md).
    return Subquery(
        PlanAction.objects.filter(
            family=OuterRef("pk"),
            status__in=[ActionStatus.TODO, ActionStatus.IN_PROGRESS],
            due_date__isnull=False,
        )
        .order_by("due_date")
        .values("due_date")[:1]
    )


def _caregivers() -> Prefetch:
    return Prefetch("caregivers", queryset=Caregiver.objects.order_by("created_at"))


CASELOAD_ORDER = ("next_action_due", "-created_at", "id")


def shown_as(row, **what) -> None:
    """Attach to a row what this reader may see of it (its access, its label): rows are
    presented to one reader, never saved."""
    for name, value in what.items():
        setattr(row, name, value)


def caregivers_of(family: Family) -> list[Caregiver]:
    """The family's caregivers, oldest first, as a list read them: given with the rows
    (`listed_caregivers`, set by list_caregivers) or through `family.caregivers.all()`
    (prefetched, or one query)."""
    listed = getattr(family, "listed_caregivers", None)
    return listed if listed is not None else list(family.caregivers.all())


# The caregivers of a page's families (their ids and names, what a list shows or masks),
# compiled once per number of families (core.compiled).
_CAREGIVERS_LISTED = CompiledQuery(
    lambda family_ids: (
        Caregiver.objects.filter(family_id__in=family_ids)
        .order_by("created_at")
        .values_list("id", "family_id", "first_name", "last_name")
    ),
    [Many(UUIDField())],
)


def list_caregivers(families: Iterable[Family]) -> None:
    """Read the caregivers of these families in one query and give each family its own
    (`caregivers_of` finds them): a page's worth, several rows of one family included."""
    rows: dict = {}
    for family in families:
        rows.setdefault(family.pk, []).append(family)
    found: dict = {pk: [] for pk in rows}
    columns = ("id", "family_id", "first_name", "last_name")
    for values in _CAREGIVERS_LISTED.rows(list(rows)):
        found[values[1]].append(instance(Caregiver, dict(zip(columns, values, strict=True))))
    for pk, same in rows.items():
        for family in same:
            family.listed_caregivers = found[pk]


def family_label(family: Family, access: FamilyAccess, caregivers=None) -> str:
    """How this reader names this family, the same on every page and in the API: the
    caregivers' names where the consent covers identity, the neutral reference elsewhere.
    (Caregivers are read through `caregivers_of`: prefetch or list them for lists.)"""
    if access.shows_identity:
        people = caregivers_of(family) if caregivers is None else caregivers
        names = ", ".join(f"{c.first_name} {c.last_name}" for c in people)
        if names:
            return names
    return _("Family %(reference)s") % {"reference": family.reference}


def label_families(user: User, families) -> dict:
    """{family id: FamilyAccess} for a list, each row labelled (`row.label`) by the one rule
    (permissions.accesses): a fixed number of queries whatever the list's length."""
    families = list(families)
    found = accesses(user, families)
    for family in families:
        family.access = found[family.pk]
        family.label = family_label(family, family.access)
    return found


@dataclass(frozen=True)
class LapsedFamily:
    """A family whose circle the reader is still in but may no longer open: named by its
    neutral reference only, so that the reader can ask its lead to renew the consent."""

    id: object

    @property
    def reference(self) -> str:
        return str(self.id)[:8].upper()


@dataclass
class Caseload:
    """The families a practitioner follows and may open, with what needs attention.
    `families` is a queryset to paginate; `present(page)` labels a page's rows; `lapsed`
    the families whose consent no longer lets the reader open them."""

    families: QuerySet[Family]
    access: dict
    missed_visits: dict
    lapsed: list = field(default_factory=list)

    def present(self, rows, *, with_consent: bool = True) -> list[Family]:
        rows = list(rows)
        found = (
            standings(
                {
                    f.pk: (
                        self.access[f.pk].organization_id,
                        self.access[f.pk].in_recording_organization,
                    )
                    for f in rows
                }
            )
            if with_consent
            else {}
        )
        for family in rows:
            family.access = self.access[family.pk]
            family.label = family_label(family, family.access)
            family.i_lead = family.access.is_lead
            family.missed_visits = self.missed_visits.get(family.pk, 0)
            family.consent = found.get(family.pk)
        return rows


def _missed_visits(access: dict) -> dict:
    """Missed home visits of the last 90 days per family, counting only the entries of
    categories the reader sees: the count of what the consent hides is itself hidden."""
    counts: dict = {}
    for family_id, category, n in (
        TimelineEntry.objects.filter(
            family_id__in=list(access),
            kind=EntryKind.HOME_VISIT,
            visit_outcome=VisitOutcome.MISSED,
            occurred_at__gte=timezone.now() - timedelta(days=90),
        )
        .order_by()
        .values_list("family_id", "category")
        .annotate(n=Count("pk"))
    ):
        if access[family_id].sees(category):
            counts[family_id] = counts.get(family_id, 0) + n
    return counts


def _visible_in_my_circle(user: User, lapsed: list | None = None) -> tuple[dict, list]:
    """{family id: access} of the families in my circle I may open, and those of them
    whose plan I see; the others, if `lapsed` is given, are added to it."""
    found = accesses_as_member(user)
    visible = {pk: a for pk, a in found.items() if a.granted}
    if lapsed is not None:
        lapsed.extend(LapsedFamily(pk) for pk, a in found.items() if not a.granted)
    return visible, [pk for pk, a in visible.items() if a.sees(Category.PLAN)]


def caseload(*, fetched_by: User, filters: CaseloadFilters) -> Caseload:
    """The families the user follows in a circle of care and may open today: a partner
    whose consent ended or was withdrawn no longer lists the family. Each figure shows
    only what the reader's consent covers (the next action is plan data). Listing names
    is a read: the page logs one access event per family it shows (log_listing)."""
    today = timezone.localdate()
    lapsed: list = []
    visible, sees_plan = _visible_in_my_circle(fetched_by, lapsed)
    families = Family.objects.filter(id__in=list(visible))
    if filters.only_lead:
        families = families.filter(id__in=[pk for pk, a in visible.items() if a.is_lead])
    for word in fold(filters.q).split():
        families = families.filter(search_text__contains=word)
    missed = _missed_visits(visible)
    families = families.annotate(
        next_action_due=Case(When(id__in=sees_plan, then=_next_action_due()), default=None),
        expiring_consent=Exists(
            Consent.objects.in_effect().filter(
                family=OuterRef("pk"), valid_until__lte=today + EXPIRING_WITHIN
            )
        ),
    )
    if filters.attention == "overdue":
        families = families.filter(next_action_due__lt=today)
    elif filters.attention == "missed_visits":
        families = families.filter(id__in=list(missed))
    elif filters.attention == "expiring_consents":
        families = families.filter(expiring_consent=True)
    families = families.prefetch_related(
        _caregivers(), Prefetch("children", queryset=Child.objects.order_by("created_at"))
    ).order_by(*CASELOAD_ORDER)
    return Caseload(families=families, access=visible, missed_visits=missed, lapsed=lapsed)


@dataclass
class CaseloadRow:
    """One family of the API's caseload list, as this reader may see it."""

    id: uuid.UUID
    next_action_due: date | None
    access: FamilyAccess
    caregiver_names: list[str] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return reference_of(self.id)


# The API's caseload, compiled once per length (core.compiled): the families' ids in the
# caseload's order with their next action's date, where every plan is shared with the
# reader and where only some are (a page's caregivers: _CAREGIVERS_LISTED).
_CASELOAD_ROWS = CompiledQuery(
    lambda ids: (
        Family.objects.filter(id__in=ids)
        .annotate(next_action_due=_next_action_due())
        .order_by(*CASELOAD_ORDER)
        .values_list("id", "next_action_due")
    ),
    [Many(UUIDField())],
)
_CASELOAD_ROWS_SOME_PLANS = CompiledQuery(
    lambda ids, sees_plan: (
        Family.objects.filter(id__in=ids)
        # Only where the plan is shared: the order must not reveal a hidden plan's dates.
        .annotate(
            next_action_due=Case(When(id__in=sees_plan, then=_next_action_due()), default=None)
        )
        .order_by(*CASELOAD_ORDER)
        .values_list("id", "next_action_due")
    ),
    [Many(UUIDField()), Many(UUIDField())],
)


@dataclass
class CaseloadSummary:
    """The caseload as the API lists it. `families`: (id, next action's date) of each, in
    the caseload's order, to paginate; `count`: how many, known from the access rule
    without counting them again in the database; `present(page)`: each row as the reader
    may see it. Plain values, no model instances: this is the API's busiest list."""

    families: list[tuple]
    access: dict
    count: int

    def present(self, rows) -> list[CaseloadRow]:
        found = [CaseloadRow(pk, due, self.access[pk]) for pk, due in rows]
        # Caregivers' names only of the families whose identity the reader may see.
        named = {row.id: row for row in found if row.access.shows_identity}
        if named:
            for _id, family_id, first, last in _CAREGIVERS_LISTED.rows(list(named)):
                named[family_id].caregiver_names.append(f"{first} {last}")
        return found


def caseload_summary(*, fetched_by: User) -> CaseloadSummary:
    """The caseload as the API lists it: the same families in the same order as the page,
    with their next action's date (where the plan is shared) and their caregivers' names
    (where identity is), without the page's other figures and children, which the list
    does not return (they were a third of its cost: BENCHMARKS.md). Logged like the page
    (log_listing)."""
    visible, sees_plan = _visible_in_my_circle(fetched_by)
    # A caseload is a few dozen families (57 at most at region scale): all their rows are
    # read in order, and the page is cut from them.
    if len(sees_plan) < len(visible):
        families = _CASELOAD_ROWS_SOME_PLANS.rows(list(visible), sees_plan)
    else:
        families = _CASELOAD_ROWS.rows(list(visible))
    # Each visible family is a row of the table (the circle's foreign key): no count query.
    return CaseloadSummary(families=families, access=visible, count=len(visible))


def families_followed(*, fetched_by: User, q: str = "") -> list[Family]:
    """The families I follow in a circle and may open, newest first, each labelled as I
    may name it (`family.label`): the choices of a referral or consultation form.

    `q` narrows them, accents and case aside, on what I may see: the caregivers' names
    only where my access shows identity, and the neutral reference everywhere."""
    visible, _plan = _visible_in_my_circle(fetched_by)
    families = list(
        Family.objects.filter(id__in=list(visible))
        .prefetch_related(_caregivers())
        .order_by("-created_at")
    )
    words = fold(q).split()
    found = []
    for family in families:
        access = visible[family.pk]
        if words:
            searchable = family.reference.casefold()
            if access.shows_identity:
                searchable += " " + fold(family.search_text)
            if not all(word in searchable for word in words):
                continue
        shown_as(family, access=access)
        shown_as(family, label=family_label(family, access))
        found.append(family)
    return found


def log_listing(
    user: User,
    families,
    *,
    request=None,
    purpose: str = "caseload",
    part: str = "caseload",
    shown: tuple[str, ...] = (Category.IDENTITY, Category.PLAN),
) -> None:
    """One access event for the reading of a list (a caseload page, an API page, an
    inbox), naming every family it showed, each carrying its `access` (label_families,
    Caseload.present), and what its row showed of each: names only where identity is
    shared, the next action only where the plan is. The family's access report reads it
    as it read the one row per family written before issue 18 (`access_report`)."""
    event = listing_event(
        action=Action.VIEWED,
        actor=user,
        object_type=FAMILY,
        shown=(
            (family.id, _seen(family.access, [part, *(p for p in shown if family.access.sees(p))]))
            for family in families
        ),
        request=request,
        purpose=purpose,
    )
    if event is not None:
        event.save()


def expiring_consents(
    *, fetched_by: User, access: dict, within: timedelta = EXPIRING_WITHIN
) -> list[Consent]:
    """Consents about to end, of the families of a caseload (`access`: Caseload.access, the
    families the user may open), each family labelled as this reader names it."""
    today = timezone.localdate()
    found = list(
        Consent.objects.in_effect()
        .filter(valid_until__lte=today + within, family_id__in=list(access))
        .select_related("family")
        .prefetch_related(_caregivers_of_family())
        .order_by("valid_until")[:50]
    )
    for consent in found:
        consent.family.label = family_label(consent.family, access[consent.family_id])
    return found


def _caregivers_of_family() -> Prefetch:
    return Prefetch("family__caregivers", queryset=Caregiver.objects.order_by("created_at"))


def access_report(family: Family) -> QuerySet[AuditEvent]:
    """Who looked at or changed this family's record, and when: the family's right to know.
    Its own events and the lists that showed it (one event per reading naming every family
    shown, through the GIN index on PostgreSQL); `as_reported` reads each as this family's
    row. On PostgreSQL's monthly partitions, newest first, a page reads the latest months
    only."""
    return (
        AuditEvent.objects.filter(
            Q(object_type=FAMILY, object_id=str(family.id)) | Q(object_ids__names=family.id)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


@dataclass
class ReportPage:
    """A page of the access report, newest first, without a total: counting a family's
    whole history would read every month of the log (BENCHMARKS.md, issue 18), where the
    page itself reads the latest partitions only."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def __iter__(self):
        return iter(self.object_list)

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


# The windows a report page is asked in, newest first. The bound reaches PostgreSQL as a
# literal (Django binds parameters on the client), so the planner leaves out the monthly
# partitions older than the window: planning over every month's indexes was most of a
# report page's time with a year of history (BENCHMARKS.md, issue 18). A family with a
# sparse history asks the wider windows in turn, at most four queries.
REPORT_WINDOWS = (timedelta(days=31), timedelta(days=92), timedelta(days=366), None)


def access_report_page(family: Family, page: str | None, size: int = 50) -> ReportPage:
    try:
        number = max(1, min(int(page or 1), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * size
    now = timezone.now()
    for window in REPORT_WINDOWS:
        events = access_report(family)
        if window is not None:
            events = events.filter(at__gte=now - window)
        rows = list(events[start : start + size + 1])
        # A full page (and one more row) within the window is the page the whole history
        # gives, newest first; otherwise the next, wider window is asked.
        if len(rows) > size:
            break
    return ReportPage(as_reported(rows[:size], family), number, len(rows) > size)


def as_reported(events, family: Family) -> list[AuditEvent]:
    """A page of `access_report`, each event as the family's report reads it: a list's
    event narrowed to this family (what its row showed of it, through what)."""
    return [event.about(family.id) for event in events]


def duplicate_candidates(*, first_name: str, last_name: str, date_of_birth) -> list[Family]:
    """Families with a caregiver of the same name and birth date, accents and case aside.
    For services.check_for_duplicates only: it decides what the reader may learn."""
    key = fold(f"{first_name} {last_name}")
    return list(
        Family.objects.filter(caregivers__name_key=key, caregivers__date_of_birth=date_of_birth)
        .select_related("recording_organization")
        .distinct()
    )


def family_record(user: User, family: Family, access: FamilyAccess) -> dict:
    """The family's whole record as this user may see it, for an export."""
    ident = identity(family, access)
    plan_part = plan(family, access)
    return {
        "reference": family.reference,
        "exported_at": timezone.now().isoformat(),
        "recording_organization": family.recording_organization.name,
        "reasons": family.reason_labels,
        "reasons_in_own_words": family.reasons_in_own_words,
        "caregivers": [
            {
                "first_name": c.first_name,
                "last_name": c.last_name,
                "relationship": c.relationship,
                "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
                "languages": c.language_labels,
                "phone": c.phone,
                "email": c.email,
                "address": c.address,
                "preferred_contact": c.get_preferred_contact_display(),
            }
            for c in ident["caregivers"]
        ],
        "children": [
            {
                "first_name": c.first_name,
                "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
                "due_date": c.due_date.isoformat() if c.due_date else None,
            }
            for c in ident["children"]
        ],
        "consents": [
            {
                "given_by": str(c.given_by),
                "organizations": [o.name for o in c.organizations.all()],
                "categories": c.category_labels,
                "purpose": c.purpose,
                "valid_from": c.valid_from.isoformat(),
                "valid_until": c.valid_until.isoformat(),
                "method": c.get_method_display(),
                "state": c.get_state_display(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in consents(family)
        ],
        "circle_of_care": [
            {
                "practitioner": str(m.practitioner),
                "team": m.team.name,
                "organization": m.team.organization.name,
                "role": m.role,
                "lead": m.is_lead,
            }
            for m in circle(family)
        ],
        "plan": [
            {
                "need": g.need,
                "goal": g.goal,
                "achieved": g.is_achieved,
                "actions": [
                    {
                        "action": a.description,
                        "owner": str(a.owner.practitioner),
                        "due_date": a.due_date.isoformat() if a.due_date else None,
                        "status": a.get_status_display(),
                    }
                    for a in g.actions.all()
                ],
            }
            for g in plan_part.get("goals", [])
        ],
        "timeline": [
            {
                "date": e.occurred_at.isoformat(),
                "type": e.get_kind_display(),
                "category": e.get_category_display(),
                "author": e.author.full_name,
                "note": e.text,
                "visit_outcome": e.get_visit_outcome_display(),
                "reason": e.visit_reason,
                "entered_in_error": e.entered_in_error_reason if e.is_entered_in_error else None,
            }
            for e in visible_entries(user, family, access, with_entered_in_error=True)
        ],
    }


def goals_for_choice(family: Family) -> QuerySet[Goal]:
    return family.goals.all()


def lead_user(family: Family) -> User | None:
    """The account of the family's lead worker, to tell them something (no access
    decision: the caller has made it)."""
    lead = (
        family.circle.filter(is_lead=True, left_at__isnull=True)
        .select_related("practitioner__user")
        .first()
    )
    return lead.practitioner.user if lead and lead.practitioner.user else None


def consent_standing(family: Family, access: FamilyAccess):
    """Where the family's consent stands for this reader's organization, in words."""
    key = (access.organization_id, access.in_recording_organization)
    return standings({family.pk: key})[family.pk]
