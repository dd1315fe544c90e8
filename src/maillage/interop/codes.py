"""The code systems of what we exchange: the standard ones (FHIR, HL7 v3, terminology.hl7.org)
where one fits, ours for the product's own vocabularies, and how our statuses map to them.

Displays follow the request's language (French or English) through gettext."""

from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Sector
from maillage.families.models import ActionStatus, Category
from maillage.referrals.models import RejectReason, Status, Step

FHIR_VERSION = "4.0.1"
JSON = "application/fhir+json"

# Ours: urn: names rather than web addresses, since no address is ours to promise.
OURS = "urn:maillage:fhir"
DATA_CATEGORY = f"{OURS}:CodeSystem:data-category"
REJECT_REASON = f"{OURS}:CodeSystem:reject-reason"
REFERRAL_STATUS = f"{OURS}:CodeSystem:referral-status"
SECTOR = f"{OURS}:CodeSystem:sector"
SERVICE_TYPE = f"{OURS}:CodeSystem:service-type"
POPULATION = f"{OURS}:CodeSystem:population"
CIRCLE_ROLE = f"{OURS}:CodeSystem:circle-role"
TASK_INPUT = f"{OURS}:CodeSystem:task-input"
FAMILY_REFERENCE = f"{OURS}:family-reference"
PROFESSION = f"{OURS}:CodeSystem:profession"
LOCATION_TYPE = f"{OURS}:CodeSystem:location-type"
MEMBERSHIP_ROLE = f"{OURS}:CodeSystem:membership-role"

TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
AUDIT_EVENT_TYPE = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_EVENT_SUBTYPE = "http://hl7.org/fhir/restful-interaction"
LANGUAGE = "urn:ietf:bcp:47"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# FHIR's TaskStatus, as the Gravity referral profile allows it (no `ready`, no `received`).
TASK_STATUSES = {
    "draft": _("Draft"),
    "requested": _("Requested"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled"),
    "on-hold": _("On hold"),
    "in-progress": _("In progress"),
    "failed": _("Failed"),
    "completed": _("Completed"),
    "entered-in-error": _("Entered in error"),
}
# What a partner may set: a status our transition table knows. `entered-in-error` has no
# referral counterpart (a referral is cancelled, never erased).
SETTABLE_TASK_STATUSES = frozenset(TASK_STATUSES) - {"entered-in-error"}

# Our referral status -> Task.status. `received` ("acknowledged") is not an allowed Task
# status in the profile: it is `requested`, with the acknowledgement as businessStatus.
TASK_STATUS_OF: dict[str, str] = {
    Status.DRAFT: "draft",
    Status.REQUESTED: "requested",
    Status.RECEIVED: "requested",
    Status.ACCEPTED: "accepted",
    Status.REJECTED: "rejected",
    Status.ON_HOLD: "on-hold",
    Status.IN_PROGRESS: "in-progress",
    Status.COMPLETED: "completed",
    Status.CANCELLED: "cancelled",
    Status.FAILED: "failed",
}
# Task.status -> the referral statuses it stands for (a search by status).
REFERRAL_STATUSES_OF: dict[str, list[str]] = {}
for _ours, _theirs in TASK_STATUS_OF.items():
    REFERRAL_STATUSES_OF.setdefault(_theirs, []).append(str(_ours))

SERVICE_REQUEST_STATUS_OF = {
    Status.DRAFT: "draft",
    Status.REQUESTED: "active",
    Status.RECEIVED: "active",
    Status.ACCEPTED: "active",
    Status.ON_HOLD: "on-hold",
    Status.IN_PROGRESS: "active",
    Status.COMPLETED: "completed",
    Status.REJECTED: "revoked",
    Status.CANCELLED: "revoked",
    Status.FAILED: "revoked",
}
# The profile requires a reason for these statuses.
NEEDS_STATUS_REASON = frozenset({"rejected", "cancelled", "failed", "on-hold"})

ACTIVITY_STATUS_OF = {
    ActionStatus.TODO: "not-started",
    ActionStatus.IN_PROGRESS: "in-progress",
    ActionStatus.DONE: "completed",
    ActionStatus.CANCELLED: "cancelled",
}

ORGANIZATION_TYPE_OF_SECTOR = {
    Sector.HOSPITAL: "prov",
    Sector.PRIMARY_CARE: "prov",
    Sector.PRIVATE_PRACTICE: "prov",
    Sector.MUNICIPALITY: "govt",
    Sector.SCHOOL: "edu",
    Sector.COMMUNITY_ORGANIZATION: "cg",
}
ORGANIZATION_TYPE_LABELS = {
    "prov": _("Healthcare provider"),
    "govt": _("Government"),
    "edu": _("Educational institute"),
    "cg": _("Community group"),
    "team": _("Organizational team"),
}

LOCATION_TYPE_LABELS = {
    "main": _("Organization's main place"),
    "site": _("Team's point of service"),
}

ACT_CODE_LABELS = {"IDSCL": _("Information disclosure"), "BTG": _("Break the glass")}
CONSENT_SCOPE_LABEL = _("Privacy consent")
RECIPIENT_LABEL = _("Information recipient")
FULFILL_LABEL = _("Fulfill the focal request")
LEAD_LABEL = _("Lead worker")
ACKNOWLEDGED = "acknowledged"

# Task.input types a partner may send with a status change.
INPUT_FOLLOW_UP = "follow-up"
INPUT_EXPECTED_DATE = "expected-date"
INPUT_LABELS = {
    INPUT_FOLLOW_UP: _("After acceptance"),
    INPUT_EXPECTED_DATE: _("Expected date"),
}

RECEIVER_ACTS = frozenset(
    {Step.ACKNOWLEDGE, Step.ACCEPT, Step.REJECT, Step.HOLD, Step.START, Step.COMPLETE, Step.FAIL}
)

__all__ = [
    "ACT_CODE",
    "Category",
    "RejectReason",
]
