"""Programmes-in-practice endpoints of the JSON API: the same selectors and services as the
pages, the same answers (404 for what one may not see, a family's enrolments through the
family's own rule; 409 with the reason for a step the transition table forbids; 422 naming
the field)."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from maillage.core.pagination import ApiPagination

from . import selectors, services
from .schemas import (
    DashboardOut,
    EnrolmentOut,
    FactorOut,
    PracticeProgrammeOut,
    ProgrammeSessionOut,
    SessionIn,
    SiteOut,
)

router = Router(tags=["implementation"])


def _lookup(mapping: dict, key, default):
    # Not mapping.get(): the layering test reads .get() as a query in an HTTP module.
    try:
        return mapping[key]
    except KeyError:
        return default


class Pagination(ApiPagination):
    """Any page number is safe (core.pagination): past the end, an empty page."""

    default_size, max_size = 50, 200


def _ratio(r) -> dict:
    return {"numerator": r.numerator, "denominator": r.denominator, "value": r.value}


def _summary(s) -> dict:
    return {"n": len(s.values), "median": s.median, "mean": s.mean}


@router.get("/programmes", response=list[PracticeProgrammeOut])
@paginate(Pagination)
def list_programmes(request: HttpRequest):
    return selectors.programme_list(fetched_by=request.user)


@router.get("/programmes/{programme_id}", response=PracticeProgrammeOut)
def get_programme(request: HttpRequest, programme_id: UUID):
    return selectors.access_programme(request.user, programme_id)


@router.get("/programmes/{programme_id}/dashboard", response=DashboardOut)
def get_dashboard(request: HttpRequest, programme_id: UUID):
    """Every figure of the dashboard: aggregates only, no family named."""
    programme = selectors.access_programme(request.user, programme_id)
    board = selectors.dashboard(fetched_by=request.user, programme=programme)
    return {
        "reach": _ratio(board.reach),
        "days_to_first_session": _summary(board.days_to_first),
        "sessions_per_family": _summary(board.per_family),
        "dose_distribution": [{"key": k, "count": n} for k, n in board.distribution],
        "completion": _ratio(board.completion),
        "no_shows": _ratio(board.no_shows),
        "exit_reasons": [{"key": k, "count": n} for k, n in sorted(board.exit_reasons.items())],
        "sessions_rated": _ratio(board.share_rated),
        "fidelity_by_site": {str(k): v for k, v in board.fidelity_by_site.items()},
        "fidelity_trend": [
            {"year": q[0], "quarter": q[1], "mean": m, "sessions": n}
            for q, m, n in board.fidelity_trend
        ],
        "trained_now_by_site": {str(k): v for k, v in board.capacity.now.items()},
        "sustainability": [
            {"year": y, "domain": d, "n": m.n, "mean": m.mean, "low": m.low, "high": m.high}
            for (y, d), m in board.sustainability.items()
        ],
        "register_by_category": [
            {"category": c, "polarity": p, "count": n}
            for (c, p), n in sorted(board.register["category"].items())
        ],
        "register_by_sector": [
            {"key": k, "count": n} for k, n in sorted(board.register["sector"].items())
        ],
    }


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request: HttpRequest, site_id: UUID):
    site = selectors.access_site(request.user, site_id)
    capacity = selectors.site_capacity(site)
    return {
        "id": site.id,
        "programme_id": site.programme_id,
        "team_id": site.team_id,
        "team": site.team.name,
        "stages": [
            {
                "stage": f.stage,
                "label": f.label,
                "started_on": f.started_on,
                "finished_on": f.finished_on,
                "days": f.days,
                "activities_planned": f.planned,
                "activities_done": f.done,
            }
            for f in selectors.site_stages(site)
        ],
        "trained_now": _lookup(capacity.now, site.id, 0),
    }


@router.get("/families/{family_id}/enrolments", response=list[EnrolmentOut])
def list_family_enrolments(request: HttpRequest, family_id: UUID):
    """The family's enrolments and sessions: the family's access rule, one access event."""
    return selectors.family_programmes(request.user, family_id, request=request).enrolments


@router.get("/enrolments/{enrolment_id}", response=EnrolmentOut)
def get_enrolment(request: HttpRequest, enrolment_id: UUID):
    enrolment, _access = selectors.access_enrolment(request.user, enrolment_id, request=request)
    return enrolment


@router.post(
    "/enrolments/{enrolment_id}/sessions",
    response={201: ProgrammeSessionOut},
)
def add_session(request: HttpRequest, enrolment_id: UUID, payload: SessionIn):
    """Record a session with its fidelity; a field out of range answers 422 naming it (the
    root of the API maps the service's refusals: 403, 409, 422)."""
    enrolment = selectors.enrolment_for_write(request.user, enrolment_id)
    session = services.record_session(
        by=request.user,
        enrolment=enrolment,
        held_on=payload.held_on,
        attended=payload.attended,
        components=payload.components,
        fidelity=payload.fidelity,
        rated_by=payload.rated_by,
        note=payload.note,
        request=request,
    )
    return Status(201, session)


@router.get("/register", response=list[FactorOut])
@paginate(Pagination)
def list_register(request: HttpRequest):
    return selectors.factor_list(fetched_by=request.user, filters=selectors.RegisterFilters())
