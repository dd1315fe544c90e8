"""Cross-training by immersion: a programme run by a coordinator over a period, in phases,
with participating teams and topics; immersion sessions at a host team with visiting
practitioners who sign up, are confirmed by the host and whose attendance is recorded; and
the short self-assessments each visitor answers before and after their immersion.

Topics, questionnaire items and phase names are bilingual rows (French and English), shown
in the reader's language and, when one version is missing, in the other.

Answers to self-assessments belong to the practitioner who gave them: the rules in
permissions.py and the aggregates in indicators.py make sure nobody else sees them one by one.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maillage.core.errors import IllegalTransition
from maillage.core.models import TimeStamped
from maillage.core.tokens import split_codes
from maillage.directory.models import Practitioner, Team, labels_of

SCALE_MIN, SCALE_MAX = 1, 5


class SessionFull(IllegalTransition):
    """Every place of the session is held by a sign-up waiting or confirmed."""


def in_language(french: str, english: str) -> str:
    """The text in the current language, else the other version."""
    if (get_language() or "fr").startswith("en"):
        return english or french
    return french or english


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class SignUpStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the host's confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined by the host")
    CANCELLED = "cancelled", _("Cancelled by the participant")


class Moment(models.TextChoices):
    BEFORE = "before", _("Before the immersion")
    AFTER = "after", _("After the immersion")


class HostActivity(models.TextChoices):
    """What the host team lets its visitors see of its work."""

    TEAM_MEETING = "team_meeting", _("Team meetings attended")
    HOME_VISIT = "home_visit", _("Home visits shadowed")
    CASE_CONFERENCE = "case_conference", _("Case conferences")
    INTAKE = "intake", _("Intake and assessment")
    GROUP_ACTIVITY = "group_activity", _("Group activities with families")
    CLINIC = "clinic", _("Consultations at the clinic")
    OUTREACH = "outreach", _("Outreach in the community")


# The state machines: what each status may become. Anything else is an IllegalTransition.
SESSION_TRANSITIONS = {
    SessionStatus.SCHEDULED: {SessionStatus.HELD, SessionStatus.CANCELLED},
    SessionStatus.HELD: set(),
    SessionStatus.CANCELLED: set(),
}
SIGN_UP_TRANSITIONS = {
    SignUpStatus.PENDING: {SignUpStatus.CONFIRMED, SignUpStatus.DECLINED, SignUpStatus.CANCELLED},
    SignUpStatus.CONFIRMED: {SignUpStatus.CANCELLED},
    SignUpStatus.DECLINED: set(),
    SignUpStatus.CANCELLED: set(),
}
# A sign-up waiting for the host holds its place as much as a confirmed one: otherwise the
# host could confirm more people than the session has room for.
HOLDS_A_PLACE = (SignUpStatus.PENDING, SignUpStatus.CONFIRMED)


class Programme(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinator"),
    )
    teams = models.ManyToManyField(
        Team, through="ProgrammeTeam", related_name="training_programmes"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cross-training programme")
        verbose_name_plural = _("cross-training programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeTeam(TimeStamped):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="programme_teams"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["team__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "team"], name="team_once_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.team} — {self.programme}"


class Phase(TimeStamped):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="phase_number_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="phase_ends_after_it_starts"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_fr, self.name_en) or str(
            _("Phase %(number)s") % {"number": self.number}
        )


class Topic(TimeStamped):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField(default=0)
    name_fr = models.CharField(_("topic in French"), max_length=300, blank=True)
    name_en = models.CharField(_("topic in English"), max_length=300, blank=True)

    class Meta:
        ordering = ["programme", "position", "created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_fr, self.name_en)


class QuestionnaireItem(TimeStamped):
    """One statement of the self-assessment, answered on a 1-5 agreement scale."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="questionnaire_items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text_fr = models.CharField(_("statement in French"), max_length=300, blank=True)
    text_en = models.CharField(_("statement in English"), max_length=300, blank=True)
    # Retired rather than deleted: answers already given keep their statement.
    is_active = models.BooleanField(_("asked"), default=True)

    class Meta:
        ordering = ["programme", "position", "created_at"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return in_language(self.text_fr, self.text_en)


class ImmersionSession(TimeStamped):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    # Derived from the date when the session is scheduled: the phase whose dates contain it.
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    host_team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="hosted_immersions", verbose_name=_("host")
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(30), MaxValueValidator(24 * 60)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("places for visitors"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="sessions")
    agenda = models.TextField(_("agenda"), blank=True)
    host_activities = models.CharField(_("what the host shows"), max_length=200, blank=True)
    host_activities_details = models.TextField(_("details of what the host shows"), blank=True)
    location = models.CharField(_("where"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus, default=SessionStatus.SCHEDULED
    )
    # Calendars replace an invitation by one with the same UID and a higher SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["programme", "starts_at"])]
        verbose_name = _("immersion session")
        verbose_name_plural = _("immersion sessions")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_has_a_place"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="session_has_a_duration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host_team} — {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def host_activity_codes(self) -> list[str]:
        return split_codes(self.host_activities)

    @property
    def host_activity_labels(self) -> list[str]:
        return labels_of(self.host_activities, HostActivity)


class SignUp(TimeStamped):
    """A practitioner's immersion: their sign-up to a session, the host's decision and their
    attendance."""

    session = models.ForeignKey(ImmersionSession, on_delete=models.CASCADE, related_name="sign_ups")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="training_sign_ups"
    )
    # The team the practitioner comes from: the other end of the "trained together" link.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=SignUpStatus, default=SignUpStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # None until the host records attendance.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "practitioner"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="one_place_per_person_per_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} → {self.session}"

    @property
    def holds_a_place(self) -> bool:
        return self.status in HOLDS_A_PLACE


class SelfAssessment(TimeStamped):
    sign_up = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="assessments")
    moment = models.CharField(_("moment"), max_length=10, choices=Moment)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["sign_up", "moment"]
        constraints = [
            models.UniqueConstraint(
                fields=["sign_up", "moment"], name="one_self_assessment_per_moment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sign_up} ({self.moment})"


class Answer(TimeStamped):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.CASCADE, related_name="answers")
    value = models.PositiveSmallIntegerField(
        _("answer"), validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)]
    )

    class Meta:
        ordering = ["assessment", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(value__gte=SCALE_MIN, value__lte=SCALE_MAX),
                name="answer_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.value}"
