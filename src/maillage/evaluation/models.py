"""The qualitative workspace: studies of the network by its evaluators (focus groups and
other documents, a codebook, the codings of several coders).

Positions in a document's text count Unicode code points from 0, the end exclusive (as in
the REFI-QDA exchange format): Python's own string indices, so `text[start:end]` is the
passage. The stored text is the de-identified one; participants are named in it by their
pseudonym (P01…), their real name lives only on the Participant row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from maillage.core.models import TimeStamped
from maillage.directory.models import Practitioner

TITLE_MAX = 200
SHORT_TEXT_MAX = 2_000
# A transcript of a two-hour focus group is some 20,000 words (about 120,000 characters):
# four times that bounds the work of one import and of one page.
DOCUMENT_MAX_CHARS = 500_000
MEMO_MAX = 4_000


class Study(TimeStamped):
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    question = models.TextField(_("research question"), max_length=SHORT_TEXT_MAX, blank=True)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    # Blind coding: each coder sees only their own codings until the lead reveals them all.
    blind_coding = models.BooleanField(_("blind coding"), default=True)
    revealed_at = models.DateTimeField(_("codings revealed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="eval_study_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_blind(self) -> bool:
        return self.blind_coding and self.revealed_at is None


class EvaluatorRole(models.TextChoices):
    LEAD = "lead", _("Lead evaluator")
    CODER = "coder", _("Coder")


class StudyEvaluator(TimeStamped):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=EvaluatorRole)

    class Meta:
        ordering = ["role", "created_at"]
        verbose_name = _("study evaluator")
        verbose_name_plural = _("study evaluators")
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="eval_one_role_per_study")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Participant(TimeStamped):
    """Someone who took part (a practitioner of the directory or an outside person). The
    study speaks of them by pseudonym only; the real name is for the lead's page."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="participants")
    pseudonym = models.CharField(_("pseudonym"), max_length=20)
    real_name = models.CharField(_("real name"), max_length=200, blank=True)
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="study_participations",
        verbose_name=_("practitioner of the directory"),
    )
    # Research consent: distinct from any family's consent to care and sharing.
    consent_given_on = models.DateField(_("research consent given on"), null=True, blank=True)
    consent_note = models.CharField(_("consent note"), max_length=300, blank=True)

    class Meta:
        ordering = ["pseudonym"]
        verbose_name = _("study participant")
        verbose_name_plural = _("study participants")
        constraints = [
            models.UniqueConstraint(fields=["study", "pseudonym"], name="eval_unique_pseudonym")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class StudyAttribute(TimeStamped):
    """An attribute the study describes its participants by (setting, years of
    experience…); sector, organization and role come from the directory by themselves."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("participant attribute")
        verbose_name_plural = _("participant attributes")
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="eval_unique_attribute")
        ]

    def __str__(self) -> str:
        return self.name


class AttributeValue(TimeStamped):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attribute_values"
    )
    attribute = models.ForeignKey(StudyAttribute, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(_("value"), max_length=200)

    class Meta:
        ordering = ["attribute__name"]
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "attribute"], name="eval_one_value_per_attribute"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute}: {self.value}"


class Session(TimeStamped):
    """A focus group: where (the setting whose practitioners met), when, who moderated,
    who was there."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sessions")
    setting = models.CharField(_("setting"), max_length=200)
    held_on = models.DateField(_("date"))
    moderator = models.CharField(_("moderator"), max_length=200, blank=True)
    present = models.ManyToManyField(
        Participant, related_name="sessions", blank=True, verbose_name=_("participants present")
    )

    class Meta:
        ordering = ["held_on", "setting"]
        verbose_name = _("focus group")
        verbose_name_plural = _("focus groups")

    def __str__(self) -> str:
        return f"{self.setting} ({self.held_on})"


class DocumentKind(models.TextChoices):
    TRANSCRIPT = "transcript", _("Focus group transcript")
    INTERVIEW = "interview", _("Interview transcript")
    NOTES = "notes", _("Meeting notes")
    OPEN_ANSWERS = "open_answers", _("Open answers")


class Document(TimeStamped):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="documents")
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("focus group"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind)
    # The de-identified text: what the guard found was replaced or confirmed at import.
    text = models.TextField(_("text"))
    source_filename = models.CharField(_("source file"), max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class SpeakerTurn(models.Model):
    """A stretch of a document said by one speaker: the segment of segment-level agreement."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="turns")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="turns"
    )
    # As written in the stored text (a pseudonym, "Animatrice"…).
    speaker = models.CharField(_("speaker"), max_length=100)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["document", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="eval_turn_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.speaker} [{self.start}:{self.end}]"


class Code(TimeStamped):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent code"),
    )
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), max_length=SHORT_TEXT_MAX, blank=True)
    use_when = models.TextField(_("use when"), max_length=SHORT_TEXT_MAX, blank=True)
    not_use_when = models.TextField(_("do not use when"), max_length=SHORT_TEXT_MAX, blank=True)
    example = models.TextField(_("example"), max_length=SHORT_TEXT_MAX, blank=True)
    # Emerged while reading (inductive) rather than decided beforehand (deductive).
    inductive = models.BooleanField(_("emerging code"), default=False)
    colour = models.CharField(_("colour"), max_length=7, default="#fde68a")

    class Meta:
        ordering = ["name"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="eval_unique_code_name"),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="eval_code_colour"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CodebookChangeKind(models.TextChoices):
    CREATED = "created", _("Code created")
    UPDATED = "updated", _("Code changed")
    MERGED = "merged", _("Codes merged")
    SPLIT = "split", _("Code split")
    DELETED = "deleted", _("Code deleted")
    TEMPLATE = "template", _("Template applied")


class CodebookChange(models.Model):
    """The codebook's history: who changed what, when (kept when the code is gone)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codebook_changes")
    code = models.ForeignKey(
        Code, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(_("change"), max_length=10, choices=CodebookChangeKind)
    # The code's name at the time, and what changed (field: [before, after]).
    code_name = models.CharField(_("code"), max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("codebook change")
        verbose_name_plural = _("codebook changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code_name}"


class Coding(TimeStamped):
    """A passage of a document coded with one code by one coder."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings"
    )
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    memo = models.TextField(_("memo"), max_length=MEMO_MAX, blank=True)

    class Meta:
        ordering = ["start", "end"]
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        indexes = [models.Index(fields=["document", "coder", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="eval_coding_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}]"


class CodeMemo(TimeStamped):
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="memos")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("memo"), max_length=MEMO_MAX)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("code memo")
        verbose_name_plural = _("code memos")

    def __str__(self) -> str:
        return self.text[:60]
