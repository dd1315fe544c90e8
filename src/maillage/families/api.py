"""Family endpoints of the JSON API. Same selectors and services as the pages: same rules,
same access log. A family the caller may not see is "not found", like a missing one; a write
the caller may not make on a family they see is "forbidden" (the root of the API maps the
services' refusals)."""

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from maillage.core.pagination import ApiPagination

from . import selectors, services
from .models import Category, Family, PlanAction
from .schemas import (
    ActionPatch,
    CircleMemberOut,
    ConsentOut,
    EnteredInErrorIn,
    EntryIn,
    EntryOut,
    FamilyOut,
    FamilySummaryOut,
    PlanActionOut,
    PlanOut,
    WithdrawIn,
)

router = Router(tags=["families"])


@dataclass
class Listing:
    """What a paginated endpoint returns: the rows to page through, and how a page's rows
    are shown to this reader (labelled, masked, logged) once the page is cut."""

    rows: QuerySet | list
    present: Callable[[list], list]
    # How many rows, when the listing knows it without counting them in the database.
    count: int | None = None


class FamilyPagination(ApiPagination):
    """Pages of 20 (any page number is safe: core.pagination); each page's rows pass
    through the listing's `present`."""

    default_size, max_size = 20, 100

    def paginate_queryset(self, queryset, pagination, request, **params):
        self.listing = queryset
        return super().paginate_queryset(queryset.rows, pagination, request, **params)

    def present(self, request, items) -> list:
        return self.listing.present(list(items))

    def _items_count(self, queryset) -> int:
        if self.listing.count is not None:
            return self.listing.count
        return super()._items_count(queryset)


def _member_out(m) -> dict:
    return {
        "id": m.id,
        "practitioner_id": m.practitioner_id,
        "practitioner": str(m.practitioner),
        "team": m.team.name,
        "organization": m.team.organization.name,
        "role": m.role,
        "is_lead": m.is_lead,
    }


def _action_out(a: PlanAction) -> dict:
    return {
        "id": a.id,
        "description": a.description,
        "owner": str(a.owner.practitioner),
        "due_date": a.due_date,
        "status": a.status,
        "version": a.version,
    }


def _entry_out(e) -> dict:
    return {
        "id": e.id,
        "kind": e.kind,
        "occurred_at": e.occurred_at,
        "author": e.author.full_name,
        "team": e.author_team.name,
        "category": e.category,
        "visibility": e.visibility,
        "text": e.text,
        "visit_outcome": e.visit_outcome,
        "visit_reason": e.visit_reason,
        "entered_in_error_at": e.entered_in_error_at,
        "entered_in_error_reason": e.entered_in_error_reason,
    }


def _writable(request, family_id, category: str = "") -> Family:
    """The family of a write: 404 if it (or the category written to) is hidden from the
    caller; the service then refuses what the caller may not do (403)."""
    return selectors.family_visible(request.user, family_id, category=category)


@router.get("/", response=list[FamilySummaryOut])
@paginate(FamilyPagination)
def list_families(request: HttpRequest):
    """My caseload: the families I follow in a circle of care and may open (each one
    listed is logged); names only where the consent covers identity."""
    caseload = selectors.caseload_summary(fetched_by=request.user)

    def present(rows: list) -> list:
        families = caseload.present(rows)
        selectors.log_listing(request.user, families, request=request, purpose="api caseload")
        return [
            {
                "id": f.id,
                "reference": f.reference,
                "next_action_due": f.next_action_due,
                "names": f.caregiver_names if f.access.shows_identity else None,
            }
            for f in families
        ]

    return Listing(caseload.families, present, count=caseload.count)


@router.get("/{family_id}", response=FamilyOut)
def get_family(request: HttpRequest, family_id: UUID):
    family, access = selectors.access_family(
        request.user, family_id, parts=["identity", "circle"], request=request
    )
    ident = selectors.identity(family, access)
    return {
        "id": family.id,
        "reference": family.reference,
        "access": access.via,
        "categories": sorted(access.categories),
        "caregivers": ident["caregivers"] if ident["shown"] else None,
        "children": list(ident["children"]) if ident["shown"] else None,
        "circle": [_member_out(m) for m in selectors.circle(family)],
    }


@router.get("/{family_id}/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, family_id: UUID):
    family, _access = selectors.access_family(
        request.user, family_id, parts=["consents"], request=request
    )
    return [
        {
            "id": c.id,
            "state": c.state(),
            "organizations": c.organization_names,
            "categories": c.category_codes,
            "purpose": c.purpose,
            "valid_from": c.valid_from,
            "valid_until": c.valid_until,
            "method": c.method,
        }
        for c in selectors.consents(family)
    ]


@router.post("/{family_id}/consents/{consent_id}/withdraw", response=ConsentOut)
def withdraw_consent(request: HttpRequest, family_id: UUID, consent_id: UUID, body: WithdrawIn):
    family = _writable(request, family_id)
    consent = selectors.consent_of(family, consent_id)
    consent = services.withdraw_consent(
        by=request.user, consent=consent, reason=body.reason, request=request
    )
    return {
        "id": consent.id,
        "state": consent.state(),
        "organizations": consent.organization_names,
        "categories": consent.category_codes,
        "purpose": consent.purpose,
        "valid_from": consent.valid_from,
        "valid_until": consent.valid_until,
        "method": consent.method,
    }


@router.get("/{family_id}/circle", response=list[CircleMemberOut])
def list_circle(request: HttpRequest, family_id: UUID):
    family, _access = selectors.access_family(
        request.user, family_id, parts=["circle"], request=request
    )
    return [_member_out(m) for m in selectors.circle(family)]


@router.get("/{family_id}/plan", response=PlanOut)
def get_plan(request: HttpRequest, family_id: UUID):
    family, access = selectors.access_family(
        request.user, family_id, parts=["plan"], request=request, category="plan"
    )
    plan = selectors.plan(family, access)
    return {
        "goals": [
            {
                "id": g.id,
                "need": g.need,
                "goal": g.goal,
                "is_achieved": g.is_achieved,
                "actions": [_action_out(a) for a in g.action_list],
            }
            for g in plan["goals"]
        ]
    }


@router.patch("/{family_id}/plan/actions/{action_id}", response=PlanActionOut)
def update_action(request: HttpRequest, family_id: UUID, action_id: UUID, body: ActionPatch):
    family = _writable(request, family_id, Category.PLAN)
    item = selectors.plan_action_of(family, action_id)
    fields = {k: v for k, v in body.dict(exclude_unset=True).items() if k != "version"}
    item = services.update_action(
        by=request.user, action=item, expected_version=body.version, request=request, **fields
    )
    return _action_out(item)


@router.get("/{family_id}/timeline", response=list[EntryOut])
@paginate(FamilyPagination)
def list_timeline(request: HttpRequest, family_id: UUID, include_entered_in_error: bool = False):
    """The timeline, newest first; entries marked "entered in error" only when asked for.
    A reader without identity reads the notes without the family's names."""
    family, access = selectors.access_family(
        request.user, family_id, parts=["timeline"], request=request
    )
    return Listing(
        selectors.visible_entries(
            request.user, family, access, with_entered_in_error=include_entered_in_error
        ),
        lambda rows: [_entry_out(e) for e in selectors.masked_entries(rows, family, access)],
    )


@router.post("/{family_id}/timeline", response={201: EntryOut})
def add_entry(request: HttpRequest, family_id: UUID, body: EntryIn):
    family = _writable(request, family_id)
    entry = services.add_entry(by=request.user, family=family, request=request, **body.dict())
    return Status(201, _entry_out(entry))


@router.post("/{family_id}/timeline/{entry_id}/entered-in-error", response=EntryOut)
def mark_entry_entered_in_error(
    request: HttpRequest, family_id: UUID, entry_id: UUID, body: EnteredInErrorIn
):
    """Mark an entry as entered in error, with the reason: by its author or the lead worker
    (403 for others who see it, 404 for those who do not; 409 if it already is)."""
    entry = selectors.entry_seen_by(request.user, family_id, entry_id)
    entry = services.mark_entry_entered_in_error(
        by=request.user, entry=entry, reason=body.reason, request=request
    )
    return _entry_out(entry)
