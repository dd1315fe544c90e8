"""API schemas of families: what leaves the server is exactly what the page would show."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema


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


class ActionOut(Schema):
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
    actions: list[ActionOut]


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


class EntryIn(Schema):
    kind: str
    category: str
    text: str
    occurred_at: datetime | None = None
    visibility: str = "circle"
    visit_outcome: str = ""
    visit_reason: str = ""


class ActionPatch(Schema):
    version: int
    status: str | None = None
    due_date: date | None = None
    description: str | None = None


class WithdrawIn(Schema):
    reason: str = ""
