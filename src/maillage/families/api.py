"""Family endpoints of the JSON API. Same selectors and services as the pages: same rules,
same access log. A family the caller may not see is "not found", like a missing one."""

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from . import selectors, services
from .models import Family, PlanAction
from .schemas import (
    ActionOut,
    ActionPatch,
    CircleMemberOut,
    ConsentOut,
    EntryIn,
    EntryOut,
    FamilyOut,
    FamilySummaryOut,
    PlanOut,
    WithdrawIn,
)

router = Router(tags=["families"])


@dataclass
class Listing:
    """What a paginated endpoint returns: the rows to page through, and how a page's rows
    are shown to this reader (labelled, masked, logged) once the page is cut."""

    rows: QuerySet
    present: Callable[[list], list]


class FamilyPagination(PageNumberPagination):
    """Pages of 20; each page's rows pass through the listing's `present`."""

    def __init__(self, **kwargs):
        super().__init__(page_size=20, max_page_size=100, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset.rows, pagination, request, **params)
        page["items"] = queryset.present(list(page["items"]))
        return page


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
    }


def _validation(error: ValidationError) -> HttpError:
    detail = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in detail.items()))


def _writable(request, family_id, perm: str) -> Family:
    return selectors.family_for_write(request.user, family_id, perm)


@router.get("/", response=list[FamilySummaryOut])
@paginate(FamilyPagination)
def list_families(request: HttpRequest):
    """My caseload: the families I follow in a circle of care and may open (each one
    listed is logged); names only where the consent covers identity."""
    caseload = selectors.caseload_summary(fetched_by=request.user)

    def present(rows: list) -> list:
        families = caseload.present(rows, with_consent=False)
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

    return Listing(caseload.families, present)


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
    family = _writable(request, family_id, "families.record_consent")
    consent = selectors.consent_of(family, consent_id)
    try:
        consent = services.withdraw_consent(
            by=request.user, consent=consent, reason=body.reason, request=request
        )
    except services.IllegalTransition as error:
        raise HttpError(409, str(error)) from None
    except PermissionDenied:
        raise Http404 from None
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


@router.patch("/{family_id}/plan/actions/{action_id}", response=ActionOut)
def update_action(request: HttpRequest, family_id: UUID, action_id: UUID, body: ActionPatch):
    family = _writable(request, family_id, "families.change_plan")
    item = selectors.plan_action_of(family, action_id)
    fields = {k: v for k, v in body.dict(exclude_unset=True).items() if k != "version"}
    try:
        item = services.update_action(
            by=request.user, action=item, expected_version=body.version, request=request, **fields
        )
    except services.Conflict as error:
        raise HttpError(409, str(error)) from None
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        raise _validation(error) from None
    return _action_out(item)


@router.get("/{family_id}/timeline", response=list[EntryOut])
@paginate(FamilyPagination)
def list_timeline(request: HttpRequest, family_id: UUID):
    family, access = selectors.access_family(
        request.user, family_id, parts=["timeline"], request=request
    )
    return Listing(
        selectors.visible_entries(request.user, family, access),
        lambda rows: [_entry_out(e) for e in selectors.masked_entries(rows, family, access)],
    )


@router.post("/{family_id}/timeline", response={201: EntryOut})
def add_entry(request: HttpRequest, family_id: UUID, body: EntryIn):
    family = _writable(request, family_id, "families.add_entry")
    try:
        entry = services.add_entry(by=request.user, family=family, request=request, **body.dict())
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        raise _validation(error) from None
    return Status(201, _entry_out(entry))
