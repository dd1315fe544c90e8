"""API schemas of the cooperation reviews. No schema carries who submitted a situation:
the review is blame-free."""

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from maillage.core.api_errors import ErrorOut
from maillage.core.schemas import GuardedText
from maillage.core.tokens import split_codes
from maillage.directory.models import Sector

from .models import SituationKind


class OrganizationRef(Schema):
    id: UUID
    name: str
    sector: str


class GroupOut(Schema):
    id: UUID
    name: str
    description: str


class MeetingOut(Schema):
    id: UUID
    starts_at: datetime
    duration_minutes: int
    status: str
    host: OrganizationRef
    venue_details: str
    new_situation_slots: int


class AnalysisOut(Schema):
    malfunction: str
    malfunction_types: list[str]
    patient_harm: str
    patient_harm_how: str
    carer_harm: str
    carer_harm_how: str
    avoidable: str

    @staticmethod
    def resolve_malfunction_types(obj) -> list[str]:
        return split_codes(obj.malfunction_types)


class ImprovementActionOut(Schema):
    id: UUID
    description: str
    owner_organization_id: UUID | None
    owner_participant_id: UUID | None
    owner: str
    due_date: date
    status: str

    @staticmethod
    def resolve_owner(obj) -> str:
        if obj.owner_organization is not None:
            return obj.owner_organization.name
        return obj.owner_participant.full_name if obj.owner_participant else ""


class SituationOut(Schema):
    id: UUID
    kind: str
    title: str
    narrative: str
    sectors: list[str]
    status: str
    meeting_id: UUID | None

    @staticmethod
    def resolve_sectors(obj) -> list[str]:
        return split_codes(obj.sectors)


class SituationDetailOut(SituationOut):
    analysis: AnalysisOut | None = None
    actions: list[ImprovementActionOut]

    @staticmethod
    def resolve_analysis(obj):
        return getattr(obj, "analysis", None)

    @staticmethod
    def resolve_actions(obj) -> list:
        return list(obj.actions.select_related("owner_organization", "owner_participant"))


class FollowUpOut(Schema):
    situation: SituationOut
    note: str
    open_actions: list[ImprovementActionOut]


class NewSituationOut(Schema):
    situation: SituationOut
    proposed: bool
    actions: list[ImprovementActionOut]


class SlotOut(Schema):
    kind: str
    title: str
    notes: str


class AgendaOut(Schema):
    meeting: MeetingOut
    follow_ups: list[FollowUpOut]
    new_situations: list[NewSituationOut]
    slots: list[SlotOut]
    round_table_notes: str
    rating_average: float | None
    rating_count: int


class Confirmation(Schema):
    key: str = Field(description="The key of a finding, as returned with a 422 answer.")
    reason: str = Field(description="Why it does not identify anyone; kept in the audit log.")


class SituationIn(Schema):
    kind: SituationKind
    title: str = Field(min_length=1, max_length=150, pattern=r"\S")
    narrative: GuardedText
    sectors: list[Sector] = Field(min_length=1)
    confirmations: list[Confirmation] = []


class FindingOut(Schema):
    field: str
    kind: str
    text: str
    start: int
    end: int
    key: str


class SituationErrorOut(ErrorOut):
    """A refused situation: the fields at fault and, when the text may identify someone,
    what was found."""

    findings: list[FindingOut] = []


class CountOut(Schema):
    key: str
    label: str
    count: int


class RatingOut(Schema):
    meeting_id: UUID
    starts_at: datetime
    average: float | None
    count: int


class StatisticsOut(Schema):
    start: date
    end: date
    meetings_held: int
    situations_presented: int
    malfunctions: int
    went_well: int
    harmed_patient: int
    harmed_carer: int
    avoidable: int
    partly_avoidable: int
    by_type: list[CountOut]
    by_sector_pair: list[CountOut]
    actions_opened: int
    actions_closed: int
    actions_overdue: int
    ratings: list[RatingOut]
