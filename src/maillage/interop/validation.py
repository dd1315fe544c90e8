"""Structure and types of FHIR resources, checked with `fhir.resources`' R4B models (see
docs/architecture.md for why R4B validates what we exchange as R4), and the reading of
what a partner sends: JSON, size, resource type, before anything is written."""

import json

from django.utils.translation import gettext as _
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError as PydanticError

# A referral or a status change is a few kilobytes; a transaction Bundle of a referral
# with its Task stays well under this.
MAX_BODY_BYTES = 1024 * 1024


class InvalidResource(Exception):  # noqa: N818 - a refusal, named for its reason
    """What a partner sent is not what we accept: answered as an OperationOutcome with
    `status` (400 unreadable, 413 too large, 422 not processable) and nothing written."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        code: str = "invalid",
        issues: list[tuple[str, str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        # (message, FHIRPath of the element at fault) of each problem, when there are several
        self.issues = issues or []


def problems(error: PydanticError) -> str:
    found = []
    for item in error.errors()[:10]:
        where = ".".join(str(p) for p in item.get("loc", ()))
        found.append(f"{where}: {item.get('msg', '')}" if where else item.get("msg", ""))
    return "; ".join(found)


def validate(resource: dict) -> dict:
    """Checks one resource against its FHIR model; returns it unchanged, or raises
    InvalidResource naming the elements at fault."""
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(kind, str):
        raise InvalidResource(_("The body is not a FHIR resource (no resourceType)."))
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError, AttributeError):
        raise InvalidResource(
            _("Unknown resource type “%(type)s”.") % {"type": kind[:60]}
        ) from None
    try:
        model.model_validate(resource)
    except PydanticError as error:
        raise InvalidResource(
            _("The %(type)s is not valid FHIR: %(problems)s")
            % {"type": kind, "problems": problems(error)},
            issues=[
                (
                    f"{where(kind, item.get('loc', ()))}: {item.get('msg', '')}",
                    where(kind, item.get("loc", ())),
                )
                for item in error.errors()[:10]
            ],
        ) from None
    return resource


def where(kind: str, loc) -> str:
    """A pydantic error's location as a FHIRPath: ("entry", 2, "resource", "name") of a
    Bundle is Bundle.entry[2].resource.name."""
    path = kind
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def read_json(request):
    """The request's JSON body: refused by its declared size before it is read, then by
    its real size, then if it is not JSON."""
    too_large = InvalidResource(
        _("The body is larger than %(size)s MB.") % {"size": MAX_BODY_BYTES // (1024 * 1024)},
        status=413,
        code="too-costly",
    )
    if declared_length(request) > MAX_BODY_BYTES:
        raise too_large
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise too_large
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidResource(
            _("The body is not valid JSON."), status=400, code="structure"
        ) from None
    return data


def read_body(request, *, expected: str | tuple[str, ...]) -> dict:
    """The request's JSON body as a resource of the expected type(s) (read_json first)."""
    data = read_json(request)
    if isinstance(expected, str):
        expected = (expected,)
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in expected:
        raise InvalidResource(
            _("Expected a %(expected)s, received “%(type)s”.")
            % {"expected": " / ".join(expected), "type": str(kind)[:60]}
        )
    return data
