"""Review endpoints of the JSON API: the same selectors and services as the pages, the same
404 for a group one is not a member of as for one that does not exist."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from maillage.core.api_errors import validation_error_items
from maillage.core.dates import ApiDate
from maillage.core.pagination import ApiPagination

from . import agenda, selectors, services, statistics
from .schemas import (
    AgendaOut,
    GroupOut,
    MeetingOut,
    SituationDetailOut,
    SituationErrorOut,
    SituationIn,
    SituationOut,
    StatisticsOut,
)

router = Router(tags=["reviews"])


class ReviewPagination(ApiPagination):
    default_size, max_size = 50, 200


@router.get("/groups", response=list[GroupOut])
@paginate(ReviewPagination)
def list_groups(request: HttpRequest):
    return selectors.groups_visible_to(request.user)


@router.get("/groups/{group_id}", response=GroupOut)
def get_group(request: HttpRequest, group_id: UUID):
    return selectors.access_group_by_id(request.user, group_id)


@router.get("/groups/{group_id}/meetings", response=list[MeetingOut])
@paginate(ReviewPagination)
def list_meetings(request: HttpRequest, group_id: UUID):
    return selectors.meetings_of(selectors.access_group_by_id(request.user, group_id))


@router.get("/meetings/{meeting_id}", response=AgendaOut)
def get_meeting(request: HttpRequest, meeting_id: UUID):
    """The meeting and its agenda, in the fixed five-part format."""
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    built = agenda.build_agenda(meeting)
    return {
        "meeting": meeting,
        "follow_ups": [
            {"situation": item.situation, "note": item.note, "open_actions": item.actions}
            for item in built.follow_ups
        ],
        "new_situations": [
            {"situation": item.situation, "proposed": item.proposed, "actions": item.actions}
            for item in built.new_situations
        ],
        "slots": built.slots,
        "round_table_notes": meeting.round_table_notes,
        "rating_average": built.rating_average,
        "rating_count": built.rating_count,
    }


@router.get("/groups/{group_id}/situations", response=list[SituationOut])
@paginate(ReviewPagination)
def list_situations(request: HttpRequest, group_id: UUID):
    group = selectors.access_group_by_id(request.user, group_id)
    return selectors.situations_of(group)


@router.get("/situations/{situation_id}", response=SituationDetailOut)
def get_situation(request: HttpRequest, situation_id: UUID):
    return selectors.access_situation_by_id(request.user, situation_id)


@router.post(
    "/groups/{group_id}/situations",
    response={201: SituationOut, 422: SituationErrorOut},
)
def submit_situation(request: HttpRequest, group_id: UUID, payload: SituationIn):
    """Submit a situation. If the text may identify someone, the answer is 422 with the
    findings; send again without them, or with a confirmation (key and reason) for each."""
    group = selectors.access_group_by_id(request.user, group_id)
    try:
        situation = services.submit_situation(
            by=request.user,
            group=group,
            kind=payload.kind,
            title=payload.title,
            narrative=payload.narrative,
            sectors=payload.sectors,
            confirmations={c.key: c.reason for c in payload.confirmations},
            request=request,
        )
    except services.IdentifyingDetailsFound as error:
        return Status(
            422,
            {
                "detail": "The text may identify someone.",
                "errors": validation_error_items(error),
                "findings": [
                    {
                        "field": field,
                        "kind": f.kind,
                        "text": f.text,
                        "start": f.start,
                        "end": f.end,
                        "key": f.key,
                    }
                    for field, items in error.findings.items()
                    for f in items
                ],
            },
        )
    # Other refusals (bad input 422, not allowed 403, wrong state 409) are mapped by the
    # root of the API.
    return Status(201, situation)


@router.get("/groups/{group_id}/statistics", response=StatisticsOut)
def get_statistics(
    request: HttpRequest, group_id: UUID, start: ApiDate | None = None, end: ApiDate | None = None
):
    group = selectors.access_group_by_id(request.user, group_id)
    default_start, default_end = statistics.default_period()
    stats = statistics.group_statistics(group, start=start or default_start, end=end or default_end)
    return {
        **{
            name: getattr(stats, name)
            for name in (
                "start",
                "end",
                "meetings_held",
                "situations_presented",
                "malfunctions",
                "went_well",
                "harmed_patient",
                "harmed_carer",
                "avoidable",
                "partly_avoidable",
                "actions_opened",
                "actions_closed",
                "actions_overdue",
            )
        },
        "by_type": [{"key": c, "label": label, "count": n} for c, label, n in stats.by_type],
        "by_sector_pair": [
            {"key": "+".join(pair), "label": label, "count": n}
            for pair, label, n in stats.by_sector_pair
        ],
        "ratings": [
            {
                "meeting_id": p.meeting.id,
                "starts_at": p.meeting.starts_at,
                "average": p.average,
                "count": p.count,
            }
            for p in stats.ratings
        ],
    }
