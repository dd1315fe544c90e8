"""Programmes-in-practice endpoints of the JSON API: the same selectors and services as the
pages, the same answers (404 for what one may not see, a family's enrolments through the
family's own rule; 409 with the reason for a step the transition table forbids; 422 naming
the field)."""

from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from maillage.core.pagination import ApiPagination

from . import selectors, services
from .schemas import (
    DashboardOut,
    DepartureIn,
    DepartureOut,
    EnrolIn,
    EnrolmentOut,
    EnrolmentStatusOut,
    EnrolmentStepIn,
    FactorOut,
    PracticeProgrammeOut,
    ProgrammeSessionOut,
    SessionIn,
    SiteOut,
    StageIn,
    StageRowOut,
    SupervisionIn,
    SupervisionOut,
    SustainabilityIn,
    SustainabilityOut,
    TrainingIn,
    TrainingOut,
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
    return {"n": s.n, "median": s.median, "mean": s.mean}


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
    return _board_out(selectors.dashboard(fetched_by=request.user, programme=programme))


@router.get("/sites/{site_id}/dashboard", response=DashboardOut)
def get_site_dashboard(request: HttpRequest, site_id: UUID):
    """The dashboard's figures for one site: the same people as the programme's, the same
    aggregates (no family named)."""
    site = selectors.access_site(request.user, site_id)
    return _board_out(
        selectors.dashboard(fetched_by=request.user, programme=site.programme, site=site)
    )


def _board_out(board) -> dict:
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
        "trained_lost_by_site": {str(k): len(v) for k, v in board.capacity.lost.items()},
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


# --- writes: a family's way through the programme -------------------------------------------


@router.post("/families/{family_id}/enrolments", response={201: EnrolmentStatusOut})
def enrol_family(request: HttpRequest, family_id: UUID, payload: EnrolIn):
    """Enrol a family at a site one works at (the family's rule: in its circle, seeing its
    plan); logged on the family. A family has one open enrolment per programme (422)."""
    family = selectors.family_for_api_enrolment(request.user, family_id)
    enrolment = services.enrol_family(
        by=request.user,
        family=family,
        site=selectors.site_of_programme_work(payload.site),
        referred_on=payload.referred_on,
        offered_on=payload.offered_on,
        enrolled_on=payload.enrolled_on,
        eligible=payload.eligible,
        request=request,
    )
    return Status(201, enrolment)


@router.post("/enrolments/{enrolment_id}/steps", response=EnrolmentStatusOut)
def move_enrolment(request: HttpRequest, enrolment_id: UUID, payload: EnrolmentStepIn):
    """Offered, enrolled, completed, or exited with a reason: the enrolment's transition
    table (409 with the reason), its version (409 when stale); logged on the family."""
    enrolment = selectors.enrolment_for_write(request.user, enrolment_id)
    return services.move_enrolment(
        by=request.user,
        enrolment=enrolment,
        to=payload.to,
        on=payload.on,
        exit_reason=payload.exit_reason,
        version=payload.version,
        request=request,
    )


# --- writes: a site's stages, training, supervision, departures, self-assessment ------------


@router.post("/sites/{site_id}/stages", response=StageRowOut)
def record_stage(request: HttpRequest, site_id: UUID, payload: StageIn):
    """Start, update or finish one of the site's stages (coordinators)."""
    site = selectors.site_for(request.user, site_id, "implementation.manage_site")
    return services.record_stage(by=request.user, site=site, request=request, **payload.dict())


@router.post("/sites/{site_id}/trainings", response={201: TrainingOut})
def record_training(request: HttpRequest, site_id: UUID, payload: TrainingIn):
    """A training, booster, supervised case or certification of a member of the site's
    team (the lead of that team, coordinators)."""
    site = selectors.site_for(request.user, site_id, "implementation.record_training")
    data = payload.dict()
    practitioner = selectors.site_member(site, data.pop("practitioner"))
    record = services.record_training(
        by=request.user, site=site, practitioner=practitioner, request=request, **data
    )
    return Status(201, record)


@router.post("/sites/{site_id}/supervisions", response={201: SupervisionOut})
def record_supervision(request: HttpRequest, site_id: UUID, payload: SupervisionIn):
    site = selectors.site_for(request.user, site_id, "implementation.record_training")
    data = payload.dict()
    practitioner = selectors.site_member(site, data.pop("practitioner"))
    row = services.record_supervision(
        by=request.user, site=site, practitioner=practitioner, request=request, **data
    )
    return Status(201, row)


@router.get("/sites/{site_id}/departures", response=list[DepartureOut])
def list_departures(request: HttpRequest, site_id: UUID):
    """The trained practitioners who left the site, by name (who may read its training
    log)."""
    site = selectors.access_site(request.user, site_id)
    return selectors.site_departures_for(request.user, site)


@router.post("/sites/{site_id}/departures", response={201: DepartureOut})
def record_departure(request: HttpRequest, site_id: UUID, payload: DepartureIn):
    """A practitioner trained at the site left its team: its trained capacity loses them
    from that day."""
    site = selectors.site_for(request.user, site_id, "implementation.record_training")
    practitioner = selectors.trained_practitioner(site, payload.practitioner)
    row = services.record_departure(
        by=request.user,
        site=site,
        practitioner=practitioner,
        left_on=payload.left_on,
        request=request,
    )
    return Status(201, row)


@router.post("/sites/{site_id}/sustainability", response={201: SustainabilityOut})
def answer_sustainability(request: HttpRequest, site_id: UUID, payload: SustainabilityIn):
    """This year's self-assessment of one member of the site's team: every statement in use
    rated 1 to 7 (answering again replaces the answers)."""
    site = selectors.site_for(request.user, site_id, "implementation.answer_sustainability")
    assessment = services.answer_sustainability(
        by=request.user,
        site=site,
        year=timezone.localdate().year,
        scores=payload.scores,
        request=request,
    )
    return Status(201, assessment)
