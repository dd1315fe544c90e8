"""API schemas of referrals. Each choice is an enumeration in the OpenAPI document, each
date within the product's range (core.dates): what the document allows, the API accepts
as far as the shape goes."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema

from maillage.core.dates import ApiDate, ApiDateTime

from .models import FollowUp, RejectReason, Step

IndicatorGrouping = Literal["team", "organization", "sector_pair"]


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
    step: Step
    note: str = ""
    follow_up: Literal["", *FollowUp.values] = ""  # type: ignore[valid-type]
    # Accept: the practitioner of the receiving team who follows the family (the one who
    # accepts, when left out).
    assign_to: UUID | None = None
    reject_reason: Literal["", *RejectReason.values] = ""  # type: ignore[valid-type]
    reject_text: str = ""
    on_hold_until: ApiDate | None = None
    first_contact_at: ApiDateTime | None = None
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
