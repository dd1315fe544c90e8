"""Review endpoints of the JSON API: the same selectors and services as the pages, the same
404 for a group one is not a member of as for one that does not exist."""

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from maillage.core.errors import IllegalTransition

from . import agenda, selectors, services, statistics
from .schemas import (
    AgendaOut,
    ErrorOut,
    GroupOut,
    MeetingOut,
    SituationDetailOut,
    SituationIn,
    SituationOut,
    StatisticsOut,
)

router = Router(tags=["reviews"])


class ReviewPagination(PageNumberPagination):
    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=200, **kwargs)


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
    response={201: SituationOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
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
                "errors": error.message_dict,
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
    except ValidationError as error:
        return Status(422, {"detail": "Invalid input.", "errors": error.message_dict})
    except PermissionDenied:
        return Status(403, {"detail": "You may not submit a situation to this group."})
    except IllegalTransition as error:
        return Status(409, {"detail": str(error)})
    return Status(201, situation)


@router.get("/groups/{group_id}/statistics", response=StatisticsOut)
def get_statistics(
    request: HttpRequest, group_id: UUID, start: date | None = None, end: date | None = None
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
