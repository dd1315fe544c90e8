"""The fixed format of every review meeting, generated as its agenda:
(1) greeting; (2) what became of the situations of the previous meeting and their open
actions; (3) one or two new situations from the queue; (4) optional slots; (5) round table.

The same structure feeds the meeting page, the minutes (HTML and PDF) and the invitation.
It is built with a fixed number of queries, whatever the size of the group's history.
"""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Prefetch, Q

from . import selectors
from .models import (
    ActionUpdate,
    Attendance,
    FollowUp,
    ImprovementAction,
    Meeting,
    MeetingSlot,
    MeetingStatus,
    Situation,
)


@dataclass
class FollowUpItem:
    situation: Situation
    actions: list[ImprovementAction]
    note: str = ""


@dataclass
class NewSituationItem:
    situation: Situation
    # Proposed from the head of the queue; not presented (analysed) yet.
    proposed: bool
    actions: list[ImprovementAction] = field(default_factory=list)


@dataclass
class Agenda:
    meeting: Meeting
    previous: Meeting | None
    follow_ups: list[FollowUpItem]
    new_situations: list[NewSituationItem]
    slots: list[MeetingSlot]
    attendances: list[Attendance]
    rating_average: float | None
    rating_count: int
    free_slots: int

    @property
    def present(self) -> list[Attendance]:
        return [a for a in self.attendances if a.present]

    @property
    def absent(self) -> list[Attendance]:
        return [a for a in self.attendances if not a.present]


def _actions_prefetch(meeting: Meeting, *, open_at_meeting: bool) -> Prefetch:
    actions = ImprovementAction.objects.select_related(
        "owner_organization", "owner_participant"
    ).prefetch_related(
        # What was said about each action at this meeting, for the minutes.
        Prefetch(
            "updates",
            queryset=ActionUpdate.objects.filter(meeting=meeting),
            to_attr="updates_here",
        )
    )
    if open_at_meeting:
        # Open when the meeting began, or opened at this very meeting during the follow-up.
        actions = actions.filter(selectors.action_open_at(meeting) | Q(opened_at_meeting=meeting))
    actions = actions.order_by("due_date", "created_at")
    return Prefetch("actions", queryset=actions, to_attr="listed")


def build_agenda(meeting: Meeting) -> Agenda:
    previous = selectors.previous_meeting(meeting)
    follow_up_situations = list(
        selectors.follow_up_situations(meeting, previous)
        .select_related("analysis", "meeting")
        .prefetch_related(
            _actions_prefetch(meeting, open_at_meeting=True),
            Prefetch(
                "follow_ups", queryset=FollowUp.objects.filter(meeting=meeting), to_attr="here"
            ),
        )
        .order_by("meeting__starts_at", "queue_position", "id")
    )
    follow_ups = [
        FollowUpItem(
            situation=s,
            actions=s.listed,
            note=s.here[0].note if s.here else "",
        )
        for s in follow_up_situations
    ]

    presented = list(
        meeting.situations.select_related("analysis")
        .prefetch_related(_actions_prefetch(meeting, open_at_meeting=False))
        .order_by("analysis__created_at", "id")
    )
    new_situations = [NewSituationItem(s, proposed=False, actions=s.listed) for s in presented]
    free_slots = max(meeting.new_situation_slots - len(presented), 0)
    # Only the group's next meeting draws from the queue: two meetings planned ahead must
    # not both claim the same situations.
    if free_slots and meeting.status == MeetingStatus.SCHEDULED:
        upcoming = selectors.next_open_meeting(meeting.group)
        if upcoming is not None and upcoming.pk == meeting.pk:
            new_situations += [
                NewSituationItem(s, proposed=True)
                for s in selectors.situation_queue(meeting.group)[:free_slots]
            ]

    ratings = meeting.ratings.aggregate(average=Avg("rating"), count=Count("id"))
    return Agenda(
        meeting=meeting,
        previous=previous,
        follow_ups=follow_ups,
        new_situations=new_situations,
        slots=list(meeting.slots.all()),
        attendances=list(meeting.attendances.select_related("user")),
        rating_average=ratings["average"],
        rating_count=ratings["count"],
        free_slots=free_slots,
    )


def left_in_queue(meeting: Meeting) -> list[Situation]:
    """The situations the agenda proposes from the queue that were not analysed: closing the
    meeting sends them back to the queue, for the next one."""
    return [item.situation for item in build_agenda(meeting).new_situations if item.proposed]
