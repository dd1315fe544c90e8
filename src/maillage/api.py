"""The root of the JSON API: /api/v1/, its OpenAPI document and docs page.

Errors are mapped to answers here, once for every app (DESIGN.md): bad input 422, missing or
hidden 404, a forbidden action on a visible object 403, an illegal transition or a lost race
409; always the body of `maillage.core.api_errors.ErrorOut`, and every operation documents
each of these answers.
"""

import json
from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from maillage.core.api_auth import api_auth
from maillage.core.api_errors import (
    ErrorOut,
    error_body,
    invalid_input_detail,
    request_error_items,
    validation_error_items,
)
from maillage.directory.api import router as directory_router
from maillage.evaluation.api import router as evaluation_router
from maillage.evaluation.exchange_api import router as evaluation_exchange_router
from maillage.families.api import router as families_router
from maillage.implementation.api import router as implementation_router
from maillage.referrals.api import router as referrals_router
from maillage.reviews.api import router as reviews_router
from maillage.training.api import router as training_router

# The domain's refusals that answer 409, recognised by name: each app declares its own
# (core.errors gathers them), and any subclass (a full session is an illegal sign-up) counts.
CONFLICT_NAMES = frozenset({"IllegalTransition", "Conflict"})

api = NinjaAPI(
    title="Maillage API",
    version="1.0.0",
    description=(
        "The Maillage JSON API. Authenticate with a personal access token created on the "
        "'API tokens' page: `Authorization: Bearer <token>`. Lists are paginated. Every "
        "error answers `{detail, errors: [{field, loc, message}]}`: 401 without a valid "
        "token, 404 for what is missing or not yours to see, 403 for an action you may not "
        "take on what you see, 409 for a step the current state forbids or a lost race, "
        "422 for bad input."
    ),
    auth=api_auth,
    urls_namespace="api-1.0.0",
)


def _answer(request, status: int, detail: str, errors: list[dict] | None = None, **more):
    return api.create_response(request, error_body(detail, errors, **more), status=status)


def _is_conflict(exc: BaseException) -> bool:
    return any(cls.__name__ in CONFLICT_NAMES for cls in type(exc).__mro__)


@api.exception_handler(RequestValidationError)
def _request_invalid(request, exc: RequestValidationError):
    items = request_error_items(exc.errors)
    return _answer(request, 422, invalid_input_detail(items), items)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    items = validation_error_items(exc)
    return _answer(request, 422, invalid_input_detail(items), items)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _answer(request, 404, _("Not found."))


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request, exc):
    return _answer(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _answer(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _answer(request, 401, _("A valid access token is required."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _answer(request, exc.status_code, str(exc))


@api.exception_handler(Exception)
def _other(request, exc: Exception):
    if _is_conflict(exc):
        return _answer(request, 409, str(exc) or _("This conflicts with the current state."))
    raise exc  # a bug: Django's handler logs it and answers 500


def _nul_in(value, loc: list) -> list | None:
    if isinstance(value, str):
        return loc if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return [*loc, key.replace("\x00", "")]
        found = _nul_in(item, [*loc, key])
        if found:
            return found
    return None


def _nul_location(request) -> list | None:
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return ["query", key.replace("\x00", "")]
    body = request.body
    if body and b"\\u0000" in body:
        try:
            return _nul_in(json.loads(body), ["body"])
        except ValueError:
            return None  # not JSON at all: the parser answers 400
    return None


def refuse_nul_characters(run):
    """No text the API receives may hold the NUL character: PostgreSQL cannot store it,
    and no person types it. Refused as bad input, naming where it was, before anything
    reads or writes."""

    @wraps(run)
    def checked(request, *args, **kwargs):
        loc = _nul_location(request)
        if loc is None:
            return run(request, *args, **kwargs)
        field = next((part for part in reversed(loc) if isinstance(part, str)), "")
        message = _("The NUL character cannot be stored.")
        item = {"field": field, "loc": loc, "message": message}
        return _answer(request, 422, invalid_input_detail([item]), [item])

    return checked


api.add_decorator(refuse_nul_characters, mode="view")

# What every operation may answer besides its own successes (400: a body that is not JSON).
READ_ERRORS = (401, 403, 404, 422)
WRITE_ERRORS = (400, *READ_ERRORS, 409)


def document_errors(routers: Iterable) -> None:
    """Adds the error answers to every operation of the routers (the OpenAPI document, and
    the check of what an operation returns), unless the operation declares its own."""
    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                writes = set(operation.methods) - {"GET", "HEAD", "OPTIONS"}
                for status in WRITE_ERRORS if writes else READ_ERRORS:
                    if status not in operation.response_models:
                        model = operation._create_response_model(ErrorOut)
                        operation.response_models[status] = model


ROUTERS = {
    "/directory/": directory_router,
    "/reviews/": reviews_router,
    "/families/": families_router,
    "/training/": training_router,
    "/referrals/": referrals_router,
    "/implementation/": implementation_router,
    "/evaluation/": evaluation_router,
    "/evaluation/exchange/": evaluation_exchange_router,
}
document_errors(ROUTERS.values())
for prefix, router in ROUTERS.items():
    api.add_router(prefix, router)
