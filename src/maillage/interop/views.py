"""The FHIR R4 REST endpoint, /fhir/R4/: HTTP only. Personal API tokens (Bearer); JSON
(application/fhir+json); every error an OperationOutcome with its status: 401 without a
token, 404 missing or hidden alike, 403 an action refused on a visible resource, 400
unreadable, 413 too large, 422 not processable, 409 a step our rules do not allow."""

import functools
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from maillage.core.api_auth import PersonalTokenAuth
from maillage.core.errors import Conflict, IllegalTransition

from . import codes, envelope, patching, search, selectors, services
from .validation import InvalidResource, read_body, read_json

READ = {
    "Organization": selectors.read_organization,
    "Location": selectors.read_location,
    "HealthcareService": selectors.read_healthcare_service,
    "Practitioner": selectors.read_practitioner,
    "PractitionerRole": selectors.read_practitioner_role,
    "Patient": selectors.read_patient,
    "RelatedPerson": selectors.read_related_person,
    "CareTeam": selectors.read_care_team,
    "CarePlan": selectors.read_care_plan,
    "Goal": selectors.read_goal,
    "Consent": selectors.read_consent,
    "ServiceRequest": selectors.read_service_request,
    "Task": selectors.read_task,
    "AuditEvent": selectors.read_audit_event,
}
SEARCH = {
    "Organization": selectors.search_organizations,
    "Location": selectors.search_locations,
    "HealthcareService": selectors.search_healthcare_services,
    "Practitioner": selectors.search_practitioners,
    "PractitionerRole": selectors.search_practitioner_roles,
    "Patient": selectors.search_patients,
    "RelatedPerson": selectors.search_related_people,
    "CareTeam": selectors.search_care_teams,
    "CarePlan": selectors.search_care_plans,
    "Goal": selectors.search_goals,
    "Consent": selectors.search_consents,
    "ServiceRequest": selectors.search_service_requests,
    "Task": selectors.search_tasks,
    "AuditEvent": selectors.search_audit_events,
}


def respond(resource: dict, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(resource, ensure_ascii=False),
        status=status,
        content_type=f"{codes.JSON}; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error(status: int, message: str, code: str, issues=None, **headers) -> HttpResponse:
    return respond(envelope.outcome(message, code=code, issues=issues), status, **headers)


def _messages(failure: ValidationError) -> str:
    if hasattr(failure, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in failure.message_dict.items())
    return " ".join(failure.messages)


_token = PersonalTokenAuth()


def endpoint(view):
    """Token first, then the view; each refusal as an OperationOutcome, in one place."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = _token(request)
        if user is None:
            return error(
                401,
                _("A personal API token is required: Authorization: Bearer <token>."),
                "login",
                WWW_Authenticate='Bearer realm="fhir"',
            )
        try:
            return view(request, user, *args, **kwargs)
        except Http404:
            return error(404, _("No such resource."), "not-found")
        except PermissionDenied:
            return error(403, _("You may not do this to this resource."), "forbidden")
        except InvalidResource as refusal:
            return error(refusal.status, refusal.message, refusal.code, refusal.issues)
        except IllegalTransition as refusal:
            return error(409, str(refusal), "business-rule")
        except Conflict as refusal:
            return error(409, str(refusal), "conflict")
        except ValidationError as refusal:
            return error(422, _messages(refusal), "processing")

    return wrapper


def _not_allowed(request) -> HttpResponse:
    return error(
        405,
        _("%(method)s is not supported here.") % {"method": request.method},
        "not-supported",
    )


@csrf_exempt
def metadata(request):
    """The CapabilityStatement: public, it says nothing about anyone."""
    if request.method != "GET":
        return _not_allowed(request)
    return respond(envelope.capability_statement(request))


@endpoint
def root(request, user):
    """POST a transaction Bundle: a new referral (ServiceRequest + Task), or a directory
    update (Organization, HealthcareService, Location, PractitionerRole)."""
    if request.method != "POST":
        return _not_allowed(request)
    bundle = read_body(request, expected="Bundle")
    if services.is_directory_update(bundle):
        done = services.update_directory(by=user, bundle=bundle, request=request)
        return respond(envelope.transaction_response(done))
    referral = services.create_referral(by=user, bundle=bundle, request=request)
    return respond(
        envelope.transaction_response(
            [("201 Created", f"{kind}/{referral.id}") for kind in ("ServiceRequest", "Task")]
        )
    )


@endpoint
def resource_type(request, user, kind: str):
    if kind not in SEARCH:
        return error(
            404, _("This server does not serve %(type)s.") % {"type": kind[:60]}, "not-supported"
        )
    if request.method != "GET":
        return _not_allowed(request)
    params = search.parse(kind, request.GET)
    found = SEARCH[kind](user, params, request=request)
    return respond(
        envelope.searchset(
            request, found.resources, total=found.total, next_cursor=found.next_cursor
        )
    )


@endpoint
def instance(request, user, kind: str, resource_id: str):
    if kind not in READ:
        return error(
            404, _("This server does not serve %(type)s.") % {"type": kind[:60]}, "not-supported"
        )
    if request.method == "GET":
        return respond(READ[kind](user, resource_id, request=request))
    if kind != "Task" or request.method not in ("PUT", "PATCH"):
        return _not_allowed(request)
    referral = selectors.referral_for_update(user, resource_id, request=request)
    access = referral.family_access
    if request.method == "PUT":
        task = read_body(request, expected="Task")
    else:
        task = patching.apply(selectors.render_task(referral, access), read_json(request))
    referral = services.update_task(by=user, referral=referral, task=task, request=request)
    return respond(selectors.render_task(referral, access))
