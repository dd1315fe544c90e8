"""Cross-training endpoints of the JSON API: the same selectors and services as the pages,
the same answers (404 for what one may not see, 409 with the reason for what the state of a
session forbids, a full session included)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from maillage.core.pagination import ApiPagination

from . import indicators, pairing, selectors, services
from .schemas import (
    EffectsOut,
    PairingOut,
    ProgrammeOut,
    ProgrammeSummaryOut,
    SessionOut,
    SignUpIn,
    SignUpOut,
)

router = Router(tags=["training"])


class TrainingPagination(ApiPagination):
    default_size, max_size = 50, 200


@router.get("/programmes", response=list[ProgrammeSummaryOut])
@paginate(TrainingPagination)
def list_programmes(request: HttpRequest):
    return selectors.programme_list(fetched_by=request.user)


@router.get("/programmes/{programme_id}", response=ProgrammeOut)
def get_programme(request: HttpRequest, programme_id: UUID):
    return selectors.access_programme(request.user, programme_id)


@router.get("/programmes/{programme_id}/sessions", response=list[SessionOut])
@paginate(TrainingPagination)
def list_sessions(request: HttpRequest, programme_id: UUID):
    return selectors.sessions_of(selectors.access_programme(request.user, programme_id))


@router.get("/sessions/{session_id}", response=SessionOut)
def get_session(request: HttpRequest, session_id: UUID):
    return selectors.access_session(request.user, session_id)


@router.post(
    "/sessions/{session_id}/sign-ups",
    response={201: SignUpOut},
)
def sign_up(request: HttpRequest, session_id: UUID, payload: SignUpIn):
    """Take a place for oneself. A full session answers 409 with the reason."""
    session = selectors.access_session(request.user, session_id)
    team = None
    if payload.team_id is not None:
        team = selectors.team_by_id(payload.team_id)
        if team is None:
            raise ValidationError({"team_id": _("Unknown team.")})
    # Refusals (not allowed 403, full or closed session 409, bad input 422) are mapped by
    # the root of the API.
    created = services.sign_up(by=request.user, session=session, team=team, request=request)
    return Status(201, created)


@router.get("/programmes/{programme_id}/pairings", response=list[PairingOut])
def get_pairings(request: HttpRequest, programme_id: UUID):
    programme = selectors.access_programme(
        request.user, programme_id, perm="training.view_pairings"
    )
    return [
        {
            "team_a": s.team_a,
            "team_b": s.team_b,
            "score": round(s.score, 4),
            "shared_families": s.shared_families,
            "referrals": s.referrals,
            "declined_last_quarter": s.declined_last_quarter,
            "trained_together": s.trained_together,
            "planned": s.planned,
            "reason": s.reason,
        }
        for s in pairing.suggest_pairs(fetched_by=request.user, programme=programme)
    ]


@router.get("/programmes/{programme_id}/effects", response=EffectsOut)
def get_effects(request: HttpRequest, programme_id: UUID):
    """Aggregates only; below the respondent threshold the figures are null."""
    programme = selectors.access_programme(request.user, programme_id, perm="training.view_effects")
    changes = indicators.self_assessment_change(fetched_by=request.user, programme=programme)
    rates = indicators.pair_rates(fetched_by=request.user, programme=programme)
    return {
        "min_respondents": indicators.MIN_RESPONDENTS,
        "window_months": indicators.WINDOW_MONTHS,
        "change": [
            {
                "statement": row.label,
                "item_id": row.item.pk if row.item is not None else None,
                "respondents": row.respondents,
                "shown": row.shown,
                "before": row.before if row.shown else None,
                "after": row.after if row.shown else None,
                "change": row.change if row.shown else None,
                "ci95_low": row.low if row.shown else None,
                "ci95_high": row.high if row.shown else None,
            }
            for row in changes
        ],
        "pairs": [
            {
                "measure": g.measure,
                "group": g.group,
                "available": g.available,
                "pairs_with_data": g.pairs_with_data,
                "pairs_without_data": g.pairs_without_data,
                "before_per_month": g.before,
                "after_per_month": g.after,
            }
            for g in rates
        ],
    }
