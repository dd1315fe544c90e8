"""Every write of the cooperation reviews, as a verb: one transaction, permission checked,
audit row written. Bad input raises ValidationError naming the field and writes nothing; a
change the state machine forbids raises IllegalTransition.

Free text goes through the de-identification guard before it is saved: whatever may identify
someone must be removed, or confirmed as not identifying with a reason that is logged. The
guard runs before the write transaction opens (it reads every name on record when they
changed, and scans up to MAX_TEXT_LENGTH characters): no lock is held while it works.
"""

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core import deidentification
from maillage.core.errors import IllegalTransition
from maillage.core.models import User
from maillage.core.permissions import require
from maillage.core.tokens import join_codes
from maillage.core.transitions import check_transition
from maillage.directory.models import Membership, Organization, Sector
from maillage.families.guard_names import name_index

from . import selectors
from .models import (
    ACTION_TRANSITIONS,
    MEETING_TRANSITIONS,
    SITUATION_TRANSITIONS,
    ActionStatus,
    ActionUpdate,
    Analysis,
    Attendance,
    Avoidable,
    FollowUp,
    GroupMembership,
    GroupRole,
    Harm,
    ImprovementAction,
    MalfunctionType,
    Meeting,
    MeetingSlot,
    MeetingStatus,
    MemberOrganization,
    ReviewGroup,
    RoundTableRating,
    Situation,
    SituationKind,
    SituationStatus,
    SlotKind,
)


class IdentifyingDetailsFound(ValidationError):  # noqa: N818 (says what happened)
    """Free text that may identify someone. `findings` maps each field to what was found."""

    def __init__(self, findings: dict[str, list[deidentification.Finding]]):
        self.findings = findings
        super().__init__(
            {
                field: [
                    _(
                        "This may identify someone: %(found)s. Remove it, or confirm that it "
                        "does not identify anyone and say why."
                    )
                    % {"found": "; ".join(f"“{f.text}” ({f.label})" for f in items)}
                ]
                for field, items in findings.items()
            }
        )


def _check_deidentified(
    fields: Mapping[str, str], confirmations: Mapping[str, str] | None
) -> list[dict[str, str]]:
    """Raises ValidationError for a text over MAX_TEXT_LENGTH, IdentifyingDetailsFound for
    any finding not confirmed; returns the confirmed ones, for the audit row. Call it before
    opening the write transaction."""
    confirmations = confirmations or {}
    deidentification.check_lengths(fields)
    findings = deidentification.scan_fields(fields, names=name_index())
    missing = deidentification.unconfirmed(findings, confirmations)
    if missing:
        raise IdentifyingDetailsFound(missing)
    return [
        {
            "field": field,
            "kind": finding.kind,
            "text": finding.text,
            "reason": confirmations[finding.key].strip(),
        }
        for field, items in findings.items()
        for finding in items
    ]


def _details(confirmed: list[dict[str, str]], **details: Any) -> dict[str, Any]:
    if confirmed:
        details["confirmed_not_identifying"] = confirmed
    return details


def _require_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise IllegalTransition(
            _("This meeting is %(status)s: its record is closed.")
            % {"status": meeting.get_status_display().lower()}
        )


def require_meeting_day(meeting: Meeting) -> None:
    """What happens at the meeting (attendance, the five questions, the round table, the
    follow-up, closing it as held) is recorded on or after its day, never ahead of it."""
    if not meeting.has_begun:
        raise IllegalTransition(
            _(
                "This meeting takes place on %(day)s: its attendance, analysis and closing "
                "can be recorded from that day on."
            )
            % {"day": date_format(meeting.day, "DATE_FORMAT")}
        )


def _lock_meeting(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update(of=("self",)).select_related("group")
    return locked.get(pk=meeting.pk)


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# --- groups -----------------------------------------------------------------------------


def _speaks_for(user: User, organizations: Iterable[Organization]) -> Organization | None:
    """The member organization a participant works in, if any (the first by name)."""
    org_ids = {org.pk for org in organizations}
    membership = (
        Membership.objects.filter(practitioner__user=user, team__organization_id__in=org_ids)
        .select_related("team__organization")
        .order_by("team__organization__name")
        .first()
    )
    return membership.team.organization if membership else None


@transaction.atomic
def create_group(
    *,
    by: User,
    name: str,
    organizations: Iterable[Organization],
    moderator: User,
    participants: Iterable[User] = (),
    description: str = "",
    request=None,
) -> ReviewGroup:
    """Coordinators create review groups and appoint their moderator, who may work for none
    of the member organizations."""
    require(by, "reviews.create_group")
    organizations = list(dict.fromkeys(organizations))
    if len(organizations) < 2:
        raise ValidationError(
            {"organizations": _("A review group brings together at least two organizations.")}
        )
    participants = [p for p in dict.fromkeys(participants) if p.pk != moderator.pk]
    group = ReviewGroup(name=name.strip(), description=description.strip(), created_by=by)
    group.full_clean()
    group.save()
    MemberOrganization.objects.bulk_create(
        MemberOrganization(group=group, organization=org, joined_at=timezone.now())
        for org in organizations
    )
    GroupMembership.objects.create(
        group=group,
        user=moderator,
        role=GroupRole.MODERATOR,
        organization=_speaks_for(moderator, organizations),
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, user=p, organization=_speaks_for(p, organizations))
        for p in participants
    )
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=group,
        request=request,
        details={
            "event": "review_group_created",
            "organizations": [str(o.pk) for o in organizations],
            "moderator": str(moderator.pk),
            "participants": [str(p.pk) for p in participants],
        },
    )
    return group


@transaction.atomic
def add_participant(
    *,
    by: User,
    group: ReviewGroup,
    user: User,
    organization: Organization | None = None,
    request=None,
) -> GroupMembership:
    """The coordinator or the moderator brings a carer into the group."""
    require(by, "reviews.manage_group", group)
    ReviewGroup.objects.select_for_update().get(pk=group.pk)
    if group.memberships.filter(user=user).exists():
        raise ValidationError({"email": _("This person is already a member of the group.")})
    members = list(selectors.member_organizations(group))
    if organization is not None and organization not in members:
        raise ValidationError({"organization": _("Choose one of the member organizations.")})
    membership = GroupMembership.objects.create(
        group=group, user=user, organization=organization or _speaks_for(user, members)
    )
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=group,
        request=request,
        details={"event": "participant_added", "user": str(user.pk)},
    )
    return membership


@transaction.atomic
def remove_participant(*, by: User, group: ReviewGroup, user: User, request=None) -> None:
    require(by, "reviews.manage_group", group)
    deleted, _rows = group.memberships.filter(user=user, role=GroupRole.PARTICIPANT).delete()
    if not deleted:
        raise ValidationError({"user": _("This person is not a participant of the group.")})
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=group,
        request=request,
        details={"event": "participant_removed", "user": str(user.pk)},
    )


@transaction.atomic
def appoint_moderator(*, by: User, group: ReviewGroup, user: User, request=None):
    """A coordinator appoints the moderator; the previous one leaves the group (an external
    moderator has no other place in it)."""
    require(by, "reviews.create_group")
    ReviewGroup.objects.select_for_update().get(pk=group.pk)
    previous = group.memberships.filter(role=GroupRole.MODERATOR).first()
    if previous is not None and previous.user_id == user.pk:
        return previous
    if previous is not None:
        previous.delete()
    membership, _created = GroupMembership.objects.update_or_create(
        group=group, user=user, defaults={"role": GroupRole.MODERATOR}
    )
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=group,
        request=request,
        details={
            "event": "moderator_appointed",
            "user": str(user.pk),
            "previous": str(previous.user_id) if previous else "",
        },
    )
    return membership


@transaction.atomic
def add_member_organization(
    *, by: User, group: ReviewGroup, organization: Organization, request=None
) -> MemberOrganization:
    require(by, "reviews.manage_group", group)
    member, created = MemberOrganization.objects.get_or_create(
        group=group, organization=organization
    )
    if not created:
        raise ValidationError({"organization": _("This organization is already a member.")})
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=group,
        request=request,
        details={"event": "organization_added", "organization": str(organization.pk)},
    )
    return member


# --- meetings ---------------------------------------------------------------------------


def _check_host(group: ReviewGroup, host: Organization) -> None:
    if not MemberOrganization.objects.filter(group=group, organization=host).exists():
        raise ValidationError({"host": _("The venue must be one of the member organizations.")})


@transaction.atomic
def schedule_meeting(
    *,
    by: User,
    group: ReviewGroup,
    starts_at: datetime,
    host: Organization | None = None,
    duration_minutes: int = 120,
    venue_details: str = "",
    new_situation_slots: int = 2,
    request=None,
) -> Meeting:
    """The moderator schedules a meeting. The venue proposed is the member organization that
    hosted least recently; the moderator may choose another (the audit row says so)."""
    require(by, "reviews.moderate", group)
    # Two meetings scheduled at once must see each other's venue to keep the rotation fair.
    ReviewGroup.objects.select_for_update().get(pk=group.pk)
    proposed = selectors.propose_host(group)
    if proposed is None:
        raise ValidationError({"host": _("The group has no member organization to host it.")})
    host = host or proposed
    _check_host(group, host)
    meeting = Meeting(
        group=group,
        starts_at=starts_at,
        host=host,
        duration_minutes=duration_minutes,
        venue_details=venue_details.strip(),
        new_situation_slots=new_situation_slots,
        scheduled_by=by,
    )
    meeting.full_clean()
    meeting.save()
    record_event(
        action=Action.CREATED,
        actor=by,
        obj=meeting,
        request=request,
        details={
            "event": "meeting_scheduled",
            "host": str(host.pk),
            "proposed_host": str(proposed.pk),
            "host_overridden": host.pk != proposed.pk,
        },
    )
    return meeting


@transaction.atomic
def reschedule_meeting(
    *,
    by: User,
    meeting: Meeting,
    starts_at: datetime,
    host: Organization,
    duration_minutes: int,
    venue_details: str = "",
    new_situation_slots: int = 2,
    request=None,
) -> Meeting:
    require(by, "reviews.moderate", meeting)
    meeting = _lock_meeting(meeting)
    _require_open(meeting)
    _check_host(meeting.group, host)
    if new_situation_slots < meeting.situations.count():
        raise ValidationError(
            {"new_situation_slots": _("More situations were already presented at this meeting.")}
        )
    before = {"starts_at": meeting.starts_at.isoformat(), "host": str(meeting.host_id)}
    meeting.starts_at = starts_at
    meeting.host = host
    meeting.duration_minutes = duration_minutes
    meeting.venue_details = venue_details.strip()
    meeting.new_situation_slots = new_situation_slots
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=meeting,
        request=request,
        details={"event": "meeting_rescheduled", "before": before},
    )
    return meeting


@transaction.atomic
def cancel_meeting(*, by: User, meeting: Meeting, request=None) -> Meeting:
    require(by, "reviews.moderate", meeting)
    meeting = _lock_meeting(meeting)
    _require_open(meeting)
    check_transition(MEETING_TRANSITIONS, meeting.status, MeetingStatus.CANCELLED)
    if meeting.situations.exists():
        raise IllegalTransition(
            _("Situations were already presented at this meeting: it cannot be cancelled.")
        )
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=meeting,
        request=request,
        details={"event": "meeting_cancelled"},
    )
    return meeting


@transaction.atomic
def close_meeting(*, by: User, meeting: Meeting, request=None) -> Meeting:
    """The meeting was held: its record is closed, and the list of situations followed up
    is frozen as it stood, so that its minutes never change afterwards."""
    require(by, "reviews.moderate", meeting)
    meeting = _lock_meeting(meeting)
    _require_open(meeting)
    require_meeting_day(meeting)
    check_transition(MEETING_TRANSITIONS, meeting.status, MeetingStatus.HELD)
    previous = selectors.previous_meeting(meeting)
    listed = selectors.follow_up_situations(meeting, previous).values_list("id", flat=True)
    already = set(meeting.follow_ups.values_list("situation_id", flat=True))
    FollowUp.objects.bulk_create(
        FollowUp(meeting=meeting, situation_id=sid) for sid in listed if sid not in already
    )
    meeting.status = MeetingStatus.HELD
    meeting.held_at = timezone.now()
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    record_event(
        action=Action.UPDATED, actor=by, obj=meeting, request=request, details={"event": "held"}
    )
    return meeting


@transaction.atomic
def record_attendance(
    *, by: User, meeting: Meeting, present: Iterable[User], request=None
) -> list[Attendance]:
    """Who came. Every member gets a row: present or absent."""
    require(by, "reviews.moderate", meeting)
    meeting = _lock_meeting(meeting)
    _require_open(meeting)
    require_meeting_day(meeting)
    members = {m.user_id: m.user for m in meeting.group.memberships.select_related("user")}
    present_ids = {u.pk for u in present}
    strangers = present_ids - members.keys()
    if strangers:
        raise ValidationError({"present": _("Only members of the group can attend.")})
    meeting.attendances.all().delete()
    rows = Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user=user, present=uid in present_ids)
        for uid, user in members.items()
    )
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=meeting,
        request=request,
        details={"event": "attendance_recorded", "present": len(present_ids)},
    )
    return rows


def add_meeting_slot(
    *,
    by: User,
    meeting: Meeting,
    kind: str,
    title: str,
    notes: str = "",
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> MeetingSlot:
    """Section (4): a situation that went well, a clinical case or a short training."""
    require(by, "reviews.moderate", meeting)
    _require_open(meeting)
    if kind not in SlotKind.values:
        raise ValidationError({"kind": _("Choose a kind of slot.")})
    title = _required_text(title, "title", _("Give the slot a title."))
    confirmed = _check_deidentified({"title": title, "notes": notes}, confirmations)
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _require_open(meeting)
        slot = MeetingSlot(meeting=meeting, kind=kind, title=title, notes=notes.strip())
        slot.full_clean()
        slot.save()
        record_event(
            action=Action.CREATED,
            actor=by,
            obj=slot,
            object_label=title,
            request=request,
            details=_details(confirmed, event="slot_added", meeting=str(meeting.pk)),
        )
    return slot


def record_round_table(
    *,
    by: User,
    meeting: Meeting,
    notes: str,
    ratings: Mapping[Any, int],
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> Meeting:
    """Section (5): how the meeting went, and a 1 to 5 rating per participant present."""
    require(by, "reviews.moderate", meeting)
    _require_open(meeting)
    require_meeting_day(meeting)
    confirmed = _check_deidentified({"notes": notes}, confirmations)
    with transaction.atomic():
        return _record_round_table(by, meeting, notes, ratings, confirmed, request)


def _record_round_table(by, meeting, notes, ratings, confirmed, request) -> Meeting:
    meeting = _lock_meeting(meeting)
    _require_open(meeting)
    attendances = list(meeting.attendances.all())
    allowed = (
        {a.user_id for a in attendances if a.present}
        if attendances
        else set(meeting.group.memberships.values_list("user_id", flat=True))
    )
    cleaned = {}
    for key, rating in ratings.items():
        if rating in (None, ""):
            continue
        user_id = key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
        if user_id not in allowed:
            raise ValidationError(_("Only participants present can rate the meeting."))
        try:
            value = int(rating)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise ValidationError(_("A rating is a whole number from 1 to 5."))
        cleaned[user_id] = value
    meeting.round_table_notes = notes.strip()
    meeting.save(update_fields=["round_table_notes", "updated_at"])
    meeting.ratings.all().delete()
    RoundTableRating.objects.bulk_create(
        RoundTableRating(meeting=meeting, user_id=uid, rating=value)
        for uid, value in cleaned.items()
    )
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=meeting,
        request=request,
        details=_details(confirmed, event="round_table_recorded", ratings=len(cleaned)),
    )
    return meeting


# --- situations -------------------------------------------------------------------------


def _clean_sectors(sectors: Iterable[str]) -> str:
    codes = [s for s in sectors if s]
    if not codes:
        raise ValidationError({"sectors": _("Choose at least one sector involved.")})
    unknown = set(codes) - set(Sector.values)
    if unknown:
        raise ValidationError({"sectors": _("Unknown sector: %s.") % ", ".join(sorted(unknown))})
    return join_codes(codes)


def _clean_situation(kind: str, title: str, narrative: str, sectors: Iterable[str]) -> dict:
    if kind not in SituationKind.values:
        raise ValidationError({"kind": _("Say whether it is a malfunction or went well.")})
    return {
        "kind": kind,
        "title": _required_text(title, "title", _("Give the situation a short title.")),
        "narrative": _required_text(
            narrative, "narrative", _("Tell the situation: the narrative is empty.")
        ),
        "sectors": _clean_sectors(sectors),
    }


def submit_situation(
    *,
    by: User,
    group: ReviewGroup,
    kind: str,
    title: str,
    narrative: str,
    sectors: Iterable[str],
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> Situation:
    """A member submits a situation, voluntarily, to the end of the group's queue. It is told
    without naming anyone and never links to a family record."""
    require(by, "reviews.submit_situation", group)
    fields = _clean_situation(kind, title, narrative, sectors)
    confirmed = _check_deidentified(
        {"title": fields["title"], "narrative": fields["narrative"]}, confirmations
    )
    with transaction.atomic():
        ReviewGroup.objects.select_for_update().get(pk=group.pk)
        last = group.situations.aggregate(last=Max("queue_position"))["last"]
        situation = Situation(
            group=group, submitted_by=by, queue_position=(last or 0) + 1, **fields
        )
        situation.full_clean()
        situation.save()
        record_event(
            action=Action.CREATED,
            actor=by,
            obj=situation,
            request=request,
            details=_details(confirmed, event="situation_submitted", group=str(group.pk)),
        )
    return situation


def update_situation(
    *,
    by: User,
    situation: Situation,
    kind: str,
    title: str,
    narrative: str,
    sectors: Iterable[str],
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> Situation:
    """Its author may rewrite a situation while it waits in the queue."""
    require(by, "reviews.change_situation", situation)
    _require_waiting(situation)
    fields = _clean_situation(kind, title, narrative, sectors)
    confirmed = _check_deidentified(
        {"title": fields["title"], "narrative": fields["narrative"]}, confirmations
    )
    with transaction.atomic():
        situation = Situation.objects.select_for_update().get(pk=situation.pk)
        _require_waiting(situation)
        for name, value in fields.items():
            setattr(situation, name, value)
        situation.full_clean()
        situation.save()
        record_event(
            action=Action.UPDATED,
            actor=by,
            obj=situation,
            request=request,
            details=_details(confirmed, event="situation_updated"),
        )
    return situation


def _require_waiting(situation: Situation) -> None:
    if situation.status != SituationStatus.SUBMITTED:
        raise IllegalTransition(_("This situation was already presented: it can no longer change."))


@transaction.atomic
def withdraw_situation(*, by: User, situation: Situation, request=None) -> Situation:
    require(by, "reviews.change_situation", situation)
    situation = Situation.objects.select_for_update().get(pk=situation.pk)
    check_transition(SITUATION_TRANSITIONS, situation.status, SituationStatus.WITHDRAWN)
    situation.status = SituationStatus.WITHDRAWN
    situation.save(update_fields=["status", "updated_at"])
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=situation,
        request=request,
        details={"event": "situation_withdrawn"},
    )
    return situation


@transaction.atomic
def move_situation_in_queue(
    *, by: User, situation: Situation, direction: str, request=None
) -> Situation:
    """The moderator reorders the queue: the situation swaps places with its neighbour."""
    require(by, "reviews.moderate", situation)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Move a situation up or down.")})
    ReviewGroup.objects.select_for_update().get(pk=situation.group_id)
    queue = list(selectors.situation_queue(situation.group))
    index = next((i for i, s in enumerate(queue) if s.pk == situation.pk), None)
    if index is None:
        raise IllegalTransition(_("This situation is no longer waiting in the queue."))
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(queue):
        return queue[index]
    queue[index], queue[other] = queue[other], queue[index]
    # Renumber the whole queue: positions may have been equal after concurrent submissions.
    for position, item in enumerate(queue, start=1):
        item.queue_position = position
    Situation.objects.bulk_update(queue, ["queue_position"])
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=situation,
        request=request,
        details={"event": "queue_reordered", "direction": direction},
    )
    return queue[other]


# --- the five questions and the improvement actions ---------------------------------------


def record_analysis(
    *,
    by: User,
    meeting: Meeting,
    situation: Situation,
    malfunction: str,
    malfunction_types: Iterable[str],
    patient_harm: str,
    carer_harm: str,
    avoidable: str,
    patient_harm_how: str = "",
    carer_harm_how: str = "",
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> Analysis:
    """At the meeting, the moderator records the five questions for a situation taken from
    the queue (which presents it at this meeting), or corrects them while the meeting is
    open."""
    require(by, "reviews.moderate", meeting)
    _require_open(meeting)
    require_meeting_day(meeting)
    malfunction = _required_text(
        malfunction, "malfunction", _("Say what the situation revealed about cooperation.")
    )
    types = [t for t in malfunction_types if t]
    if set(types) - set(MalfunctionType.values):
        raise ValidationError({"malfunction_types": _("Unknown type of malfunction.")})
    for field, value in (("patient_harm", patient_harm), ("carer_harm", carer_harm)):
        if value not in Harm.values:
            raise ValidationError({field: _("Answer yes, no or unknown.")})
    if avoidable not in Avoidable.values:
        raise ValidationError({"avoidable": _("Answer yes, partly, no or unknown.")})
    if patient_harm == Harm.YES and not patient_harm_how.strip():
        raise ValidationError({"patient_harm_how": _("Say how it harmed the patient.")})
    if carer_harm == Harm.YES and not carer_harm_how.strip():
        raise ValidationError({"carer_harm_how": _("Say how it harmed the carer.")})
    confirmed = _check_deidentified(
        {
            "malfunction": malfunction,
            "patient_harm_how": patient_harm_how,
            "carer_harm_how": carer_harm_how,
        },
        confirmations,
    )
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _require_open(meeting)
        situation = Situation.objects.select_for_update().get(pk=situation.pk)
        _check_can_analyse(meeting, situation)
        if situation.kind == SituationKind.MALFUNCTION and not types:
            raise ValidationError(
                {"malfunction_types": _("Choose at least one type of malfunction.")}
            )
        analysis = Analysis.objects.select_for_update().filter(situation=situation).first()
        created = analysis is None
        if analysis is None:
            analysis = Analysis(situation=situation)
        analysis.meeting = meeting
        analysis.malfunction = malfunction
        analysis.malfunction_types = join_codes(types)
        analysis.patient_harm = patient_harm
        analysis.patient_harm_how = patient_harm_how.strip()
        analysis.carer_harm = carer_harm
        analysis.carer_harm_how = carer_harm_how.strip()
        analysis.avoidable = avoidable
        analysis.recorded_by = by
        analysis.full_clean()
        analysis.save()
        if situation.status == SituationStatus.SUBMITTED:
            situation.status = SituationStatus.PRESENTED
            situation.meeting = meeting
            situation.save(update_fields=["status", "meeting", "updated_at"])
        record_event(
            action=Action.CREATED if created else Action.UPDATED,
            actor=by,
            obj=analysis,
            request=request,
            details=_details(
                confirmed,
                event="analysis_recorded",
                situation=str(situation.pk),
                meeting=str(meeting.pk),
            ),
        )
    return analysis


def _check_can_analyse(meeting: Meeting, situation: Situation) -> None:
    """The situation is this group's, and waits in the queue (with a free place at this
    meeting) or was presented at this very meeting."""
    if situation.group_id != meeting.group_id:
        raise ValidationError({"situation": _("This situation belongs to another group.")})
    if situation.status == SituationStatus.PRESENTED and situation.meeting_id != meeting.pk:
        raise IllegalTransition(_("This situation was presented at another meeting."))
    if situation.status == SituationStatus.SUBMITTED:
        check_transition(SITUATION_TRANSITIONS, situation.status, SituationStatus.PRESENTED)
        if meeting.situations.count() >= meeting.new_situation_slots:
            raise IllegalTransition(
                ngettext(
                    "This meeting already has its %(count)s new situation.",
                    "This meeting already has its %(count)s new situations.",
                    meeting.new_situation_slots,
                )
                % {"count": meeting.new_situation_slots}
            )
    elif situation.status != SituationStatus.PRESENTED:
        check_transition(SITUATION_TRANSITIONS, situation.status, SituationStatus.PRESENTED)


def add_improvement_action(
    *,
    by: User,
    meeting: Meeting,
    situation: Situation,
    description: str,
    due_date: date,
    owner_organization: Organization | None = None,
    owner_participant: User | None = None,
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> ImprovementAction:
    """An avenue for improvement becomes an action with one owner (a member organization or
    a participant) and a due date; it is followed up at every meeting until closed."""
    require(by, "reviews.moderate", meeting)
    _require_open(meeting)
    require_meeting_day(meeting)
    description = _required_text(
        description, "description", _("Describe the avenue for improvement.")
    )
    if (owner_organization is None) == (owner_participant is None):
        raise ValidationError({"owner": _("Choose one owner: an organization or a participant.")})
    confirmed = _check_deidentified({"description": description}, confirmations)
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _require_open(meeting)
        situation = Situation.objects.select_related("meeting").get(pk=situation.pk)
        if situation.group_id != meeting.group_id or situation.status != SituationStatus.PRESENTED:
            raise ValidationError(
                {"description": _("Analyse the situation before adding actions.")}
            )
        if situation.meeting_id != meeting.pk and (
            situation.meeting is None or situation.meeting.starts_at >= meeting.starts_at
        ):
            raise ValidationError(
                {"description": _("This situation is not on this meeting's agenda.")}
            )
        if (
            owner_organization is not None
            and not MemberOrganization.objects.filter(
                group_id=meeting.group_id, organization=owner_organization
            ).exists()
        ):
            raise ValidationError({"owner": _("The owner must be a member organization.")})
        if (
            owner_participant is not None
            and not GroupMembership.objects.filter(
                group_id=meeting.group_id, user=owner_participant
            ).exists()
        ):
            raise ValidationError({"owner": _("The owner must be a member of the group.")})
        if due_date is None or due_date < timezone.localtime(meeting.starts_at).date():
            raise ValidationError({"due_date": _("The due date cannot be before the meeting.")})
        action = ImprovementAction(
            situation=situation,
            opened_at_meeting=meeting,
            description=description,
            owner_organization=owner_organization,
            owner_participant=owner_participant,
            due_date=due_date,
        )
        action.full_clean()
        action.save()
        record_event(
            action=Action.CREATED,
            actor=by,
            obj=action,
            request=request,
            details=_details(confirmed, event="improvement_action_added", meeting=str(meeting.pk)),
        )
    return action


def update_action_status(
    *,
    by: User,
    action: ImprovementAction,
    status: str,
    note: str = "",
    meeting: Meeting | None = None,
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> ImprovementAction:
    """What became of an action, said at a meeting (by the moderator) or between meetings
    (by its owner)."""
    require(by, "reviews.update_action", action)
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if meeting is not None:
        require(by, "reviews.moderate", meeting)
        _require_open(meeting)
    confirmed = _check_deidentified({"note": note}, confirmations)
    with transaction.atomic():
        action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
        check_transition(ACTION_TRANSITIONS, action.status, status)
        if meeting is not None and meeting.group_id != action.situation.group_id:
            raise ValidationError({"status": _("This action belongs to another group.")})
        ActionUpdate.objects.create(
            action=action,
            meeting=meeting,
            from_status=action.status,
            to_status=status,
            note=note.strip(),
            by=by,
        )
        action.status = status
        if action.is_closed:
            action.closed_at = timezone.now()
            action.closed_at_meeting = meeting
        action.save(update_fields=["status", "closed_at", "closed_at_meeting", "updated_at"])
        record_event(
            action=Action.UPDATED,
            actor=by,
            obj=action,
            request=request,
            details=_details(
                confirmed,
                event="action_status_changed",
                status=status,
                meeting=str(meeting.pk) if meeting else "",
            ),
        )
    return action


def record_follow_up(
    *,
    by: User,
    meeting: Meeting,
    situation: Situation,
    note: str,
    confirmations: Mapping[str, str] | None = None,
    request=None,
) -> FollowUp:
    """Section (2): what became of a situation presented earlier."""
    require(by, "reviews.moderate", meeting)
    _require_open(meeting)
    require_meeting_day(meeting)
    confirmed = _check_deidentified({"note": note}, confirmations)
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _require_open(meeting)
        previous = selectors.previous_meeting(meeting)
        if not selectors.follow_up_situations(meeting, previous).filter(pk=situation.pk).exists():
            raise ValidationError({"note": _("This situation is not followed up at this meeting.")})
        follow_up, _created = FollowUp.objects.select_for_update().get_or_create(
            meeting=meeting, situation=situation
        )
        follow_up.note = note.strip()
        follow_up.save(update_fields=["note", "updated_at"])
        record_event(
            action=Action.UPDATED,
            actor=by,
            obj=situation,
            request=request,
            details=_details(confirmed, event="follow_up_recorded", meeting=str(meeting.pk)),
        )
    return follow_up
