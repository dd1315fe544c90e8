"""Dates that people and programs send: within a range that makes sense, or refused with a
message naming the field.

Every date the product accepts lies between 1900-01-01 and 2100-12-31 (each field may narrow
it: no future date of birth, no timeline entry in the future). Beyond that a date is a typo or
an attack, and it breaks more than its own row: converting year 1 or year 9999 to local time
overflows, so one such row would make a page fail for good. The same bounds serve the forms
(`DateField`, `DateTimeField`: a page's period in its query string goes through them too,
and falls back to its default when out of range), the JSON API's schemas and query
parameters (`ApiDate`, `ApiDateTime`), and the services (`is_in_range`, `check_in_range`).
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

# The OpenAPI document says the same thing as the validators: a year from 1900 to 2100.
_YEAR_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-"


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def out_of_range_message(label: str, earliest: date = EARLIEST, latest: date = LATEST) -> str:
    return _("%(field)s: enter a date between %(earliest)s and %(latest)s.") % {
        "field": label,
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
    }


def is_in_range(value: date | datetime | None, earliest=EARLIEST, latest=LATEST) -> bool:
    return value is None or earliest <= _as_date(value) <= latest


def check_in_range(
    value: date | datetime | None,
    *,
    field: str,
    label: str | None = None,
    earliest: date = EARLIEST,
    latest: date = LATEST,
) -> None:
    """Raises ValidationError({field: message}) for a date outside [earliest, latest]."""
    if not is_in_range(value, earliest, latest):
        raise ValidationError(
            {field: out_of_range_message(str(label or field), earliest, latest)}, code="date_range"
        )


# --- forms -------------------------------------------------------------------------------


class _Bounded:
    """Form field mixin: the value must fall within [earliest, latest]; the browser's date
    picker gets the same bounds."""

    earliest: date = EARLIEST
    latest: date = LATEST

    def __init__(self, *args, earliest: date | None = None, latest: date | None = None, **kw):
        self.earliest = earliest or self.earliest
        self.latest = latest or self.latest
        super().__init__(*args, **kw)

    def validate(self, value) -> None:
        super().validate(value)  # type: ignore[misc]
        if not is_in_range(value, self.earliest, self.latest):
            raise ValidationError(
                out_of_range_message(str(self.label or ""), self.earliest, self.latest),  # type: ignore[attr-defined]
                code="date_range",
            )


class DateField(_Bounded, forms.DateField):
    def widget_attrs(self, widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if widget.input_type == "date":
            attrs.update(min=self.earliest.isoformat(), max=self.latest.isoformat())
        return attrs


class DateTimeField(_Bounded, forms.DateTimeField):
    def widget_attrs(self, widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if widget.input_type == "datetime-local":
            attrs.update(min=f"{self.earliest.isoformat()}T00:00", max=f"{self.latest}T23:59")
        return attrs


# --- the JSON API ------------------------------------------------------------------------


def _api_check(value: date | datetime, info: ValidationInfo) -> date | datetime:
    if not is_in_range(value):
        raise ValueError(out_of_range_message(info.field_name or _("date")))
    return value


def _iso_only(value: Any, info: ValidationInfo) -> Any:
    # pydantic would also read a number as a Unix timestamp ("0" is 1970-01-01): the
    # document promises an ISO 8601 text, so that is what is accepted.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(_("%(field)s: write the date as YYYY-MM-DD.") % {"field": info.field_name})
    return value


_API_FIELD = Field(
    json_schema_extra={"pattern": _YEAR_PATTERN},
    description="From 1900-01-01 to 2100-12-31.",
)
ApiDate = Annotated[date, BeforeValidator(_iso_only), AfterValidator(_api_check), _API_FIELD]
ApiDateTime = Annotated[
    datetime, BeforeValidator(_iso_only), AfterValidator(_api_check), _API_FIELD
]
