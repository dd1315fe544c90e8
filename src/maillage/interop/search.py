"""Reading a FHIR search's parameters (the `forms.py` of the endpoint): what is not
supported is refused with the reason rather than silently ignored."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .envelope import SEARCHES
from .validation import InvalidResource

DEFAULT_COUNT = 20
MAX_COUNT = 100
# Search-result parameters FHIR clients send that change nothing here.
IGNORED = {"_format", "_pretty", "_total"}


@dataclass
class SearchParams:
    ids: list[uuid.UUID] | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    count: int = DEFAULT_COUNT
    cursor: uuid.UUID | None = None
    # Other parameters, by name: their values (a comma means "or", repeated means "and").
    values: dict[str, list[str]] = field(default_factory=dict)

    def references(self, name: str, kind: str) -> list[uuid.UUID] | None:
        """The ids named by a reference parameter (`owner=Organization/<id>` or `<id>`);
        None when the parameter is absent. A malformed one matches nothing."""
        if name not in self.values:
            return None
        found = []
        for value in self.values[name]:
            for item in value.split(","):
                item = item.strip()
                if "/" in item:
                    prefix, _slash, item = item.rpartition("/")
                    if prefix.rsplit("/", 1)[-1] != kind:
                        continue
                found.extend(_uuids([item], strict=False))
        return found

    def tokens(self, name: str) -> list[str] | None:
        if name not in self.values:
            return None
        return [t.strip() for v in self.values[name] for t in v.split(",") if t.strip()]


def _uuids(values, *, strict: bool) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            if strict:
                raise InvalidResource(
                    _("“%(value)s” is not an id of this server.") % {"value": value[:60]},
                    status=400,
                ) from None
    return found


def _instant(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise InvalidResource(
                _("_lastUpdated: “%(value)s” is not a date.") % {"value": text[:40]}, status=400
            )
        moment = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - made aware below
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse(kind: str, query) -> SearchParams:
    """The parameters of a search of `kind` from the query string (a QueryDict)."""
    params = SearchParams()
    allowed = SEARCHES[kind]
    for name, values in query.lists():
        if name in IGNORED:
            continue
        if name == "_id":
            params.ids = _uuids(
                [v.strip() for value in values for v in value.split(",") if v.strip()],
                strict=False,
            )
        elif name == "_lastUpdated" and kind != "AuditEvent":
            for value in values:
                prefix, text = value[:2], value[2:]
                if prefix in ("gt", "ge"):
                    params.updated_after = _instant(text)
                elif prefix in ("lt", "le"):
                    params.updated_before = _instant(text)
                else:
                    raise InvalidResource(
                        _("_lastUpdated takes the prefix gt, ge, lt or le."), status=400
                    )
        elif name == "_count":
            try:
                params.count = max(1, min(MAX_COUNT, int(values[-1])))
            except ValueError:
                raise InvalidResource(_("_count must be a number."), status=400) from None
        elif name == "_cursor":
            found = _uuids(values[-1:], strict=True)
            params.cursor = found[0] if found else None
        elif name in allowed:
            params.values[name] = values
        else:
            raise InvalidResource(
                _("Search parameter “%(name)s” is not supported for %(type)s.")
                % {"name": name[:60], "type": kind},
                status=400,
                code="not-supported",
            )
    return params
