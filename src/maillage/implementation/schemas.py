"""API schemas of programmes in practice."""

from datetime import date
from uuid import UUID

from ninja import Schema


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
    held_on: date
    attended: bool = True
    components: list[str] = []
    fidelity: dict[str, int] = {}
    rated_by: str = ""
    note: str = ""


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
