"""API schemas of the evaluation workspace. Texts bounded like the pages' forms."""

from datetime import date
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import StringConstraints

from maillage.core.dates import ApiDate

from .models import DOCUMENT_MAX_CHARS, MEMO_MAX, SHORT_TEXT_MAX, TITLE_MAX


class StudyOut(Schema):
    id: UUID
    title: str
    question: str
    starts_on: date
    ends_on: date | None
    blind_coding: bool
    revealed: bool

    @staticmethod
    def resolve_revealed(obj) -> bool:
        return obj.revealed_at is not None


class CodeOut(Schema):
    id: UUID
    name: str
    parent_id: UUID | None
    definition: str
    inductive: bool
    colour: str


class CodeIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    parent_id: UUID | None = None
    definition: str = Field("", max_length=SHORT_TEXT_MAX)
    use_when: str = Field("", max_length=SHORT_TEXT_MAX)
    not_use_when: str = Field("", max_length=SHORT_TEXT_MAX)
    example: str = Field("", max_length=SHORT_TEXT_MAX)
    inductive: bool = False
    colour: str = Field("#fde68a", pattern=r"^#[0-9a-fA-F]{6}$")


class TurnOut(Schema):
    speaker: str
    start: int
    end: int


class CodingOut(Schema):
    id: UUID
    code_id: UUID
    coder_id: UUID
    start: int
    end: int
    memo: str


class DocumentOut(Schema):
    id: UUID
    title: str
    kind: str
    text: str
    turns: list[TurnOut]
    codings: list[CodingOut]


class CodingIn(Schema):
    code_ids: list[UUID] = Field(min_length=1, max_length=50)
    start: int = Field(ge=0, le=10_000_000)
    end: int = Field(ge=1, le=10_000_000)
    memo: str = Field("", max_length=MEMO_MAX)


class TurnIn(Schema):
    speaker: str = Field("", max_length=100)
    text: str = Field(min_length=1, max_length=DOCUMENT_MAX_CHARS)


class DocumentIn(Schema):
    """A transcript as turns; `speakers` maps a label to a participant's id; each finding of
    the guard (keys from a 422's errors) is replaced or confirmed with a reason."""

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    kind: str = Field("transcript", max_length=20)
    session_id: UUID | None = None
    turns: list[TurnIn] = Field(min_length=1, max_length=20_000)
    speakers: dict[str, UUID] = Field(default_factory=dict)
    replacements: dict[str, str] = Field(default_factory=dict)
    confirmations: dict[str, str] = Field(default_factory=dict)


class EstimateOut(Schema):
    value: float | None
    low: float | None
    high: float | None


class AgreementOut(Schema):
    code_id: UUID | None
    code: str
    units: int
    percent: EstimateOut
    kappa: EstimateOut | None
    alpha: EstimateOut


class AgreementReportOut(Schema):
    unit: str
    uncoded: str
    coders: list[UUID]
    overall: AgreementOut
    per_code: list[AgreementOut]


class DeleteStudyIn(Schema):
    # Needed only when no up-to-date archive of the study was made.
    confirm_title: str = Field("", max_length=TITLE_MAX)


class DeleteStudyOut(Schema):
    removed: dict[str, int]


# --- participants and focus groups -------------------------------------------------------------


# A participant's attributes: {"setting": "CLSC", ...}, bounded as the page's form and the table.
AttributeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
AttributeValue = Annotated[str, StringConstraints(max_length=200)]


class ParticipantOut(Schema):
    """A participant as the participants page shows them. What identifies the person (real
    name, link to the directory, consent note) is for the study's lead only: null for the
    other evaluators."""

    id: UUID
    pseudonym: str
    real_name: str | None
    practitioner_id: UUID | None
    consent_given_on: date | None
    consent_note: str | None
    attributes: dict[str, str]


class ParticipantIn(Schema):
    """A new participant: a name, or the e-mail address of a practitioner of the directory.
    The pseudonym (P01, P02…) is given by the study."""

    real_name: str = Field("", max_length=200)
    practitioner_email: str = Field("", max_length=254)
    consent_given_on: ApiDate | None = None
    consent_note: str = Field("", max_length=300)
    attributes: dict[AttributeName, AttributeValue] = Field(default_factory=dict, max_length=50)


class ParticipantPatch(Schema):
    """Only the fields sent change; an attribute sent empty is removed. The pseudonym stays
    (the transcripts name the participant by it)."""

    real_name: str | None = Field(None, max_length=200)
    practitioner_email: str | None = Field(None, max_length=254)
    consent_given_on: ApiDate | None = None
    consent_note: str | None = Field(None, max_length=300)
    attributes: dict[AttributeName, AttributeValue] | None = Field(None, max_length=50)


class FocusGroupOut(Schema):
    id: UUID
    setting: str
    held_on: date
    moderator: str
    present: list[UUID]
    document_count: int

    @staticmethod
    def resolve_present(obj) -> list:
        return [participant.pk for participant in obj.present.all()]


class FocusGroupIn(Schema):
    setting: str = Field(min_length=1, max_length=200)
    held_on: ApiDate
    moderator: str = Field("", max_length=200)
    present: list[UUID] = Field(default_factory=list, max_length=500)


class FocusGroupPatch(Schema):
    """Only the fields sent change; `present`, when sent, is the whole list."""

    setting: str | None = Field(None, min_length=1, max_length=200)
    held_on: ApiDate | None = None
    moderator: str | None = Field(None, max_length=200)
    present: list[UUID] | None = Field(None, max_length=500)
