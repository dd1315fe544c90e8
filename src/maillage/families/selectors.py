"""Every read of a family's data: scoped to the user by permissions.py, and logged.

One request that reads a family writes exactly one access event (who, which family, which
parts, when, why); a refused read writes none and answers "not found", whether the family
is missing or hidden, so nobody learns what exists.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from maillage.audit.models import Action, AuditEvent
from maillage.audit.services import client_ip
from maillage.core.models import User
from maillage.core.text import fold

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
)
from .permissions import (
    FamilyAccess,
    entry_is_visible,
    family_access,
    my_organization_in_circle,
    practitioner_id,
)

FAMILY = "families.family"
EXPIRING_WITHIN = timedelta(days=30)
# Families in a caseload are listed because the user is in their circle.
LISTED = FamilyAccess(via="circle")


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
        details={
            "parts": sorted(parts),
            "via": access.via,
            "break_glass": access.via == "emergency",
        },
    )


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


def identity(family: Family, access: FamilyAccess) -> dict:
    """Caregivers and children, when identity is shared; otherwise a neutral reference."""
    if not access.sees(Category.IDENTITY):
        return {"shown": False, "caregivers": [], "children": [], "reference": family.reference}
    return {
        "shown": True,
        "caregivers": list(family.caregivers.all()),
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


def _in_my_circle(user: User):
    return CircleMember.objects.filter(
        family=OuterRef("pk"), practitioner_id=practitioner_id(user), left_at__isnull=True
    )


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


def caseload(*, fetched_by: User, filters: CaseloadFilters) -> QuerySet[Family]:
    """The families the user follows in a circle of care, with what needs attention.
    Listing names is a read: the page logs one access event per family it shows
    (log_listing)."""
    today = timezone.localdate()
    mine = _in_my_circle(fetched_by)
    families = Family.objects.filter(Exists(mine))
    if filters.only_lead:
        families = families.filter(Exists(mine.filter(is_lead=True)))
    for word in fold(filters.q).split():
        families = families.filter(search_text__contains=word)
    missed = (
        TimelineEntry.objects.filter(
            family=OuterRef("pk"),
            kind=EntryKind.HOME_VISIT,
            visit_outcome=VisitOutcome.MISSED,
            occurred_at__gte=timezone.now() - timedelta(days=90),
        )
        .order_by()
        .values("family")
        .annotate(n=Count("pk"))
        .values("n")
    )
    families = families.annotate(
        next_action_due=_next_action_due(),
        missed_visits=Coalesce(Subquery(missed), 0),
        expiring_consent=Exists(
            Consent.objects.in_effect().filter(
                family=OuterRef("pk"), valid_until__lte=today + EXPIRING_WITHIN
            )
        ),
        i_lead=Exists(mine.filter(is_lead=True)),
        my_organization=my_organization_in_circle(fetched_by),
    )
    if filters.attention == "overdue":
        families = families.filter(next_action_due__lt=today)
    elif filters.attention == "missed_visits":
        families = families.filter(missed_visits__gt=0)
    elif filters.attention == "expiring_consents":
        families = families.filter(expiring_consent=True)
    return families.prefetch_related(
        _caregivers(), Prefetch("children", queryset=Child.objects.order_by("created_at"))
    ).order_by(*CASELOAD_ORDER)


def caseload_summary(*, fetched_by: User) -> QuerySet[Family]:
    """The caseload as the API lists it: the same families in the same order as the page,
    with their next action's date and their caregivers, without the page's attention
    figures and children, which the list does not return (they were a third of its
    cost: BENCHMARKS.md). Logged like the page (log_listing)."""
    return (
        Family.objects.filter(Exists(_in_my_circle(fetched_by)))
        .annotate(
            next_action_due=_next_action_due(),
            my_organization=my_organization_in_circle(fetched_by),
        )
        .prefetch_related(_caregivers())
        .order_by(*CASELOAD_ORDER)
    )


def log_listing(user: User, families, *, request=None, purpose: str = "caseload") -> None:
    """One access event per family shown in a list (a caseload page, an API page)."""
    events = [
        _access_event(user, family, ["caseload"], LISTED, request, purpose) for family in families
    ]
    AuditEvent.objects.bulk_create(events)


def expiring_consents(*, fetched_by: User, within: timedelta = EXPIRING_WITHIN) -> list[Consent]:
    today = timezone.localdate()
    return list(
        Consent.objects.in_effect()
        .filter(
            valid_until__lte=today + within,
            family__circle__practitioner__user=fetched_by,
            family__circle__left_at__isnull=True,
        )
        .select_related("family")
        .order_by("valid_until")
        .distinct()[:50]
    )


def access_report(family: Family) -> QuerySet[AuditEvent]:
    """Who looked at or changed this family's record, and when: the family's right to know."""
    return (
        AuditEvent.objects.filter(object_type=FAMILY, object_id=str(family.id))
        .select_related("actor")
        .order_by("-at")
    )


def possible_duplicates(*, fetched_by: User, first_name: str, last_name: str, date_of_birth):
    """Families with a caregiver of the same name and birth date, accents and case aside.
    Only families the user may see are named; the others are only counted, so the
    warning reveals no one's record."""
    key = fold(f"{first_name} {last_name}")
    matches = list(
        Family.objects.filter(
            caregivers__name_key=key, caregivers__date_of_birth=date_of_birth
        ).distinct()
    )
    visible = [f for f in matches if family_access(fetched_by, f).granted]
    return visible, len(matches) - len(visible)


def known_person_names() -> list[str]:
    """Names of every caregiver and child on record, for the de-identification guards
    (never shown to anyone: only matched against a text about to be shared)."""
    names = [
        f"{first} {last}"
        for first, last in Caregiver.objects.values_list("first_name", "last_name")
    ]
    names += list(Child.objects.exclude(first_name="").values_list("first_name", flat=True))
    return names


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
