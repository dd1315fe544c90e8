"""Referral endpoints of the JSON API: the same rules and the same transition table as the
pages; an illegal step answers 409 with the reason."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from maillage.core.dates import ApiDate
from maillage.core.pagination import ApiPagination
from maillage.core.permissions import require

from . import indicators, selectors, services
from .schemas import IndicatorGrouping, IndicatorRow, ReferralOut, StepIn

router = Router(tags=["referrals"])


class ReferralPagination(ApiPagination):
    default_size, max_size = 25, 100


class InboxPagination(ReferralPagination):
    """An inbox page names families: each listed one is logged, like the page's."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset.referrals, pagination, request, **params)
        page["items"] = queryset.present(page["items"])
        selectors.log_inbox(request.user, page["items"], request, purpose="api referral inbox")
        return page


@router.get("/inbox", response=list[ReferralOut])
@paginate(InboxPagination)
def inbox(request: HttpRequest):
    """Incoming referrals of my teams that the family's consent still opens to them,
    oldest first (each one listed is logged)."""
    return selectors.inbox(fetched_by=request.user)


@router.get("/sent", response=list[ReferralOut])
@paginate(ReferralPagination)
def sent(request: HttpRequest):
    return selectors.outgoing(fetched_by=request.user)


@router.get("/indicators", response=list[IndicatorRow])
def indicator_rows(
    request: HttpRequest, start: ApiDate, end: ApiDate, by: IndicatorGrouping = "team"
):
    require(request.user, "referrals.view_indicators")
    if start > end:
        raise ValidationError({"end": _("The end date is before the start date.")})
    return indicators.compute(start=start, end=end, by=by)


@router.get("/{referral_id}", response=ReferralOut)
def get_referral(request: HttpRequest, referral_id: UUID):
    return selectors.access_referral(request.user, referral_id, request=request)


@router.post("/{referral_id}/steps", response=ReferralOut)
def take_step(request: HttpRequest, referral_id: UUID, body: StepIn):
    referral = selectors.referral_for_write(request.user, referral_id)
    details = {k: v for k, v in body.dict().items() if v not in (None, "") and k != "step"}
    note = details.pop("note", "")
    # Refusals (not allowed 403, illegal step 409, bad input 422) are mapped by the root
    # of the API.
    return services.take_step(
        by=request.user,
        referral=referral,
        step=body.step,
        note=note,
        request=request,
        **details,
    )
