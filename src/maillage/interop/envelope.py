"""What wraps resources: the searchset Bundle and its paging links, the OperationOutcome
of every error, and the CapabilityStatement that says what this server supports."""

from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import codes

# Resource type -> the search parameters we support beyond _id, _lastUpdated, _count.
SEARCHES: dict[str, dict[str, str]] = {
    "Organization": {"type": "token"},
    "Location": {"organization": "reference", "partof": "reference"},
    "HealthcareService": {"organization": "reference"},
    "Practitioner": {},
    "PractitionerRole": {"practitioner": "reference", "organization": "reference"},
    "Patient": {},
    "RelatedPerson": {"patient": "reference"},
    "CareTeam": {"patient": "reference"},
    "CarePlan": {"patient": "reference"},
    "Goal": {"patient": "reference"},
    "Consent": {"patient": "reference"},
    "ServiceRequest": {
        "patient": "reference",
        "requester": "reference",
        "performer": "reference",
    },
    "Task": {
        "owner": "reference",
        "requester": "reference",
        "status": "token",
        "patient": "reference",
        "focus": "reference",
    },
    "AuditEvent": {"patient": "reference"},
}
# What may be written: Task status changes (PUT, PATCH); referrals and directory updates
# arrive as transactions.
UPDATABLE = {"Task"}
DOCUMENTATION = {
    "Task": gettext_lazy(
        "A referral's Task (Gravity TaskForReferralManagement shape). The receiving team "
        "changes its status by PUT or PATCH; our referral transitions decide."
    ),
    "ServiceRequest": gettext_lazy(
        "A referral; created with its Task in a transaction Bundle, only where a consent in "
        "effect covers the receiving organization."
    ),
    "Patient": gettext_lazy(
        "A caregiver, or a child once born; names only where the consent covers identity."
    ),
    "Location": gettext_lazy(
        "An organization's main place (same id as the organization) or a team's point of "
        "service (same id as the team)."
    ),
    "RelatedPerson": gettext_lazy(
        "A caregiver, related to the family's first born child (or, before a birth, to its "
        "first caregiver); names only where the consent covers identity."
    ),
    "AuditEvent": gettext_lazy(
        "A family's access report, for those who may read it; search by patient."
    ),
}


def outcome(
    message: str,
    *,
    code: str = "invalid",
    severity: str = "error",
    issues: list[tuple[str, str]] | None = None,
) -> dict:
    """One issue, or one per (message, expression) problem: each names where it is."""
    if issues:
        return {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": severity,
                    "code": code,
                    "diagnostics": str(text),
                    "expression": [where],
                }
                for text, where in issues
            ],
        }
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": str(message)}],
    }


def transaction_response(done: list[tuple[str, str]]) -> dict:
    """The answer to a transaction: each entry's status and location, in its order."""
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [{"response": {"status": status, "location": where}} for status, where in done],
    }


def searchset(request, entries: list[dict], *, total: int | None, next_cursor: str | None) -> dict:
    """A page of a search. Paging is by key: `_cursor` is the last id of the page, the rows
    are in id order, so a row shows up exactly once even when others change meanwhile.
    `total` None: the search did not count every match, and the Bundle says no total
    (FHIR makes it optional)."""
    base = request.build_absolute_uri(request.path)
    params = [(k, v) for k, vs in request.GET.lists() for v in vs if k != "_cursor"]
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    links.append({"relation": "first", "url": f"{base}?{urlencode(params)}".rstrip("?")})
    if next_cursor:
        links.append(
            {"relation": "next", "url": f"{base}?{urlencode([*params, ('_cursor', next_cursor)])}"}
        )
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": timezone.now().isoformat(),
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": request.build_absolute_uri(
                    f"{request.path.rsplit('/', 1)[0]}/{resource['id']}"
                ),
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in entries
        ],
    }
    if total is None:
        del bundle["total"]
    return bundle


def capability_statement(request) -> dict:
    """Exactly what this server does: read and search of each type, with its parameters;
    update of Task; transaction for a new referral. JSON only, personal tokens."""
    common = [
        {"name": "_id", "type": "token"},
        {"name": "_lastUpdated", "type": "date", "documentation": _("gt and lt prefixes")},
        {"name": "_count", "type": "number", "documentation": _("at most 100")},
    ]
    resources = []
    for kind, params in SEARCHES.items():
        interactions = [{"code": "read"}, {"code": "search-type"}]
        if kind in UPDATABLE:
            interactions.append({"code": "update"})
            interactions.append({"code": "patch"})
        entry = {
            "type": kind,
            "interaction": interactions,
            "versioning": "no-version",
            "readHistory": False,
            "updateCreate": False,
            "searchParam": [
                *(p for p in common if kind != "AuditEvent" or p["name"] == "_count"),
                *({"name": name, "type": kind_} for name, kind_ in params.items()),
            ],
        }
        if kind in DOCUMENTATION:
            entry["documentation"] = str(DOCUMENTATION[kind])
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-01",
        "publisher": "Maillage",
        "kind": "instance",
        "software": {"name": "Maillage"},
        "implementation": {
            "description": _("Maillage FHIR R4 endpoint"),
            "url": request.build_absolute_uri("/fhir/R4"),
        },
        "fhirVersion": codes.FHIR_VERSION,
        "format": [codes.JSON, "json"],
        "patchFormat": ["application/json-patch+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": _(
                    "Poll Task by owner and _lastUpdated at least once per business day, "
                    "hourly recommended, never more often than every 15 minutes."
                ),
                "security": {
                    "service": [{"text": _("Personal API token: Authorization: Bearer")}],
                    "description": _(
                        "The same personal tokens and the same access rules as the rest of "
                        "Maillage: every read of a family is logged."
                    ),
                },
                "resource": resources,
                "interaction": [
                    {
                        "code": "transaction",
                        "documentation": _(
                            "A new referral (ServiceRequest and Task), or a directory update "
                            "(Organization, HealthcareService, Location, PractitionerRole; "
                            "coordinators and administrators): all or nothing."
                        ),
                    }
                ],
            }
        ],
    }
