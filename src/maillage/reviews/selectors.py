"""Reads of the cooperation reviews, already scoped to the user.

Single objects come through access_*_by_id helpers that answer 404 alike whether the object
does not exist or the user may not see it: nobody learns which groups or meetings exist.
"""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from maillage.core.models import User
from maillage.core.permissions import require
from maillage.directory.models import Organization

from .models import (
    CLOSED_ACTION_STATUSES,
    FollowUp,
    GroupMembership,
    GroupRole,
    ImprovementAction,
    Meeting,
    MeetingStatus,
    MemberOrganization,
    ReviewGroup,
    Situation,
    SituationStatus,
)


def groups_visible_to(user) -> QuerySet[ReviewGroup]:
    """The groups whose content the user sees: those they take part in or moderate."""
    if not (user and user.is_authenticated and user.is_active):
        return ReviewGroup.objects.none()
    return (
        ReviewGroup.objects.filter(memberships__user=user)
        .annotate(
            meeting_count=Count(
                "meetings", filter=Q(meetings__status=MeetingStatus.HELD), distinct=True
            ),
            next_meeting_at=Max(
                "meetings__starts_at",
                filter=Q(meetings__status=MeetingStatus.SCHEDULED),
            ),
        )
        .order_by("name", "id")
    )


def groups_managed_by(user) -> QuerySet[ReviewGroup]:
    """Groups whose membership the user may manage without seeing their content
    (coordinators, administrators), plus the ones they moderate."""
    if not (user and user.is_authenticated and user.is_active):
        return ReviewGroup.objects.none()
    if user.has_perm("reviews.create_group"):
        return ReviewGroup.objects.order_by("name", "id")
    return ReviewGroup.objects.filter(
        memberships__user=user, memberships__role=GroupRole.MODERATOR
    ).order_by("name", "id")


def network_groups_to_manage(*, fetched_by) -> QuerySet[ReviewGroup] | None:
    """Every group of the network, for those who set groups up (coordinators,
    administrators) and manage their membership without seeing their content. None for
    everyone else: they have no such list."""
    if not (fetched_by and fetched_by.has_perm("reviews.create_group")):
        return None
    return groups_managed_by(fetched_by)


def access_group_by_id(user, group_id, *, perm: str = "reviews.view_group_content"):
    try:
        group = ReviewGroup.objects.get(id=group_id)
    except (ReviewGroup.DoesNotExist, ValueError):
        raise Http404 from None
    require(user, perm, group, hide=True)
    return group


def access_meeting_by_id(user, meeting_id) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("group", "host").get(id=meeting_id)
    except (Meeting.DoesNotExist, ValueError):
        raise Http404 from None
    require(user, "reviews.view_group_content", meeting, hide=True)
    return meeting


def access_situation_by_id(user, situation_id) -> Situation:
    try:
        situation = Situation.objects.select_related("group", "meeting", "analysis").get(
            id=situation_id
        )
    except (Situation.DoesNotExist, ValueError):
        raise Http404 from None
    require(user, "reviews.view_group_content", situation, hide=True)
    return situation


def access_action_by_id(user, action_id) -> ImprovementAction:
    try:
        action = ImprovementAction.objects.select_related(
            "situation__group", "owner_organization", "owner_participant"
        ).get(id=action_id)
    except (ImprovementAction.DoesNotExist, ValueError):
        raise Http404 from None
    require(user, "reviews.view_group_content", action, hide=True)
    return action


def members_of(group: ReviewGroup) -> QuerySet[GroupMembership]:
    return group.memberships.select_related("user", "organization").order_by(
        "-role", "user__full_name", "id"
    )


def member_by_id(group: ReviewGroup, user_id) -> User | None:
    """The account of one of the group's members (participant or moderator), else None."""
    try:
        return User.objects.filter(review_memberships__group=group, pk=user_id).first()
    except (ValueError, ValidationError):
        return None


def moderator_of(group: ReviewGroup) -> GroupMembership | None:
    return (
        group.memberships.filter(role=GroupRole.MODERATOR)
        .select_related("user", "organization")
        .first()
    )


def member_organizations(group: ReviewGroup) -> QuerySet[Organization]:
    return Organization.objects.filter(review_group_memberships__group=group).order_by("name")


def meetings_of(group: ReviewGroup) -> QuerySet[Meeting]:
    """Every meeting of the group, the latest first."""
    return (
        group.meetings.select_related("host")
        .annotate(situation_count=Count("situations"))
        .order_by("-starts_at", "id")
    )


def past_meetings_of(group: ReviewGroup) -> QuerySet[Meeting]:
    """The meetings held or cancelled, the latest first."""
    return meetings_of(group).exclude(status=MeetingStatus.SCHEDULED)


def present_at(meeting: Meeting) -> list[User]:
    """The members recorded present at the meeting, by name."""
    return [a.user for a in meeting.attendances.filter(present=True).select_related("user")]


def round_table_ratings(meeting: Meeting) -> dict:
    """{user id: rating} given at the meeting's round table."""
    return dict(meeting.ratings.values_list("user_id", "rating"))


def upcoming_meetings(group: ReviewGroup) -> QuerySet[Meeting]:
    return group.meetings.filter(status=MeetingStatus.SCHEDULED).select_related("host")


def situation_queue(group: ReviewGroup) -> QuerySet[Situation]:
    """Submitted situations waiting to be presented: the head of the queue goes first."""
    return group.situations.filter(status=SituationStatus.SUBMITTED).order_by(
        "queue_position", "submitted_at", "id"
    )


def situations_submitted_by(user, group: ReviewGroup) -> QuerySet[Situation]:
    return (
        group.situations.filter(submitted_by=user)
        .select_related("meeting")
        .order_by("-submitted_at")
    )


def situations_of(group: ReviewGroup) -> QuerySet[Situation]:
    """The group's situations but the withdrawn ones: waiting first, in queue order."""
    return group.situations.exclude(status=SituationStatus.WITHDRAWN).order_by(
        "status", "queue_position", "id"
    )


def situation_as_saved(situation: Situation) -> Situation:
    """The situation as the database has it now (after a change made on a copy of it)."""
    situation.refresh_from_db()
    return situation


def actions_of(situation: Situation, *, with_updates: bool = False) -> QuerySet[ImprovementAction]:
    """The situation's improvement actions with their owners; with_updates: also the
    meeting that opened each one and its history of updates."""
    actions = situation.actions.select_related("owner_organization", "owner_participant")
    if with_updates:
        actions = actions.select_related("opened_at_meeting").prefetch_related("updates")
    return actions


def follow_ups_of(situation: Situation) -> QuerySet[FollowUp]:
    return situation.follow_ups.select_related("meeting")


def follow_up_at(meeting: Meeting, situation: Situation) -> FollowUp | None:
    """What was recorded at this meeting about what became of the situation."""
    return meeting.follow_ups.filter(situation=situation).first()


def open_actions(group: ReviewGroup) -> QuerySet[ImprovementAction]:
    return (
        ImprovementAction.objects.filter(situation__group=group)
        .exclude(status__in=CLOSED_ACTION_STATUSES)
        .select_related("situation", "owner_organization", "owner_participant")
        .order_by("due_date", "created_at", "id")
    )


def next_open_meeting(group: ReviewGroup) -> Meeting | None:
    return group.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at").first()


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(group_id=meeting.group_id, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at", "-id")
        .first()
    )


def action_open_at(meeting: Meeting, prefix: str = "") -> Q:
    """Actions to follow up at this meeting: opened at an earlier meeting and not closed
    before this one began."""
    p = prefix
    start = meeting.starts_at
    return Q(**{f"{p}opened_at_meeting__starts_at__lt": start}) & (
        Q(**{f"{p}closed_at__isnull": True})
        | Q(**{f"{p}closed_at_meeting__starts_at__gte": start})
        | Q(**{f"{p}closed_at_meeting__isnull": True, f"{p}closed_at__gte": start})
    )


def follow_up_situations(meeting: Meeting, previous: Meeting | None = None) -> QuerySet[Situation]:
    """Section (2) of the agenda. For a meeting not yet held: the situations of the previous
    meeting, and earlier ones that still have open actions. Once held, the list is the one
    frozen when the meeting closed."""
    situations = Situation.objects.filter(group_id=meeting.group_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        return situations.filter(follow_ups__meeting=meeting).distinct()
    wanted = Q(follow_ups__meeting=meeting) | action_open_at(meeting, prefix="actions__")
    if previous is not None:
        wanted |= Q(meeting=previous)
    return situations.filter(
        wanted,
        status=SituationStatus.PRESENTED,
        meeting__starts_at__lt=meeting.starts_at,
    ).distinct()


def usual_meeting_time(group: ReviewGroup):
    """The local time of day of the group's latest meeting, if it has one."""
    latest = group.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("-starts_at").first()
    return timezone.localtime(latest.starts_at).time() if latest else None


def propose_host(group: ReviewGroup) -> Organization | None:
    """The venue rotates: the member organization that hosted least recently; among those
    that never hosted, the one that has waited longest since it joined. Cancelled meetings
    do not count; meetings already planned do, so that scheduling several meetings ahead
    (or two at once) keeps rotating."""
    meetings = Meeting.objects.filter(group=group).exclude(status=MeetingStatus.CANCELLED)
    last_hosted = dict(
        meetings.values("host_id").annotate(last=Max("starts_at")).values_list("host_id", "last")
    )
    members = list(MemberOrganization.objects.filter(group=group).select_related("organization"))
    if not members:
        return None
    never = datetime.min.replace(tzinfo=UTC)

    def wait(member: MemberOrganization):
        return (
            last_hosted.get(member.organization_id, never),
            member.joined_at,
            member.organization.name,
        )

    return min(members, key=wait).organization
