from datetime import date, datetime
from uuid import UUID

from ninja import Schema


class ReferralOut(Schema):
    id: UUID
    reference: str
    family_id: UUID
    from_team: str
    to_team: str
    status: str
    urgency: str
    requested_at: datetime | None
    received_at: datetime | None
    decided_at: datetime | None
    first_contact_at: datetime | None
    closed_at: datetime | None
    follow_up: str
    outcome: str

    @staticmethod
    def resolve_from_team(obj) -> str:
        return obj.from_team.name

    @staticmethod
    def resolve_to_team(obj) -> str:
        return obj.to_team.name


class StepIn(Schema):
    step: str
    note: str = ""
    follow_up: str = ""
    reject_reason: str = ""
    reject_text: str = ""
    on_hold_until: date | None = None
    first_contact_at: datetime | None = None
    outcome: str = ""


class IndicatorRow(Schema):
    key: str
    label: str
    sent: int
    received: int
    acceptance_rate: float | None
    median_hours_to_acknowledge: float | None
    median_days_to_first_contact: float | None
    loop_closure_rate: float | None
    joint_follow_up_share: float | None
    reciprocity: float | None
    consultations_asked: int
    consultations_answered: int
