"""Referrals that close the loop, and case consultations between teams.

A referral's lifecycle follows the statuses of FHIR's Task resource, so it can be exchanged
later; TRANSITIONS is the one table of what may follow what.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.choices import ChoiceLabels
from maillage.core.tokens import split_codes
from maillage.directory.models import ServiceOffer, Team
from maillage.families.models import Category, Family


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REQUESTED = "requested", _("Sent")
    RECEIVED = "received", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Declined")
    ON_HOLD = "on-hold", _("On the waiting list")
    IN_PROGRESS = "in-progress", _("First contact made")
    COMPLETED = "completed", _("Completed, outcome fed back")
    CANCELLED = "cancelled", _("Cancelled by the referrer")
    FAILED = "failed", _("Did not happen")


class Step(models.TextChoices):
    """What a person does to a referral: each moves it along one row of TRANSITIONS."""

    SEND = "send", _("Send")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Decline")
    HOLD = "hold", _("Put on the waiting list")
    START = "start", _("Record the first contact")
    COMPLETE = "complete", _("Feed back the outcome")
    CANCEL = "cancel", _("Cancel")
    FAIL = "fail", _("Record that it did not happen")


# status -> {step: next status}. Anything not here is refused (HTTP 409).
TRANSITIONS: dict[str, dict[str, str]] = {
    Status.DRAFT: {Step.SEND: Status.REQUESTED, Step.CANCEL: Status.CANCELLED},
    Status.REQUESTED: {Step.ACKNOWLEDGE: Status.RECEIVED, Step.CANCEL: Status.CANCELLED},
    Status.RECEIVED: {
        Step.ACCEPT: Status.ACCEPTED,
        Step.REJECT: Status.REJECTED,
        Step.HOLD: Status.ON_HOLD,
        Step.CANCEL: Status.CANCELLED,
    },
    Status.ON_HOLD: {
        Step.ACCEPT: Status.ACCEPTED,
        Step.REJECT: Status.REJECTED,
        Step.CANCEL: Status.CANCELLED,
    },
    Status.ACCEPTED: {
        Step.START: Status.IN_PROGRESS,
        Step.FAIL: Status.FAILED,
        Step.CANCEL: Status.CANCELLED,
    },
    Status.IN_PROGRESS: {Step.COMPLETE: Status.COMPLETED, Step.FAIL: Status.FAILED},
    Status.REJECTED: {},
    Status.COMPLETED: {},
    Status.CANCELLED: {},
    Status.FAILED: {},
}
TERMINAL = {s for s, steps in TRANSITIONS.items() if not steps}
OPEN_FOR_RECEIVER = [
    Status.REQUESTED,
    Status.RECEIVED,
    Status.ON_HOLD,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
]
# Who takes each step: the referrer's side or the receiving team's.
REFERRER_STEPS = {Step.SEND, Step.CANCEL}
RECEIVER_STEPS = {
    Step.ACKNOWLEDGE,
    Step.ACCEPT,
    Step.REJECT,
    Step.HOLD,
    Step.START,
    Step.COMPLETE,
    Step.FAIL,
}


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class RejectReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for the service")
    NO_CAPACITY = "no_capacity", _("No capacity")
    WRONG_SERVICE = "wrong_service", _("Another service fits better")
    FAMILY_DECLINED = "family_declined", _("The family declined")
    OUT_OF_TERRITORY = "out_of_territory", _("Outside our territory")
    OTHER = "other", _("Other")


class FollowUp(models.TextChoices):
    JOINT = "joint", _("Joint follow-up (join the circle of care)")
    HAND_OVER = "hand_over", _("Hand-over")


class Referral(ChoiceLabels):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals_sent")
    to_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to the team"),
    )
    service_offer = models.ForeignKey(
        ServiceOffer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service"),
    )
    reason = models.TextField(_("reason for the referral"))
    family_wishes = models.TextField(_("what the family wants"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency, default=Urgency.ROUTINE
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, blank=True)
    preferred_contact = models.CharField(_("how to reach the family"), max_length=200, blank=True)
    # The categories of information the referral carries: a consent must cover them all.
    shared_categories = models.CharField(
        _("information shared"), max_length=200, default=f",{Category.IDENTITY},"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    on_hold_until = models.DateField(_("expected date"), null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=20, choices=RejectReason, blank=True)
    reject_text = models.TextField(_("details"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    follow_up = models.CharField(_("after acceptance"), max_length=10, choices=FollowUp, blank=True)
    # The referrer's choice, made when referring: on a hand-over, leave the circle of care
    # (True) or stay in it as a partner (False, the default).
    referrer_leaves_on_hand_over = models.BooleanField(
        _("on a hand-over, I leave the circle of care"), default=False
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_handled",
    )
    warm_handoff_at = models.DateTimeField(_("joint first meeting"), null=True, blank=True)
    warm_handoff_done = models.BooleanField(_("joint first meeting held"), default=False)

    class Meta:
        ordering = ["requested_at", "created_at"]
        indexes = [
            models.Index(fields=["to_team", "status", "requested_at"]),
            models.Index(fields=["referrer", "status"]),
            models.Index(fields=["requested_at"]),
        ]

    def __str__(self) -> str:
        return f"Referral {str(self.id)[:8]} ({self.status})"

    @property
    def reference(self) -> str:
        return str(self.id)[:8].upper()

    @property
    def category_codes(self) -> list[str]:
        return split_codes(self.shared_categories)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def allowed_steps(self) -> list[str]:
        return list(TRANSITIONS[self.status])


class ReferralEvent(ChoiceLabels):
    """Each step of a referral: who, when, from what to what. The referrer sees them all."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=20, choices=Step)
    from_status = models.CharField(max_length=20, choices=Status)
    to_status = models.CharField(max_length=20, choices=Status)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="referrals/%Y/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Consultation(models.Model):
    """A practitioner asks a specialised team for advice: de-identified, or about a family
    under consent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations_asked"
    )
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="consultations_received",
        verbose_name=_("team consulted"),
    )
    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, null=True, blank=True, related_name="consultations"
    )
    subject = models.CharField(_("subject"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_deidentified(self) -> bool:
        return self.family_id is None


class ConsultationMessage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return self.text[:40]


class Notification(ChoiceLabels):
    """In-app notice of a referral step; e-mails follow the person's preferences. Stored as a
    message kind and its values, so that each reader sees it in their own language."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30)
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.params}"


class ConsentRequest(models.Model):
    """A partner in the circle asks the family's lead to renew or widen the consent that
    lets its organization follow the family. It carries nothing about the family; it is
    open until the lead records a consent naming that organization after it was asked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="consent_requests"
    )
    organization = models.ForeignKey(
        "directory.Organization", on_delete=models.CASCADE, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["lead", "created_at"])]

    def __str__(self) -> str:
        return f"Consent request {self.created_at:%Y-%m-%d}"


class EmailPreferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    referral_steps = models.BooleanField(_("each step of the referrals I sent"), default=True)
    overdue_reminders = models.BooleanField(
        _("reminders of referrals waiting for my teams"), default=True
    )
    consultation_answers = models.BooleanField(_("answers to my consultations"), default=True)

    def __str__(self) -> str:
        return f"E-mail preferences of {self.user}"
