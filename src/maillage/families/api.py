"""Family endpoints of the JSON API. Same selectors and services as the pages: same rules,
same access log. A family the caller may not see is "not found", like a missing one; a write
the caller may not make on a family they see is "forbidden" (the root of the API maps the
services' refusals)."""

from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from maillage.core.pagination import ApiPagination

from . import selectors, services
from .models import Category, Consent, Family, PlanAction
from .permissions import family_access, identity_shown_in_caseload
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


class FamilyPagination(ApiPagination):
    """Pages of 20; each page's rows pass through `present` (which may log the read)."""

    default_size, max_size = 20, 100


class CaseloadPagination(FamilyPagination):
    def present(self, request, items) -> list:
        families = list(items)
        named = identity_shown_in_caseload(families)
        selectors.log_listing(request.user, families, request=request, purpose="api caseload")
        return [
            {
                "id": f.id,
                "reference": f.reference,
                "next_action_due": f.next_action_due,
                "names": [f"{c.first_name} {c.last_name}" for c in f.caregivers.all()]
                if f.id in named
                else None,
            }
            for f in families
        ]


class TimelinePagination(FamilyPagination):
    def present(self, request, items) -> list:
        return [_entry_out(e) for e in items]


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
    family = Family.objects.filter(id=family_id).first()
    if family is None or not request.user.has_perm("families.view_family", family):
        raise Http404
    if category and not family_access(request.user, family).sees(category):
        raise Http404
    return family


@router.get("/", response=list[FamilySummaryOut])
@paginate(CaseloadPagination)
def list_families(request: HttpRequest):
    """My caseload: the families I follow in a circle of care (each one listed is logged)."""
    return selectors.caseload_summary(fetched_by=request.user)


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
            "organizations": [o.name for o in c.organizations.all()],
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
    consent = Consent.objects.filter(id=consent_id, family=family).first()
    if consent is None:
        raise Http404
    consent = services.withdraw_consent(
        by=request.user, consent=consent, reason=body.reason, request=request
    )
    return {
        "id": consent.id,
        "state": consent.state(),
        "organizations": [o.name for o in consent.organizations.all()],
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
                "actions": [_action_out(a) for a in g.actions.all()],
            }
            for g in plan["goals"]
        ]
    }


@router.patch("/{family_id}/plan/actions/{action_id}", response=PlanActionOut)
def update_action(request: HttpRequest, family_id: UUID, action_id: UUID, body: ActionPatch):
    family = _writable(request, family_id, Category.PLAN)
    item = PlanAction.objects.filter(id=action_id, family=family).first()
    if item is None:
        raise Http404
    fields = {k: v for k, v in body.dict(exclude_unset=True).items() if k != "version"}
    item = services.update_action(
        by=request.user, action=item, expected_version=body.version, request=request, **fields
    )
    return _action_out(item)


@router.get("/{family_id}/timeline", response=list[EntryOut])
@paginate(TimelinePagination)
def list_timeline(request: HttpRequest, family_id: UUID, include_entered_in_error: bool = False):
    """The timeline, newest first; entries marked "entered in error" only when asked for."""
    family, access = selectors.access_family(
        request.user, family_id, parts=["timeline"], request=request
    )
    return selectors.visible_entries(
        request.user, family, access, with_entered_in_error=include_entered_in_error
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
