"""Our objects as FHIR R4 resources (JSON as Python dicts), for one reader.

Every builder takes what the selectors read and the reader's FamilyAccess: a name, a
telephone, a date of birth appear only where the consent covers identity, and free text
(a goal, a referral's reason) passes through the families app's name masker, which the
selector hands over. Nothing here reads the database beyond the objects' prefetched
relations, and nothing decides who may see what.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.utils.translation import gettext as _

from maillage.audit.models import Action
from maillage.core.tokens import split_codes
from maillage.directory.models import (
    Language,
    MembershipRole,
    Organization,
    Population,
    Practitioner,
    Profession,
    Sector,
    ServiceOffer,
    ServiceType,
    Team,
)
from maillage.families.models import Caregiver, Category, Child, Consent, Family
from maillage.families.permissions import FamilyAccess
from maillage.families.selectors import caregivers_of
from maillage.referrals.models import RejectReason, Status, Urgency

from . import codes

Mask = Callable[[str], str]


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _meta(obj) -> dict:
    return {"lastUpdated": _instant(getattr(obj, "updated_at", None) or obj.created_at)}


def _coding(system: str, code: str, display) -> dict:
    return {"system": system, "code": str(code), "display": str(display)}


def _concept(system: str, code: str, display) -> dict:
    return {"coding": [_coding(system, code, display)], "text": str(display)}


def _label(choices, code: str) -> str:
    return str(dict(choices.choices).get(code, code))


def _ref(kind: str, obj_id, display: str | None = None) -> dict:
    ref = {"reference": f"{kind}/{obj_id}"}
    if display:
        ref["display"] = display
    return ref


def _compact(resource: dict) -> dict:
    """FHIR forbids empty elements: drop None, "", [] and {} (recursively)."""
    if isinstance(resource, dict):
        out = {}
        for key, value in resource.items():
            value = _compact(value)
            if value not in (None, "", [], {}):
                out[key] = value
        return out
    if isinstance(resource, list):
        items = [_compact(v) for v in resource]
        return [v for v in items if v not in (None, "", [], {})]
    return resource


def _languages(codes_text: str) -> list[dict]:
    return [
        {"language": _concept(codes.LANGUAGE, code, _label(Language, code))}
        for code in split_codes(codes_text)
    ]


# --- the directory: professional information, the same for every reader ------------------


def organization(org: Organization) -> dict:
    kind = codes.ORGANIZATION_TYPE_OF_SECTOR.get(org.sector, "prov")
    return _compact(
        {
            "resourceType": "Organization",
            "id": str(org.id),
            "meta": _meta(org),
            "identifier": [{"system": f"{codes.OURS}:organization-code", "value": org.code}],
            "active": True,
            "type": [
                _concept(codes.ORGANIZATION_TYPE, kind, codes.ORGANIZATION_TYPE_LABELS[kind]),
                _concept(codes.SECTOR, org.sector, _label(Sector, org.sector)),
            ],
            "name": org.name,
            "telecom": [
                {"system": "phone", "value": org.phone, "use": "work"} if org.phone else None,
                {"system": "url", "value": org.website} if org.website else None,
            ],
            "address": [{"text": org.address}] if org.address else [],
        }
    )


def team(item: Team) -> dict:
    """A team is an Organization of type `team`, part of its organization: the owner or
    requester of a referral Task."""
    return _compact(
        {
            "resourceType": "Organization",
            "id": str(item.id),
            "meta": _meta(item),
            "identifier": [{"system": f"{codes.OURS}:team-code", "value": item.code}],
            "active": True,
            "type": [
                _concept(codes.ORGANIZATION_TYPE, "team", codes.ORGANIZATION_TYPE_LABELS["team"])
            ],
            "name": item.name,
            "alias": [item.site] if item.site else [],
            "telecom": [
                {"system": "phone", "value": item.phone, "use": "work"} if item.phone else None,
                {"system": "email", "value": item.email, "use": "work"} if item.email else None,
            ],
            "partOf": _ref("Organization", item.organization_id, item.organization.name),
        }
    )


def location_ref(item: Team) -> dict:
    """Where a team works: its own site when it has one, else its organization's place."""
    if item.site:
        return _ref("Location", item.id, item.site)
    return _ref("Location", item.organization_id)


def organization_location(org: Organization) -> dict:
    """An organization's main place (its address, its territory): the Location of the same
    id as the organization."""
    return _compact(
        {
            "resourceType": "Location",
            "id": str(org.id),
            "meta": _meta(org),
            "status": "active",
            "mode": "instance",
            "name": org.name,
            "type": [_concept(codes.LOCATION_TYPE, "main", codes.LOCATION_TYPE_LABELS["main"])],
            "telecom": [
                {"system": "phone", "value": org.phone, "use": "work"} if org.phone else None,
                {"system": "url", "value": org.website} if org.website else None,
            ],
            "address": {"text": org.address, "district": org.territory},
            "managingOrganization": _ref("Organization", org.id, org.name),
        }
    )


def team_location(item: Team) -> dict:
    """A team's own point of service (its `site`), part of its organization's place: the
    Location of the same id as the team. A team without a site works at its
    organization's place and has no Location of its own."""
    return _compact(
        {
            "resourceType": "Location",
            "id": str(item.id),
            "meta": _meta(item),
            "status": "active",
            "mode": "instance",
            "name": item.site,
            "type": [_concept(codes.LOCATION_TYPE, "site", codes.LOCATION_TYPE_LABELS["site"])],
            "telecom": [
                {"system": "phone", "value": item.phone, "use": "work"} if item.phone else None,
                {"system": "email", "value": item.email, "use": "work"} if item.email else None,
            ],
            "address": {"district": item.territory},
            "managingOrganization": _ref("Organization", item.id, item.name),
            "partOf": _ref("Location", item.organization_id, item.organization.name),
        }
    )


def _eligibility(offer: ServiceOffer) -> list[dict]:
    """Who the service is for: one entry per target population, the eligibility text as
    its comment (alone when no population is named)."""
    populations = split_codes(offer.populations)
    if not populations:
        return [{"comment": offer.eligibility}] if offer.eligibility else []
    return [
        {
            "code": _concept(codes.POPULATION, code, _label(Population, code)),
            "comment": offer.eligibility,
        }
        for code in populations
    ]


def healthcare_service(offer: ServiceOffer) -> dict:
    return _compact(
        {
            "resourceType": "HealthcareService",
            "id": str(offer.id),
            "meta": _meta(offer),
            "identifier": [{"system": f"{codes.OURS}:service-code", "value": offer.code}],
            "active": offer.is_active,
            "providedBy": _ref("Organization", offer.team_id, offer.team.name),
            "type": [
                _concept(
                    codes.SERVICE_TYPE, offer.service_type, _label(ServiceType, offer.service_type)
                )
            ],
            "name": offer.name,
            "comment": offer.how_to_refer,
            "coverageArea": [{"display": offer.territory}] if offer.territory else [],
            "eligibility": [
                {
                    "code": _concept(codes.POPULATION, code, _label(Population, code)),
                    "comment": offer.eligibility,
                }
                for code in split_codes(offer.populations)
            ]
            + (
                [{"comment": offer.eligibility}]
                if offer.eligibility and not offer.populations
                else []
            ),
            "communication": [
                _concept(codes.LANGUAGE, code, _label(Language, code))
                for code in split_codes(offer.languages)
            ],
            "location": [location_ref(offer.team)],
            "referralMethod": [{"text": _("Referral through Maillage")}],
        }
    )


def practitioner(person: Practitioner) -> dict:
    return _compact(
        {
            "resourceType": "Practitioner",
            "id": str(person.id),
            "meta": _meta(person),
            "active": True,
            "name": [{"family": person.last_name, "given": [person.first_name]}],
            "telecom": [
                {"system": "email", "value": person.email, "use": "work"},
                {"system": "phone", "value": person.phone, "use": "work"} if person.phone else None,
            ],
            "qualification": [
                {
                    "code": _concept(
                        codes.PROFESSION, person.profession, _label(Profession, person.profession)
                    )
                }
            ],
            "communication": [
                _concept(codes.LANGUAGE, code, _label(Language, code))
                for code in split_codes(person.languages)
            ],
        }
    )


def practitioner_role(membership) -> dict:
    """A membership: a practitioner in a team, its role (lead or member) coded, its title in
    the team's words as text."""
    return _compact(
        {
            "resourceType": "PractitionerRole",
            "id": str(membership.id),
            "meta": _meta(membership),
            "active": True,
            "practitioner": _ref(
                "Practitioner", membership.practitioner_id, str(membership.practitioner)
            ),
            "organization": _ref("Organization", membership.team_id, membership.team.name),
            "code": [
                _concept(
                    codes.MEMBERSHIP_ROLE,
                    membership.role,
                    _label(MembershipRole, membership.role),
                ),
                {"text": membership.title} if membership.title else None,
            ],
            "location": [location_ref(membership.team)],
            "healthcareService": [
                _ref("HealthcareService", offer.id, offer.name)
                for offer in getattr(membership.team, "active_offers", [])
            ],
        }
    )


# --- families: only what the reader's consent covers ------------------------------------


def _family_identifier(family: Family) -> dict:
    return {"system": codes.FAMILY_REFERENCE, "value": family.reference}


def patient_ref(person, access: FamilyAccess) -> dict | None:
    if person is None:
        return None
    name = None
    if access.shows_identity:
        name = (
            f"{person.first_name} {person.last_name}"
            if isinstance(person, Caregiver)
            else person.first_name
        )
    return _ref("Patient", person.id, name)


def first_caregiver(family: Family) -> Caregiver | None:
    people = caregivers_of(family)
    return people[0] if people else None


def index_patient(family: Family) -> Caregiver | Child | None:
    """Whom the family's caregivers are related to: its first born child, else (during a
    pregnancy) its first caregiver. Reads the prefetched children and caregivers."""
    born = [child for child in family.children.all() if child.date_of_birth]
    return born[0] if born else first_caregiver(family)


def patient(person: Caregiver | Child, family: Family, access: FamilyAccess) -> dict:
    """A caregiver, or a child once born. Without identity: the family's neutral
    reference and who holds the record, nothing that names or locates anyone."""
    resource: dict = {
        "resourceType": "Patient",
        "id": str(person.id),
        "meta": _meta(person),
        "identifier": [_family_identifier(family)],
        "active": True,
        "managingOrganization": _ref(
            "Organization", family.recording_organization_id, family.recording_organization.name
        ),
    }
    if access.shows_identity:
        if isinstance(person, Caregiver):
            resource.update(
                name=[{"family": person.last_name, "given": [person.first_name]}],
                birthDate=_day(person.date_of_birth),
                telecom=[
                    {"system": "phone", "value": person.phone} if person.phone else None,
                    {"system": "email", "value": person.email} if person.email else None,
                ],
                address=[{"text": person.address}] if person.address else [],
                communication=_languages(person.languages),
            )
        else:
            resource.update(
                name=[{"given": [person.first_name]}] if person.first_name else [],
                birthDate=_day(person.date_of_birth),
            )
    return _compact(resource)


def related_person(
    person: Caregiver, index, family: Family, access: FamilyAccess, mask: Mask
) -> dict:
    """A caregiver as a RelatedPerson of the family's index Patient (`index`: its first born
    child, else its first caregiver). Without identity: the family's neutral reference and
    the relationship, nothing that names or locates anyone."""
    resource: dict = {
        "resourceType": "RelatedPerson",
        "id": str(person.id),
        "meta": _meta(person),
        "identifier": [_family_identifier(family)],
        "active": True,
        "patient": patient_ref(index, access),
        "relationship": [{"text": mask(person.relationship)}] if person.relationship else [],
    }
    if access.shows_identity:
        resource.update(
            name=[{"family": person.last_name, "given": [person.first_name]}],
            birthDate=_day(person.date_of_birth),
            telecom=[
                {"system": "phone", "value": person.phone} if person.phone else None,
                {"system": "email", "value": person.email} if person.email else None,
            ],
            address=[{"text": person.address}] if person.address else [],
            communication=_languages(person.languages),
        )
    return _compact(resource)


def care_team(family: Family, members, access: FamilyAccess) -> dict:
    """The circle of care; the lead worker carries the `lead` role."""
    participants = []
    for m in members:
        roles = [{"text": m.role}] if m.role else []
        if m.is_lead:
            roles.insert(0, _concept(codes.CIRCLE_ROLE, "lead", codes.LEAD_LABEL))
        participants.append(
            {
                "role": roles,
                "member": _ref("Practitioner", m.practitioner_id, str(m.practitioner)),
                "onBehalfOf": _ref(
                    "Organization", m.team.organization_id, m.team.organization.name
                ),
                "period": {"start": _instant(m.joined_at)},
            }
        )
    return _compact(
        {
            "resourceType": "CareTeam",
            "id": str(family.id),
            "meta": _meta(family),
            "identifier": [_family_identifier(family)],
            "status": "active",
            "name": _("Circle of care"),
            "subject": patient_ref(first_caregiver(family), access),
            "participant": participants,
            "managingOrganization": [
                _ref(
                    "Organization",
                    family.recording_organization_id,
                    family.recording_organization.name,
                )
            ],
        }
    )


def goal(item, family: Family, access: FamilyAccess) -> dict:
    """A goal as selectors.plan gave it (already masked for a reader without identity)."""
    return _compact(
        {
            "resourceType": "Goal",
            "id": str(item.id),
            "meta": _meta(item),
            "lifecycleStatus": "completed" if item.is_achieved else "active",
            "achievementStatus": _concept(
                codes.GOAL_ACHIEVEMENT,
                "achieved" if item.is_achieved else "in-progress",
                _("Achieved") if item.is_achieved else _("In progress"),
            ),
            "category": [
                _concept(codes.DATA_CATEGORY, item.category, _label(Category, item.category))
            ],
            "description": {"text": item.goal},
            "subject": patient_ref(first_caregiver(family), access),
            "note": [{"text": item.need}] if item.need else [],
        }
    )


def care_plan(family: Family, plan_part: dict, access: FamilyAccess) -> dict:
    goals = plan_part.get("goals", [])
    activities = []
    for g in goals:
        for a in g.actions.all():
            activities.append(
                {
                    "detail": {
                        "status": codes.ACTIVITY_STATUS_OF.get(a.status, "unknown"),
                        "description": a.description,
                        "goal": [_ref("Goal", g.id)],
                        "scheduledPeriod": {"end": _day(a.due_date)} if a.due_date else None,
                        "performer": [
                            _ref("Practitioner", a.owner.practitioner_id, str(a.owner.practitioner))
                        ],
                    }
                }
            )
    return _compact(
        {
            "resourceType": "CarePlan",
            "id": str(family.id),
            "meta": _meta(family),
            "identifier": [_family_identifier(family)],
            "status": "active",
            "intent": "plan",
            "title": _("Shared plan"),
            "subject": patient_ref(first_caregiver(family), access),
            "careTeam": [_ref("CareTeam", family.id)],
            "goal": [_ref("Goal", g.id) for g in goals],
            "activity": activities,
        }
    )


def consent(item: Consent, family: Family, access: FamilyAccess) -> dict:
    """Scope patient-privacy, category information disclosure (v3 ActCode IDSCL); the
    organizations it lets information go to are the provision's recipients, the data
    categories its codes. Withdrawn or expired is `inactive`."""
    state = item.state()
    status = "inactive" if state in ("withdrawn", "expired") else "active"
    given_by = patient_ref(item.given_by, access)
    return _compact(
        {
            "resourceType": "Consent",
            "id": str(item.id),
            "meta": _meta(item),
            "status": status,
            "scope": _concept(codes.CONSENT_SCOPE, "patient-privacy", codes.CONSENT_SCOPE_LABEL),
            "category": [_concept(codes.ACT_CODE, "IDSCL", codes.ACT_CODE_LABELS["IDSCL"])],
            "patient": given_by,
            "dateTime": _instant(item.created_at),
            "performer": [given_by],
            "organization": [
                _ref(
                    "Organization",
                    family.recording_organization_id,
                    family.recording_organization.name,
                )
            ],
            "policyRule": {"text": item.purpose},
            "provision": {
                "type": "permit",
                "period": {
                    "start": _day(item.valid_from),
                    "end": _day(
                        item.withdrawn_at.date() if item.withdrawn_at else item.valid_until
                    ),
                },
                "actor": [
                    {
                        "role": _concept(codes.PARTICIPATION_TYPE, "IRCP", codes.RECIPIENT_LABEL),
                        "reference": _ref("Organization", org.id, org.name),
                    }
                    for org in item.organizations.all()
                ],
                "code": [
                    _concept(codes.DATA_CATEGORY, c, _label(Category, c))
                    for c in item.category_codes
                ],
            },
        }
    )


# --- referrals: ServiceRequest + Task, as the Gravity referral profile shapes them --------


def _urgency(referral) -> str:
    return "urgent" if referral.urgency == Urgency.URGENT else "routine"


def service_request(referral, access: FamilyAccess, mask: Mask) -> dict:
    offer = referral.service_offer
    return _compact(
        {
            "resourceType": "ServiceRequest",
            "id": str(referral.id),
            "meta": _meta(referral),
            "identifier": [{"system": f"{codes.OURS}:referral", "value": referral.reference}],
            "status": codes.SERVICE_REQUEST_STATUS_OF[referral.status],
            "intent": "order",
            "priority": _urgency(referral),
            "code": _concept(
                codes.SERVICE_TYPE, offer.service_type, _label(ServiceType, offer.service_type)
            )
            if offer
            else {"text": _("Referral")},
            "subject": patient_ref(first_caregiver(referral.family), access),
            "authoredOn": _instant(referral.requested_at or referral.created_at),
            "requester": _ref("Organization", referral.from_team_id, referral.from_team.name),
            "performer": [
                _ref("Organization", referral.to_team_id, referral.to_team.name),
                _ref("HealthcareService", offer.id, offer.name) if offer else None,
            ],
            "reasonCode": [{"text": mask(referral.reason)}],
            "note": [{"text": mask(referral.family_wishes)}] if referral.family_wishes else [],
            "supportingInfo": [],
        }
    )


def _status_reason(referral, mask: Mask, last_note: str) -> dict | None:
    if referral.status == Status.REJECTED:
        code = referral.reject_reason or RejectReason.OTHER
        reason = _concept(codes.REJECT_REASON, code, _label(RejectReason, code))
        if referral.reject_text:
            reason["text"] = mask(referral.reject_text)
        return reason
    if referral.status == Status.ON_HOLD:
        text = str(Status.ON_HOLD.label)
        if referral.on_hold_until:
            text = _("%(status)s until %(date)s") % {
                "status": text,
                "date": referral.on_hold_until.isoformat(),
            }
        return {"text": text}
    if referral.status in (Status.CANCELLED, Status.FAILED):
        return {"text": mask(last_note) or str(Status(referral.status).label)}
    return None


def task(referral, access: FamilyAccess, mask: Mask, last_note: str = "") -> dict:
    """The referral's Task: intent order, code fulfill, focus its ServiceRequest, the
    referring team requester and the receiving team owner."""
    status = codes.TASK_STATUS_OF[referral.status]
    business = None
    if referral.status == Status.RECEIVED:
        business = _concept(codes.REFERRAL_STATUS, codes.ACKNOWLEDGED, Status.RECEIVED.label)
    outputs = []
    if referral.outcome:
        outputs.append({"type": {"text": _("Outcome")}, "valueString": mask(referral.outcome)})
    return _compact(
        {
            "resourceType": "Task",
            "id": str(referral.id),
            "meta": _meta(referral),
            "identifier": [{"system": f"{codes.OURS}:referral", "value": referral.reference}],
            "status": status,
            "statusReason": _status_reason(referral, mask, last_note),
            "businessStatus": business,
            "intent": "order",
            "priority": _urgency(referral),
            "code": _concept(codes.TASK_CODE, "fulfill", codes.FULFILL_LABEL),
            "focus": _ref("ServiceRequest", referral.id),
            "for": patient_ref(first_caregiver(referral.family), access),
            "authoredOn": _instant(referral.requested_at or referral.created_at),
            "lastModified": _instant(referral.updated_at),
            "requester": _ref("Organization", referral.from_team_id, referral.from_team.name),
            "owner": _ref("Organization", referral.to_team_id, referral.to_team.name),
            "executionPeriod": {
                "start": _instant(referral.first_contact_at),
                "end": _instant(referral.closed_at),
            },
            "output": outputs,
        }
    )


# --- the access report ------------------------------------------------------------------

_AUDIT_ACTION = {
    Action.VIEWED: "R",
    Action.CREATED: "C",
    Action.UPDATED: "U",
    Action.DELETED: "D",
    Action.EXPORTED: "R",
}


def audit_event(event, family: Family, resource_id: str = "") -> dict:
    """One row of the family's access report: who, when, which parts, why (`event` as the
    report reads it: AuditEvent.about)."""
    details = event.details or {}
    parts = details.get("parts") or []
    purpose = []
    if details.get("break_glass"):
        purpose.append(_concept(codes.ACT_CODE, "BTG", codes.ACT_CODE_LABELS["BTG"]))
    if event.purpose:
        purpose.append({"text": event.purpose})
    return _compact(
        {
            "resourceType": "AuditEvent",
            "id": resource_id or str(event.id),
            "type": _coding(codes.AUDIT_EVENT_TYPE, "110110", _("Patient record")),
            "action": _AUDIT_ACTION.get(event.action, "E"),
            "recorded": _instant(event.at),
            "outcome": "0",
            "purposeOfEvent": purpose,
            "agent": [
                {
                    "who": {"display": event.actor_label or _("System")},
                    "requestor": True,
                    "network": {"address": event.ip_address, "type": "2"}
                    if event.ip_address
                    else None,
                }
            ],
            "source": {"observer": {"display": "Maillage"}},
            "entity": [
                {
                    "what": _ref("CareTeam", family.id),
                    "description": str(event.get_action_display()),
                    "detail": [{"type": "parts", "valueString": ", ".join(parts)}] if parts else [],
                }
            ],
        }
    )
