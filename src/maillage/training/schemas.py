"""API schemas of cross-training."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema

from maillage.core.tokens import split_codes

from .selectors import places_taken


class TeamRef(Schema):
    id: UUID
    name: str
    organization: str

    @staticmethod
    def resolve_organization(obj) -> str:
        return obj.organization.name


class TopicOut(Schema):
    id: UUID
    name: str
    name_fr: str
    name_en: str


class PhaseOut(Schema):
    id: UUID
    number: int
    name: str
    name_fr: str
    name_en: str
    starts_on: date
    ends_on: date


class ProgrammeSummaryOut(Schema):
    id: UUID
    name: str
    starts_on: date
    ends_on: date | None
    team_count: int
    session_count: int


class ProgrammeOut(Schema):
    id: UUID
    name: str
    description: str
    starts_on: date
    ends_on: date | None
    teams: list[TeamRef]
    topics: list[TopicOut]
    phases: list[PhaseOut]

    @staticmethod
    def resolve_teams(obj) -> list:
        return [pt.team for pt in obj.programme_teams.select_related("team__organization")]

    @staticmethod
    def resolve_topics(obj) -> list:
        return list(obj.topics.all())

    @staticmethod
    def resolve_phases(obj) -> list:
        return list(obj.phases.all())


class SessionOut(Schema):
    id: UUID
    programme_id: UUID
    phase_id: UUID | None
    host_team: TeamRef
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    capacity: int
    places_taken: int
    status: str
    topics: list[TopicOut]
    agenda: str
    host_activities: list[str]
    host_activities_details: str
    location: str

    @staticmethod
    def resolve_places_taken(obj) -> int:
        taken = getattr(obj, "places_taken", None)
        if taken is None:
            taken = places_taken(obj)
        return taken

    @staticmethod
    def resolve_topics(obj) -> list:
        return list(obj.topics.all())

    @staticmethod
    def resolve_host_activities(obj) -> list[str]:
        return split_codes(obj.host_activities)


class SignUpIn(Schema):
    team_id: UUID | None = None


class SignUpOut(Schema):
    id: UUID
    session_id: UUID
    team_id: UUID
    status: str
    attended: bool | None


class PairingOut(Schema):
    team_a: TeamRef
    team_b: TeamRef
    score: float
    shared_families: int
    referrals: int | None
    declined_last_quarter: int | None
    trained_together: int
    planned: int
    reason: str


class ChangeOut(Schema):
    statement: str
    item_id: UUID | None
    respondents: int
    shown: bool
    before: float | None
    after: float | None
    change: float | None
    ci95_low: float | None
    ci95_high: float | None


class RatesOut(Schema):
    measure: str
    group: str
    available: bool
    pairs_with_data: int
    pairs_without_data: int
    before_per_month: float | None
    after_per_month: float | None


class EffectsOut(Schema):
    min_respondents: int
    window_months: int
    change: list[ChangeOut]
    pairs: list[RatesOut]
