"""API schemas of the evaluation workspace. Texts bounded like the pages' forms."""

from datetime import date
from uuid import UUID

from ninja import Field, Schema

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
