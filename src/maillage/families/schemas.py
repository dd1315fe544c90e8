"""API schemas of families: what leaves the server is exactly what the page would show."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from maillage.core.dates import ApiDate, ApiDateTime

from .models import ActionStatus, Category, EntryKind, Visibility, VisitOutcome


class CaregiverOut(Schema):
    first_name: str
    last_name: str
    relationship: str
    date_of_birth: date | None
    phone: str
    email: str
    preferred_contact: str


class ChildOut(Schema):
    first_name: str
    date_of_birth: date | None
    due_date: date | None


class FamilySummaryOut(Schema):
    id: UUID
    reference: str
    names: list[str] | None  # None when identity is not shared with the reader
    next_action_due: date | None = None


class CircleMemberOut(Schema):
    id: UUID
    practitioner_id: UUID
    practitioner: str
    team: str
    organization: str
    role: str
    is_lead: bool


class ConsentOut(Schema):
    id: UUID
    state: str
    organizations: list[str]
    categories: list[str]
    purpose: str
    valid_from: date
    valid_until: date
    method: str


class FamilyOut(Schema):
    id: UUID
    reference: str
    access: str
    categories: list[str]
    caregivers: list[CaregiverOut] | None
    children: list[ChildOut] | None
    circle: list[CircleMemberOut]


class PlanActionOut(Schema):
    id: UUID
    description: str
    owner: str
    due_date: date | None
    status: str
    version: int


class GoalOut(Schema):
    id: UUID
    need: str
    goal: str
    is_achieved: bool
    actions: list[PlanActionOut]


class PlanOut(Schema):
    goals: list[GoalOut]


class EntryOut(Schema):
    id: UUID
    kind: str
    occurred_at: datetime
    author: str
    team: str
    category: str
    visibility: str
    text: str
    visit_outcome: str
    visit_reason: str
    entered_in_error_at: datetime | None = None
    entered_in_error_reason: str = ""


class EntryIn(Schema):
    kind: EntryKind
    category: Category
    text: str = Field(min_length=1)
    occurred_at: ApiDateTime | None = None
    visibility: Visibility = Visibility.CIRCLE
    visit_outcome: Literal["", *VisitOutcome.values] = ""  # type: ignore[valid-type]
    visit_reason: str = Field("", max_length=300)


class ActionPatch(Schema):
    version: int
    status: ActionStatus | None = None
    due_date: ApiDate | None = None
    description: str | None = None


class EnteredInErrorIn(Schema):
    reason: str = Field(
        min_length=1, max_length=1000, description="Why the entry is wrong; kept in the log."
    )


class WithdrawIn(Schema):
    reason: str = ""
