"""Programmes in practice: an evidence-based programme delivered by sites of the network, the
stages each site goes through, its practitioners' training and supervision, the families it
enrols and the sessions they receive (with their fidelity), the adaptations made, yearly
sustainability self-assessments, and the network's register of barriers and facilitators.

A family's enrolment and sessions are family data: read through the families app's one
access rule (selectors.py), never directly. Sessions are timeline entries of the kind
"programme session", so they show in the family's timeline and its access log.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from maillage.core.models import TimeStamped
from maillage.core.tokens import split_codes
from maillage.directory.models import Organization, Practitioner, Sector, Team, labels_of
from maillage.families.models import Family, TimelineEntry
from maillage.reviews.models import CLOSED_ACTION_STATUSES, ActionStatus

FIDELITY_MIN, FIDELITY_MAX = 1, 5
SUSTAINABILITY_MIN, SUSTAINABILITY_MAX = 1, 7


class Programme(TimeStamped):
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    planned_dose = models.PositiveSmallIntegerField(
        _("planned dose (sessions)"), help_text=_("How many sessions a family is meant to receive.")
    )
    # Below the planned dose, a family may count as having completed: the coordinator says.
    completion_threshold = models.PositiveSmallIntegerField(
        _("completion threshold (sessions)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to count a family as completed at the planned dose."),
    )
    # The programme's core components, in order: what fidelity is rated against.
    core_components = models.JSONField(_("core components"), default=list)
    eligibility = models.TextField(_("eligibility"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=Q(planned_dose__gte=1), name="impl_dose_positive")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_fr

    @property
    def completion_at(self) -> int:
        return self.completion_threshold or self.planned_dose


class Stage(models.TextChoices):
    """The eight stages of the Stages of Implementation Completion model, in order."""

    ENGAGEMENT = "engagement", _("Engagement")
    FEASIBILITY = "feasibility", _("Feasibility")
    READINESS = "readiness", _("Readiness planning")
    STAFF_TRAINED = "staff_trained", _("Staff hired and trained")
    FIDELITY_MONITORING = "fidelity_monitoring", _("Fidelity monitoring in place")
    SERVICES_BEGIN = "services_begin", _("Services begin")
    ONGOING_DELIVERY = "ongoing_delivery", _("Ongoing delivery, fidelity and feedback")
    COMPETENCY = "competency", _("Competency")


STAGE_ORDER = list(Stage.values)

# Our own words for what each stage is about (shown under its name).
STAGE_HELP = {
    Stage.ENGAGEMENT: _(
        "The site hears about the programme, meets its people and decides whether to go ahead."
    ),
    Stage.FEASIBILITY: _(
        "The site checks that it has the families, the staff time and the money the "
        "programme asks for."
    ),
    Stage.READINESS: _(
        "Referral paths, space, supervision and the first practitioners are planned."
    ),
    Stage.STAFF_TRAINED: _(
        "The practitioners who will deliver the programme are chosen and trained, each with "
        "a supervised case."
    ),
    Stage.FIDELITY_MONITORING: _(
        "The site can rate sessions against the core components and supervisors review them."
    ),
    Stage.SERVICES_BEGIN: _("The first families are offered the programme and start sessions."),
    Stage.ONGOING_DELIVERY: _(
        "Families keep coming, fidelity is rated and discussed in supervision, feedback "
        "changes practice."
    ),
    Stage.COMPETENCY: _(
        "The site delivers the programme well on its own: certified practitioners, stable "
        "fidelity, its own trainers."
    ),
}


class Phase(models.TextChoices):
    PRE_IMPLEMENTATION = "pre", _("Pre-implementation")
    IMPLEMENTATION = "implementation", _("Implementation")
    SUSTAINMENT = "sustainment", _("Sustainment")


STAGE_PHASE = {
    Stage.ENGAGEMENT: Phase.PRE_IMPLEMENTATION,
    Stage.FEASIBILITY: Phase.PRE_IMPLEMENTATION,
    Stage.READINESS: Phase.PRE_IMPLEMENTATION,
    Stage.STAFF_TRAINED: Phase.IMPLEMENTATION,
    Stage.FIDELITY_MONITORING: Phase.IMPLEMENTATION,
    Stage.SERVICES_BEGIN: Phase.IMPLEMENTATION,
    Stage.ONGOING_DELIVERY: Phase.IMPLEMENTATION,
    Stage.COMPETENCY: Phase.SUSTAINMENT,
}


class Site(TimeStamped):
    """A team of the directory that delivers the programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sites")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="programme_sites", verbose_name=_("team")
    )

    class Meta:
        ordering = ["team__name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["programme", "team"], name="impl_one_site_per_team")
        ]

    def __str__(self) -> str:
        return self.team.name


class SiteStage(TimeStamped):
    """One stage of one site: when it started and finished, its activities planned and done."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=24, choices=Stage)
    started_on = models.DateField(_("started on"))
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    activities_planned = models.PositiveSmallIntegerField(_("activities planned"), default=0)
    activities_done = models.PositiveSmallIntegerField(_("activities done"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["site", "started_on"]
        constraints = [
            models.UniqueConstraint(fields=["site", "stage"], name="impl_one_row_per_stage"),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(finished_on__gte=F("started_on")),
                name="impl_stage_finishes_after_start",
            ),
            models.CheckConstraint(
                condition=Q(activities_done__lte=F("activities_planned")),
                name="impl_stage_done_within_planned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} — {self.get_stage_display()}"


class TrainingKind(models.TextChoices):
    INITIAL = "initial", _("Initial training")
    BOOSTER = "booster", _("Booster")
    SUPERVISED_CASE = "supervised_case", _("Supervised case")
    CERTIFICATION = "certification", _("Certification")


# What makes a practitioner count as trained capacity.
TRAINED_BY = (TrainingKind.INITIAL, TrainingKind.CERTIFICATION)


class TrainingRecord(TimeStamped):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="trainings")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="+", verbose_name=_("practitioner")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TrainingKind)
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-created_at"]
        indexes = [models.Index(fields=["site", "practitioner", "on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class Departure(TimeStamped):
    """A trained practitioner who left the site's team: capacity lost from that day."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="departures")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    left_on = models.DateField(_("left on"))

    class Meta:
        ordering = ["-left_on"]
        constraints = [
            models.UniqueConstraint(fields=["site", "practitioner"], name="impl_one_departure")
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.left_on}"


class Supervision(TimeStamped):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="supervisions")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="+", verbose_name=_("practitioner")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    reflective = models.BooleanField(_("reflective supervision"), default=False)
    cases_discussed = models.PositiveSmallIntegerField(_("cases discussed"), default=0)

    class Meta:
        ordering = ["-on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.on}"


class EnrolmentStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    OFFERED = "offered", _("Offered")
    ENROLLED = "enrolled", _("Enrolled")
    IN_SESSIONS = "in_sessions", _("In sessions")
    COMPLETED = "completed", _("Completed")
    EXITED = "exited", _("Exited")


ENROLMENT_TRANSITIONS = {
    EnrolmentStatus.REFERRED: {EnrolmentStatus.OFFERED, EnrolmentStatus.EXITED},
    EnrolmentStatus.OFFERED: {EnrolmentStatus.ENROLLED, EnrolmentStatus.EXITED},
    EnrolmentStatus.ENROLLED: {EnrolmentStatus.IN_SESSIONS, EnrolmentStatus.EXITED},
    EnrolmentStatus.IN_SESSIONS: {EnrolmentStatus.COMPLETED, EnrolmentStatus.EXITED},
    EnrolmentStatus.COMPLETED: set(),
    EnrolmentStatus.EXITED: set(),
}
OPEN_ENROLMENT = (
    EnrolmentStatus.REFERRED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.IN_SESSIONS,
)


class ExitReason(models.TextChoices):
    DECLINED = "declined", _("Declined the offer")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible after all")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    MOVED = "moved", _("Moved away")
    NEEDS_CHANGED = "needs_changed", _("Needs changed (other service)")
    PLACEMENT = "placement", _("Child placed")
    OTHER = "other", _("Other")


class Enrolment(TimeStamped):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="enrolments")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=EnrolmentStatus, default=EnrolmentStatus.REFERRED
    )
    eligible = models.BooleanField(_("eligible"), default=True)
    referred_on = models.DateField(_("referred on"))
    offered_on = models.DateField(_("offered on"), null=True, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=16, choices=ExitReason, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # The sessions the family came to and the first of them, kept with each session recorded
    # (tallies.py): the dose and days to first session that the dashboard counts (in
    # DoseTally and WaitTally) come from these, not from every session of the programme.
    attended_sessions = models.PositiveIntegerField(default=0, editable=False)
    first_session_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-referred_on", "-created_at"]
        indexes = [models.Index(fields=["programme", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "family"],
                condition=Q(status__in=["referred", "offered", "enrolled", "in_sessions"]),
                name="impl_one_open_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.get_status_display()}"


class RatedBy(models.TextChoices):
    PRACTITIONER = "practitioner", _("The practitioner")
    SUPERVISOR = "supervisor", _("The supervisor")


class ProgrammeSession(TimeStamped):
    """A session delivered (or missed) to an enrolled family, and its timeline entry."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="sessions")
    entry = models.OneToOneField(TimelineEntry, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="sessions")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="+", verbose_name=_("practitioner")
    )
    held_on = models.DateField(_("date"))
    attended = models.BooleanField(_("the family came"), default=True)
    components = models.JSONField(_("components covered"), default=list)
    rated_by = models.CharField(_("rated by"), max_length=12, choices=RatedBy, blank=True)
    # The mean of its components' scores (none when unrated), written with the ratings: the
    # dashboard averages sessions, and reading every rating made it grow with the programme.
    fidelity = models.FloatField(_("fidelity"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["held_on", "created_at"]
        indexes = [models.Index(fields=["site", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on}"


class SessionCounts(models.Model):
    """Sessions counted as they are recorded and deleted (tallies.py): the dashboard's totals
    and fidelity means read these few rows instead of every session of the programme. Never
    edited by hand; `rebuild` recomputes them from the sessions."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField(default=0)  # held or missed
    attended = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)  # with a fidelity (only attended ones are)
    fidelity_sum = models.FloatField(default=0.0)  # of the rated sessions' fidelity

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.sessions}"


class PractitionerTally(SessionCounts):
    """The sessions of one practitioner at one site: the practitioners' fidelity table."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "practitioner"], name="impl_one_practitioner_tally"
            )
        ]


class QuarterTally(SessionCounts):
    """The sessions of one site in one quarter: the totals, each site's fidelity and the
    quarterly trend."""

    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "year", "quarter"], name="impl_one_quarter_tally"
            )
        ]


class EnrolmentTally(models.Model):
    """The enrolments of one site counted by what the dashboard tells apart (status, exit
    reason, eligibility, whether enrolled), kept as enrolments are made, moved, counted in a
    session and deleted (tallies.py): a region's programme has thousands of enrolments, and
    the dashboard reads these few rows instead. `rebuild` recomputes them."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=EnrolmentStatus)
    exit_reason = models.CharField(max_length=16, choices=ExitReason, blank=True)
    eligible = models.BooleanField()
    enrolled = models.BooleanField()  # has an enrolment date
    families = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "status", "exit_reason", "eligible", "enrolled"],
                name="impl_one_enrolment_tally",
            )
        ]

    def __str__(self) -> str:
        return f"{self.status}: {self.families}"


class DoseTally(models.Model):
    """The enrolled families of one site by the number of sessions they came to (tallies.py)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField()
    families = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "sessions"], name="impl_one_dose_tally")
        ]

    def __str__(self) -> str:
        return f"{self.sessions}: {self.families}"


class WaitTally(models.Model):
    """The families of one site that came to a session, by the days from their referral to
    their first session (tallies.py)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    days = models.IntegerField()
    families = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "days"], name="impl_one_wait_tally")]

    def __str__(self) -> str:
        return f"{self.days}: {self.families}"


class FidelityRating(TimeStamped):
    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="ratings")
    component = models.CharField(_("component"), max_length=200)
    score = models.PositiveSmallIntegerField(_("adherence (1–5)"))

    class Meta:
        ordering = ["session", "component"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=FIDELITY_MIN, score__lte=FIDELITY_MAX),
                name="impl_fidelity_1_to_5",
            ),
            models.UniqueConstraint(fields=["session", "component"], name="impl_one_rating"),
        ]

    def __str__(self) -> str:
        return f"{self.component}: {self.score}"


class Adaptation(TimeStamped):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="adaptations")
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="adaptations"
    )
    made_on = models.DateField(_("date"))
    what = models.TextField(_("what was changed"))
    why = models.TextField(_("why"))
    made_by = models.CharField(_("by whom"), max_length=200)
    planned = models.BooleanField(_("planned"), default=False)
    component = models.CharField(_("component touched"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-made_on", "-created_at"]

    def __str__(self) -> str:
        return self.what[:60]


class Domain(models.TextChoices):
    """The eight domains of the Program Sustainability Assessment Tool (items are ours)."""

    ENVIRONMENTAL_SUPPORT = "environmental_support", _("Environmental support")
    FUNDING_STABILITY = "funding_stability", _("Funding stability")
    PARTNERSHIPS = "partnerships", _("Partnerships")
    ORGANIZATIONAL_CAPACITY = "organizational_capacity", _("Organizational capacity")
    PROGRAMME_EVALUATION = "programme_evaluation", _("Programme evaluation")
    PROGRAMME_ADAPTATION = "programme_adaptation", _("Programme adaptation")
    COMMUNICATIONS = "communications", _("Communications")
    STRATEGIC_PLANNING = "strategic_planning", _("Strategic planning")


class SustainabilityItem(TimeStamped):
    """A statement of the yearly self-assessment, rated 1 (not at all) to 7 (fully)."""

    domain = models.CharField(_("domain"), max_length=24, choices=Domain)
    position = models.PositiveSmallIntegerField(default=0)
    text_fr = models.CharField(_("statement (French)"), max_length=300)
    text_en = models.CharField(_("statement (English)"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if translation.get_language() == "en" else self.text_fr


class SustainabilityAssessment(TimeStamped):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "year", "respondent"], name="impl_one_assessment_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.year}"


class SustainabilityAnswer(TimeStamped):
    assessment = models.ForeignKey(
        SustainabilityAssessment, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(SustainabilityItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score (1–7)"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=SUSTAINABILITY_MIN, score__lte=SUSTAINABILITY_MAX),
                name="impl_sustainability_1_to_7",
            ),
            models.UniqueConstraint(fields=["assessment", "item"], name="impl_one_answer"),
        ]

    def __str__(self) -> str:
        return str(self.score)


class DomainScore(models.Model):
    """A respondent's score in one domain, the mean of their answers to its statements:
    written with the answers (tallies.py), so that the dashboard's domain means read one row
    per respondent and domain instead of every answer."""

    assessment = models.ForeignKey(
        SustainabilityAssessment, on_delete=models.CASCADE, related_name="domain_scores"
    )
    domain = models.CharField(max_length=24, choices=Domain)
    mean = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="impl_one_domain_score")
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.mean:.2f}"


class Polarity(models.TextChoices):
    BARRIER = "barrier", _("Barrier")
    FACILITATOR = "facilitator", _("Facilitator")


class FactorCategory(models.TextChoices):
    """The four categories of the community-outreach study."""

    ORGANIZATIONAL = "organizational", _("Organizational")
    WORK_WORKER = "work_worker", _("Nature of the work and the worker")
    FAMILY = "family", _("Family-related")
    EXTERNAL = "external", _("External")


class HeardIn(models.TextChoices):
    FOCUS_GROUP = "focus_group", _("Focus group")
    REVIEW = "review", _("Cooperation Malfunction Review")
    SUPERVISION = "supervision", _("Supervision")
    TEAM_MEETING = "team_meeting", _("Team meeting")


class FactorStatus(models.TextChoices):
    OPEN = "open", _("Open")
    BEING_ADDRESSED = "being_addressed", _("Being addressed")
    CLOSED = "closed", _("Closed")


FACTOR_TRANSITIONS = {
    FactorStatus.OPEN: {FactorStatus.BEING_ADDRESSED, FactorStatus.CLOSED},
    FactorStatus.BEING_ADDRESSED: {FactorStatus.CLOSED, FactorStatus.OPEN},
    FactorStatus.CLOSED: {FactorStatus.OPEN},
}


class Factor(TimeStamped):
    """An entry of the network's register of barriers and facilitators."""

    polarity = models.CharField(_("barrier or facilitator"), max_length=12, choices=Polarity)
    category = models.CharField(_("category"), max_length=16, choices=FactorCategory)
    title = models.CharField(_("short title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    heard_in = models.CharField(_("where it was heard"), max_length=16, choices=HeardIn)
    heard_on = models.DateField(_("heard on"))
    teams = models.ManyToManyField(
        Team, blank=True, related_name="+", verbose_name=_("teams concerned")
    )
    # Sector codes (",a,b,"), as the directory's own lists store them.
    sectors = models.CharField(_("sectors concerned"), max_length=600, blank=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="factors",
        verbose_name=_("programme"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=FactorStatus, default=FactorStatus.OPEN
    )
    # The review situation whose malfunction was filed here (at most once).
    situation = models.OneToOneField(
        "reviews.Situation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_entry",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-heard_on", "-created_at"]
        verbose_name = _("barrier or facilitator")
        verbose_name_plural = _("barriers and facilitators")

    def __str__(self) -> str:
        return self.title

    @property
    def sector_codes(self) -> list[str]:
        return split_codes(self.sectors)

    @property
    def sector_labels(self) -> list[str]:
        return labels_of(self.sectors, Sector)


class FactorAction(TimeStamped):
    """An improvement action on a register entry, followed until closed. Its statuses and
    transitions are the reviews app's (ImprovementAction): one state machine for both."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("improvement action"))
    owner_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner organization"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus, default=ActionStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ACTION_STATUSES
