"""The one shape of an error answer of the JSON API, and how errors become that shape.

Every refusal answers `{"detail": "...", "errors": [{"field": ..., "loc": [...],
"message": ...}, ...]}`: `detail` says what went wrong in a sentence, `errors` lists the
fields at fault (empty when no field is). The mapping from exceptions to statuses is in
`maillage.api`; this module holds the shape so that an app can answer it too.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict


class ErrorItem(Schema):
    field: str  # the field at fault, "" for the request as a whole
    loc: list[str | int] = []  # where it is: ["body", "payload", "occurred_at"], ["query", "page"]
    message: str


class ErrorOut(Schema):
    # An answer may say more (the findings of the de-identification guard, for one).
    model_config = ConfigDict(extra="allow")

    detail: str
    errors: list[ErrorItem] = []


def error_body(detail: str, errors: list[dict] | None = None, **more) -> dict:
    return {"detail": detail, "errors": errors or [], **more}


def validation_error_items(error: ValidationError) -> list[dict]:
    """A Django ValidationError as error items, one per message, each naming its field."""
    if hasattr(error, "error_dict"):
        return [
            {
                "field": "" if field == NON_FIELD_ERRORS else field,
                "loc": ["body"] if field == NON_FIELD_ERRORS else ["body", field],
                "message": message,
            }
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "loc": ["body"], "message": m} for m in error.messages]


def request_error_items(errors: list[dict]) -> list[dict]:
    """The errors of ninja's request validation (pydantic's) as error items."""
    items = []
    for e in errors:
        loc = [part for part in e.get("loc", ()) if isinstance(part, str | int)]
        # ninja puts the whole payload's name second ("body", "payload", "field"): the field
        # is the last name in the path.
        names = [part for part in loc[1:] if isinstance(part, str)]
        message = str(e.get("msg", "")).removeprefix("Value error, ")
        items.append({"field": names[-1] if names else "", "loc": loc, "message": message})
    return items


def invalid_input_detail(items: list[dict]) -> str:
    if len(items) == 1 and items[0]["field"]:
        return _("Invalid input: %(message)s") % {"message": items[0]["message"]}
    return _("Invalid input.")
