"""Families, the consents they give, the circle of care around them, their shared plan and
the timeline of what was done with them.

A family's information goes only to the people the family agreed to: the rules are in
permissions.py, every read goes through selectors.py and is logged, every write through
services.py.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.choices import ChoiceLabels
from maillage.core.text import fold
from maillage.core.tokens import split_codes
from maillage.directory.models import Language, Organization, Practitioner, Team


class Category(models.TextChoices):
    """Categories of information: what a consent covers, what each piece of data is."""

    IDENTITY = "identity", _("Identity and contact")
    PLAN = "plan", _("Shared plan and goals")
    NOTES = "notes", _("Follow-up notes")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    CHILD_PROTECTION = "child_protection", _("Child-protection involvement")


class Reason(models.TextChoices):
    """What brought the family to services."""

    SUBSTANCE_USE = "substance_use", _("Substance use")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    HOUSING = "housing", _("Housing")
    CHILD_PROTECTION = "child_protection", _("Child-protection involvement")
    ISOLATION = "isolation", _("Isolation")
    PREGNANCY = "pregnancy", _("Pregnancy follow-up")
    PARENTING = "parenting", _("Parenting and bonding")
    VIOLENCE = "violence", _("Domestic violence")
    INCOME = "income", _("Income and food")


class ContactWay(models.TextChoices):
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("E-mail")
    HOME_VISIT = "home_visit", _("In person, at home")
    THROUGH_WORKER = "through_worker", _("Through their worker")


class Stamped(ChoiceLabels):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def reference_of(family_id) -> str:
    """A family's neutral reference, from its id alone (Family.reference)."""
    return str(family_id)[:8].upper()


class Family(Stamped):
    # The organization of the practitioner who recorded the family: it holds the record,
    # and its people in the circle see all of it. Others see what a consent shares.
    recording_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="recorded_families"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.CharField(_("what brought them to services"), max_length=300, blank=True)
    reasons_in_own_words = models.TextField(_("in the family's own words"), blank=True)
    # Folded "first last" of each caregiver, for duplicate detection and search.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("family")
        verbose_name_plural = _("families")

    def __str__(self) -> str:
        return f"Family {str(self.id)[:8]}"

    @property
    def reference(self) -> str:
        """A label that says nothing personal, for places that may not show names."""
        return reference_of(self.id)

    @property
    def caregiver_names(self) -> list[str]:
        """Whoever shows them has asked the disclosure rule first (prefetch caregivers)."""
        return [f"{c.first_name} {c.last_name}" for c in self.caregivers.all()]

    @property
    def reason_labels(self) -> list[str]:
        known = dict(Reason.choices)
        return [str(known.get(c, c)) for c in split_codes(self.reasons)]


class Caregiver(Stamped):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="caregivers")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    relationship = models.CharField(
        _("relationship"), max_length=60, blank=True, help_text=_("e.g. mother, father, aunt")
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    languages = models.CharField(_("languages"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    preferred_contact = models.CharField(
        _("how they prefer to be reached"), max_length=20, choices=ContactWay, blank=True
    )
    # Folded first and last name: duplicate detection ignores accents and case.
    name_key = models.CharField(max_length=220, editable=False, db_index=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["name_key", "date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def language_labels(self) -> list[str]:
        known = dict(Language.choices)
        return [str(known.get(c, c)) for c in split_codes(self.languages)]


class Child(Stamped):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    # Born: date of birth. Expected: due date. Never both.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False, due_date__isnull=True)
                | Q(date_of_birth__isnull=True, due_date__isnull=False),
                name="child_born_or_expected",
            )
        ]

    def __str__(self) -> str:
        return self.first_name or str(_("Expected child"))

    @property
    def is_expected(self) -> bool:
        return self.due_date is not None


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", _("Signed form")
    VERBAL = "verbal", _("Verbal, witnessed")


class ConsentState(models.TextChoices):
    ACTIVE = "active", _("Active")
    NOT_YET = "not_yet", _("Not yet in effect")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The consent's one transition: withdrawing. Expiry needs no transition, it follows from
# the dates. Withdrawing what is already withdrawn or expired is refused, not ignored.
CONSENT_TRANSITIONS = {
    "withdraw": {ConsentState.ACTIVE, ConsentState.NOT_YET},
}


class ConsentQuerySet(models.QuerySet):
    def in_effect(self, on: date | None = None):
        """Valid today: started, not ended, not withdrawn. Expiry needs no job to run."""
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on, valid_until__gte=on, withdrawn_at__isnull=True)


class Consent(Stamped):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="consents")
    given_by = models.ForeignKey(
        Caregiver,
        on_delete=models.PROTECT,
        related_name="consents_given",
        verbose_name=_("given by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organizations = models.ManyToManyField(
        Organization, related_name="consents", verbose_name=_("organizations that may share")
    )
    categories = models.CharField(_("categories of information"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"))
    method = models.CharField(_("how it was obtained"), max_length=20, choices=ConsentMethod)
    witness = models.CharField(_("witness"), max_length=200, blank=True)
    scan = models.FileField(_("scan of the signed form"), upload_to="consents/%Y/", blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-created_at"]
        indexes = [models.Index(fields=["family", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="consent_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"Consent {self.valid_from}–{self.valid_until}"

    def state(self, on: date | None = None) -> str:
        on = on or timezone.localdate()
        if self.withdrawn_at:
            return ConsentState.WITHDRAWN
        if on < self.valid_from:
            return ConsentState.NOT_YET
        if on > self.valid_until:
            return ConsentState.EXPIRED
        return ConsentState.ACTIVE

    @property
    def organization_names(self) -> list[str]:
        return [o.name for o in self.organizations.all()]

    @property
    def can_withdraw(self) -> bool:
        return self.state() in CONSENT_TRANSITIONS["withdraw"]

    def get_state_display(self) -> str:
        return str(ConsentState(self.state()).label)

    @property
    def category_codes(self) -> list[str]:
        return split_codes(self.categories)

    @property
    def category_labels(self) -> list[str]:
        known = dict(Category.choices)
        return [str(known.get(c, c)) for c in self.category_codes]


# How people type "lead worker" in a role, folded (accents and case aside): such a role
# text is never shown as the lead, which only CircleMember.is_lead says.
LEAD_ROLE_WORDS = ("pivot", "lead worker", "referent", "responsable du dossier")


def names_the_lead(role: str) -> bool:
    folded = fold(role)
    return any(word in folded for word in LEAD_ROLE_WORDS)


class CircleMember(Stamped):
    """A practitioner following the family, with their team and their role for it."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="circle")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="circle_memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="circle_memberships")
    role = models.CharField(_("role for this family"), max_length=150, blank=True)
    is_lead = models.BooleanField(_("lead worker"), default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_lead", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "practitioner"],
                condition=Q(left_at__isnull=True),
                name="one_active_membership_per_family",
            ),
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(left_at__isnull=True, is_lead=True),
                name="one_lead_worker_per_family",
            ),
        ]
        indexes = [models.Index(fields=["practitioner", "left_at"])]

    def __str__(self) -> str:
        return f"{self.practitioner} ({self.team})"

    @property
    def role_shown(self) -> str:
        """The role text typed for this member, as pages show it next to their name. The
        lead is said by `is_lead` alone: a role text that names the lead worker (typed
        when the member led, and stale after a hand-over) is not shown."""
        if names_the_lead(self.role):
            return ""
        return self.role


class Goal(Stamped):
    """A need and goal of the shared plan, in the family's words."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="goals")
    need = models.TextField(_("need, in the family's words"))
    goal = models.TextField(_("goal"))
    category = models.CharField(
        _("category"), max_length=20, choices=Category, default=Category.PLAN
    )
    is_achieved = models.BooleanField(_("achieved"), default=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.goal[:60]

    @property
    def action_list(self) -> list:
        """The goal's actions, as selectors.plan prefetched (and masked) them."""
        return list(self.actions.all())


class ActionStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanAction(Stamped):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="plan_actions")
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        CircleMember, on_delete=models.PROTECT, related_name="actions", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus, default=ActionStatus.TODO
    )
    # Optimistic lock: a save must name the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "created_at"]
        indexes = [models.Index(fields=["family", "status", "due_date"])]

    def __str__(self) -> str:
        return self.description[:60]


class PlanReview(Stamped):
    """A review of the plan: planned for a date, then held, with its decisions."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="plan_reviews")
    planned_for = models.DateField(_("review date"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)

    class Meta:
        ordering = ["planned_for"]

    def __str__(self) -> str:
        return f"Review {self.planned_for}"


class PlanChange(models.Model):
    """Every change to the shared plan, kept: who, when, and the object before and after."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="plan_changes")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=30)
    object_id = models.UUIDField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.object_type} {self.at:%Y-%m-%d %H:%M}"


class EntryKind(models.TextChoices):
    CONTACT_NOTE = "contact_note", _("Contact note")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE_CALL = "phone_call", _("Phone call")
    CASE_CONFERENCE = "case_conference", _("Case conference")
    EVENT = "event", _("Event")
    PROGRAMME_SESSION = "programme_session", _("Programme session")


class VisitOutcome(models.TextChoices):
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    REFUSED = "refused", _("Refused")


class Visibility(models.TextChoices):
    CIRCLE = "circle", _("Circle of care")
    TEAM = "team", _("My team only")
    PRIVATE = "private", _("Only me")


class TimelineEntry(Stamped):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("type"), max_length=20, choices=EntryKind)
    occurred_at = models.DateTimeField(_("date"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility, default=Visibility.CIRCLE
    )
    text = models.TextField(_("note"))
    visit_outcome = models.CharField(
        _("visit outcome"), max_length=20, choices=VisitOutcome, blank=True
    )
    visit_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # An entry is never deleted: a wrong one is marked "entered in error", with who, when
    # and why, and stays in the record's history (hidden from the everyday timeline).
    entered_in_error_at = models.DateTimeField(
        _("marked as entered in error"), null=True, blank=True
    )
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked as entered in error by"),
    )
    entered_in_error_reason = models.TextField(_("why it is in error"), blank=True)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        indexes = [models.Index(fields=["family", "-occurred_at"])]
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at.date().isoformat()}"

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None


class EmergencyAccess(Stamped):
    """ "Break glass": a practitioner without consent opens a family because a child's
    safety is at stake. Time-limited, flagged in the log, notified to the lead worker."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why a child's safety is at stake"))
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "family", "expires_at"])]

    def __str__(self) -> str:
        return f"Emergency access until {self.expires_at:%Y-%m-%d %H:%M}"
