"""Cooperation Malfunction Review: review groups, their meetings, the de-identified situations
presented there, the five questions of the analysis and the improvement actions followed up
from one meeting to the next.

A situation never points to a family: the review is about how carers cooperate, not about
the patient.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.errors import IllegalTransition as IllegalTransition  # re-exported (tests)
from maillage.core.models import TimeStamped
from maillage.directory.models import Organization, Sector, labels_of

# Inside a group, records point to their meeting with RESTRICT: a meeting cannot be deleted
# while situations or actions refer to it, yet deleting a whole group removes all of it.


class GroupRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    # The moderator may work for none of the member organizations: the literature recommends
    # an external one, so the role lives on the group, not on the account.
    MODERATOR = "moderator", _("Moderator")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class SituationKind(models.TextChoices):
    MALFUNCTION = "malfunction", _("Cooperation malfunction")
    WENT_WELL = "went_well", _("Cooperation that went well")


class SituationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting in the queue")
    PRESENTED = "presented", _("Presented")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MalfunctionType(models.TextChoices):
    COMMUNICATION = "communication", _("Communication: information not passed on")
    ROLE_CONFUSION = "role_confusion", _("Role confusion")
    REFERRAL_ONLY = "referral_only", _("Referral without joint monitoring")
    CARER_CONFLICT = "carer_conflict", _("Conflict between carers")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality or consent")
    ACCESS_DELAY = "access_delay", _("Access or delay")
    INCOMPATIBLE_PLANS = "incompatible_plans", _("Incompatible plans")
    OTHER = "other", _("Other")


class Harm(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Avoidable(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class SlotKind(models.TextChoices):
    WENT_WELL = "went_well", _("A situation that went well")
    CLINICAL_CASE = "clinical_case", _("A clinical case")
    TRAINING = "training", _("A short training")


# The state machines: what each status may become. Anything else is an IllegalTransition.
MEETING_TRANSITIONS = {
    MeetingStatus.SCHEDULED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: set(),
    MeetingStatus.CANCELLED: set(),
}
SITUATION_TRANSITIONS = {
    SituationStatus.SUBMITTED: {SituationStatus.PRESENTED, SituationStatus.WITHDRAWN},
    SituationStatus.PRESENTED: set(),
    SituationStatus.WITHDRAWN: set(),
}
ACTION_TRANSITIONS = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED},
    ActionStatus.IN_PROGRESS: {ActionStatus.DONE, ActionStatus.DROPPED},
    ActionStatus.DONE: set(),
    ActionStatus.DROPPED: set(),
}
CLOSED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.DROPPED)


class ReviewGroup(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organizations = models.ManyToManyField(
        Organization,
        through="MemberOrganization",
        related_name="review_groups",
        verbose_name=_("member organizations"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("review group")
        verbose_name_plural = _("review groups")

    def __str__(self) -> str:
        return self.name


class MemberOrganization(TimeStamped):
    group = models.ForeignKey(
        ReviewGroup, on_delete=models.CASCADE, related_name="member_organizations"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="review_group_memberships"
    )
    # Breaks ties in the venue rotation: among members that never hosted, the one that has
    # waited longest goes first.
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organization"], name="reviews_one_membership_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.group}"


class GroupMembership(TimeStamped):
    group = models.ForeignKey(ReviewGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_memberships"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=GroupRole, default=GroupRole.PARTICIPANT
    )
    # The member organization this person speaks for; none for an external moderator.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )

    class Meta:
        ordering = ["role", "user__full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="reviews_one_role_per_group"),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role=GroupRole.MODERATOR),
                name="reviews_one_moderator_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Meeting(TimeStamped):
    group = models.ForeignKey(ReviewGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    host = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("host")
    )
    venue_details = models.CharField(_("room and access"), max_length=300, blank=True)
    new_situation_slots = models.PositiveSmallIntegerField(
        _("new situations"),
        default=2,
        choices=[(1, "1"), (2, "2")],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus, default=MeetingStatus.SCHEDULED
    )
    round_table_notes = models.TextField(_("round table notes"), blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    # Incremented on every change of time or place: calendars replace the old invitation.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["group", "starts_at"])]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")

    def __str__(self) -> str:
        return f"{self.group} — {timezone.localtime(self.starts_at):%Y-%m-%d}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def day(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def has_begun(self) -> bool:
        """A meeting is held on its day: attendance, the analysis and its closing are
        recorded from that day on, never ahead of it."""
        return self.day <= timezone.localdate()


class Attendance(TimeStamped):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        ordering = ["user__full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="reviews_one_attendance")
        ]


class Situation(TimeStamped):
    group = models.ForeignKey(ReviewGroup, on_delete=models.CASCADE, related_name="situations")
    kind = models.CharField(
        _("kind of situation"),
        max_length=12,
        choices=SituationKind,
        default=SituationKind.MALFUNCTION,
    )
    title = models.CharField(_("short title"), max_length=150)
    narrative = models.TextField(_("narrative"))
    # Kinds of organizations involved, as sector codes (",a,b,"): never names of people.
    sectors = models.CharField(_("sectors involved"), max_length=600)
    status = models.CharField(
        _("status"), max_length=10, choices=SituationStatus, default=SituationStatus.SUBMITTED
    )
    # Only the author may change or withdraw it; never shown to others (no blame).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    # Oldest first by default; the moderator reorders by swapping positions.
    queue_position = models.PositiveIntegerField(default=0)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="situations",
        verbose_name=_("presented at"),
    )

    class Meta:
        ordering = ["queue_position", "submitted_at", "id"]
        indexes = [models.Index(fields=["group", "status", "queue_position"])]
        verbose_name = _("situation")
        verbose_name_plural = _("situations")

    def __str__(self) -> str:
        return self.title

    @property
    def sector_labels(self) -> list[str]:
        return labels_of(self.sectors, Sector)


class Analysis(TimeStamped):
    """The five questions, answered at the meeting."""

    situation = models.OneToOneField(Situation, on_delete=models.CASCADE, related_name="analysis")
    meeting = models.ForeignKey(Meeting, on_delete=models.RESTRICT, related_name="analyses")
    malfunction = models.TextField(_("What malfunction was revealed?"))
    malfunction_types = models.CharField(_("types of malfunction"), max_length=300, blank=True)
    patient_harm = models.CharField(_("Did it harm the patient?"), max_length=8, choices=Harm)
    patient_harm_how = models.TextField(_("How did it harm the patient?"), blank=True)
    carer_harm = models.CharField(_("Did it harm the carer?"), max_length=8, choices=Harm)
    carer_harm_how = models.TextField(_("How did it harm the carer?"), blank=True)
    avoidable = models.CharField(_("Was it avoidable?"), max_length=8, choices=Avoidable)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")

    def __str__(self) -> str:
        return f"{self.situation}"

    @property
    def type_labels(self) -> list[str]:
        return labels_of(self.malfunction_types, MalfunctionType)


class ImprovementAction(TimeStamped):
    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="actions")
    opened_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.RESTRICT, related_name="opened_actions"
    )
    description = models.TextField(_("avenue for improvement"))
    owner_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner organization"),
    )
    owner_participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner participant"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus, default=ActionStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The meeting where the group heard it was closed (none when closed between meetings):
    # the agenda follows an action up until the meeting that closed it.
    closed_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.RESTRICT, null=True, blank=True, related_name="closed_actions"
    )

    class Meta:
        ordering = ["due_date", "created_at", "id"]
        constraints = [
            # Exactly one owner: an organization or a participant.
            models.CheckConstraint(
                condition=(
                    Q(owner_organization__isnull=False, owner_participant__isnull=True)
                    | Q(owner_organization__isnull=True, owner_participant__isnull=False)
                ),
                name="reviews_action_has_one_owner",
            )
        ]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def owner(self):
        return self.owner_organization or self.owner_participant

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ACTION_STATUSES

    def is_overdue(self, as_of=None) -> bool:
        return not self.is_closed and self.due_date < (as_of or timezone.localdate())


class ActionUpdate(TimeStamped):
    """What became of an action, as said at a meeting (or between meetings)."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="updates")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.RESTRICT, null=True, blank=True, related_name="action_updates"
    )
    from_status = models.CharField(max_length=12, choices=ActionStatus)
    to_status = models.CharField(max_length=12, choices=ActionStatus)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]


class FollowUp(TimeStamped):
    """At a meeting, what became of a situation presented earlier."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="follow_ups")
    note = models.TextField(_("what became of it"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "situation"], name="reviews_one_follow_up")
        ]


class MeetingSlot(TimeStamped):
    """An optional part of the meeting: a success story, a clinical case, a short training."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="slots")
    kind = models.CharField(_("kind"), max_length=16, choices=SlotKind)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class RoundTableRating(TimeStamped):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="reviews_one_rating"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="reviews_rating_1_to_5"
            ),
        ]
