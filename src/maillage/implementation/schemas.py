"""API schemas of programmes in practice."""

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from maillage.core.dates import ApiDate

from .models import EnrolmentStatus, ExitReason, RatedBy, Stage, TrainingKind

# The choices as the OpenAPI document states them; the services check them again.
StageCode = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
TrainingKindCode = Literal[tuple(TrainingKind.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(EnrolmentStatus.values)]  # type: ignore[valid-type]
ExitReasonCode = Literal[("", *ExitReason.values)]  # type: ignore[valid-type]
RatedByCode = Literal[("", *RatedBy.values)]  # type: ignore[valid-type]


class PracticeProgrammeOut(Schema):
    id: UUID
    name: str
    name_fr: str
    name_en: str
    description: str
    planned_dose: int
    completion_threshold: int | None
    core_components: list[str]
    eligibility: str


class StageOut(Schema):
    stage: str
    label: str
    started_on: date | None
    finished_on: date | None
    days: int | None
    activities_planned: int
    activities_done: int


class SiteOut(Schema):
    id: UUID
    programme_id: UUID
    team_id: UUID
    team: str
    stages: list[StageOut]
    trained_now: int


class FidelityRatingOut(Schema):
    component: str
    score: int


class ProgrammeSessionOut(Schema):
    id: UUID
    held_on: date
    attended: bool
    components: list[str]
    rated_by: str
    ratings: list[FidelityRatingOut]

    @staticmethod
    def resolve_ratings(obj) -> list[dict]:
        return [{"component": r.component, "score": r.score} for r in obj.ratings.all()]


class EnrolmentOut(Schema):
    id: UUID
    programme_id: UUID
    site_id: UUID
    family_id: UUID
    status: str
    eligible: bool
    referred_on: date
    offered_on: date | None
    enrolled_on: date | None
    ended_on: date | None
    exit_reason: str
    version: int
    sessions: list[ProgrammeSessionOut]

    @staticmethod
    def resolve_sessions(obj) -> list:
        return list(obj.sessions.all())


class SessionIn(Schema):
    held_on: ApiDate
    attended: bool = True
    components: list[str] = Field([], max_length=50)
    fidelity: dict[str, int] = Field({}, max_length=50)
    rated_by: RatedByCode = ""
    note: str = Field("", max_length=2000)


class EnrolIn(Schema):
    site: UUID = Field(description="The site (of a team one works in).")
    referred_on: ApiDate
    offered_on: ApiDate | None = None
    enrolled_on: ApiDate | None = None
    eligible: bool = True


class EnrolmentStepIn(Schema):
    to: StatusCode
    on: ApiDate
    exit_reason: ExitReasonCode = ""
    version: int | None = Field(None, ge=1, description="The version read; a stale one is 409.")


class EnrolmentStatusOut(Schema):
    """An enrolment's state after a write (its sessions are read with GET)."""

    id: UUID
    programme_id: UUID
    site_id: UUID
    family_id: UUID
    status: str
    eligible: bool
    referred_on: date
    offered_on: date | None
    enrolled_on: date | None
    ended_on: date | None
    exit_reason: str
    version: int


class StageIn(Schema):
    stage: StageCode
    started_on: ApiDate
    finished_on: ApiDate | None = None
    activities_planned: int = Field(0, ge=0, le=1000)
    activities_done: int = Field(0, ge=0, le=1000)
    notes: str = Field("", max_length=2000)


class StageRowOut(Schema):
    id: UUID
    stage: str
    started_on: date
    finished_on: date | None
    activities_planned: int
    activities_done: int


class TrainingIn(Schema):
    practitioner: UUID = Field(description="A practitioner of the site's team.")
    kind: TrainingKindCode
    on: ApiDate
    hours: Decimal = Field(Decimal(0), ge=0, le=500, max_digits=5, decimal_places=1)
    topic: str = Field("", max_length=200)


class TrainingOut(Schema):
    id: UUID
    site_id: UUID
    practitioner_id: UUID
    kind: str
    on: date
    hours: float
    topic: str


class SupervisionIn(Schema):
    practitioner: UUID = Field(description="A practitioner of the site's team.")
    on: ApiDate
    minutes: int = Field(ge=1, le=600)
    reflective: bool = False
    cases_discussed: int = Field(0, ge=0, le=100)


class SupervisionOut(Schema):
    id: UUID
    site_id: UUID
    practitioner_id: UUID
    on: date
    minutes: int
    reflective: bool
    cases_discussed: int


class DepartureIn(Schema):
    practitioner: UUID = Field(description="A practitioner of the site's team.")
    left_on: ApiDate


class DepartureOut(Schema):
    id: UUID
    site_id: UUID
    practitioner_id: UUID
    practitioner: str
    left_on: date

    @staticmethod
    def resolve_practitioner(obj) -> str:
        return str(obj.practitioner)


class SustainabilityIn(Schema):
    scores: dict[str, int] = Field(
        max_length=200, description="Statement id -> score from 1 to 7, every statement in use."
    )


class SustainabilityOut(Schema):
    id: UUID
    site_id: UUID
    year: int
    answers: int

    @staticmethod
    def resolve_answers(obj) -> int:
        return obj.answers.count()


class RatioOut(Schema):
    numerator: int
    denominator: int
    value: float | None


class SummaryOut(Schema):
    n: int
    median: float | None
    mean: float | None


class MeanIntervalOut(Schema):
    year: int
    domain: str
    n: int
    mean: float | None
    low: float | None
    high: float | None


class FigureCountOut(Schema):
    key: str
    count: int


class DashboardOut(Schema):
    reach: RatioOut
    days_to_first_session: SummaryOut
    sessions_per_family: SummaryOut
    dose_distribution: list[FigureCountOut]
    completion: RatioOut
    no_shows: RatioOut
    exit_reasons: list[FigureCountOut]
    sessions_rated: RatioOut
    fidelity_by_site: dict[str, float]
    fidelity_trend: list[dict]
    trained_now_by_site: dict[str, int]
    # Trained practitioners who left (a departure, or their membership ended): a count.
    trained_lost_by_site: dict[str, int]
    sustainability: list[MeanIntervalOut]
    register_by_category: list[dict]
    register_by_sector: list[FigureCountOut]


class FactorOut(Schema):
    id: UUID
    polarity: str
    category: str
    title: str
    description: str
    heard_in: str
    heard_on: date
    sectors: list[str]
    programme_id: UUID | None
    status: str

    @staticmethod
    def resolve_sectors(obj) -> list[str]:
        return obj.sector_codes
