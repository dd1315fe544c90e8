"""Reading a directory update, a FHIR transaction Bundle of Organization, HealthcareService,
Location and PractitionerRole entries, into the rows of the directory's own import
(directory.csv_io.import_rows): the CSV import's one rule then checks every row and writes
all of them or none. Every problem is named back by its entry (`Bundle.entry[i]`).

Each resource type gives the columns it carries (what we serve of it); the columns it does
not carry (an organization's description, a team's mandate…) stay as they are. A PUT
changes what exists (its id is ours); a POST creates (its code, in `identifier`, is new);
entries may reference each other by `fullUrl`.
"""

import uuid
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from maillage.directory.csv_io import SPEC_BY_KIND
from maillage.directory.models import (
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    ServiceOffer,
    Team,
)

from . import codes

TYPES = ("Organization", "HealthcareService", "Location", "PractitionerRole")
ORGANIZATIONS, TEAMS, OFFERS, MEMBERSHIPS = (
    "organizations",
    "teams",
    "service_offers",
    "memberships",
)

# (resource type, import column) -> the element that carries it, to name a problem.
ELEMENTS = {
    "Organization": {
        "code": "identifier",
        "name": "name",
        "sector": "type",
        "phone": "telecom",
        "website": "telecom",
        "email": "telecom",
        "address": "address",
        "site": "alias",
        "organization_code": "partOf",
    },
    "HealthcareService": {
        "code": "identifier",
        "team_code": "providedBy",
        "name": "name",
        "service_type": "type",
        "populations": "eligibility.code",
        "eligibility": "eligibility.comment",
        "how_to_refer": "comment",
        "languages": "communication",
        "territory": "coverageArea",
        "active": "active",
    },
    "Location": {
        "address": "address.text",
        "territory": "address.district",
        "site": "name",
        "organization_code": "managingOrganization",
    },
    "PractitionerRole": {
        "practitioner_email": "practitioner",
        "team_code": "organization",
        "role": "code",
        "title": "code.text",
    },
}


@dataclass
class Problem:
    entry: int
    resource_type: str
    element: str
    reason: str

    def message(self) -> str:
        where = f"Bundle.entry[{self.entry}] ({self.resource_type})"
        return (
            f"{where}: {self.element}: {self.reason}" if self.element else f"{where}: {self.reason}"
        )

    def expression(self) -> str:
        base = f"Bundle.entry[{self.entry}]"
        return f"{base}.resource.{self.element}" if self.element else base


class Refused(Exception):  # noqa: N818 - a refusal, named for its reason
    def __init__(self, problem: Problem):
        super().__init__(problem.reason)
        self.problem = problem


@dataclass
class Entry:
    index: int
    resource_type: str
    method: str
    resource: dict
    full_url: str
    kind: str = ""  # the import's kind this entry changes
    key: str = ""  # its key there: a code, or "email|team code" for a membership
    existing_id: uuid.UUID | None = None


@dataclass
class Row:
    position: int
    values: dict[str, str]
    origin: dict[str, int] = field(default_factory=dict)  # column -> entry index


@dataclass
class DirectoryUpdate:
    entries: list[Entry]
    rows: dict[str, dict[str, Row]]
    problems: list[Problem]

    def import_rows(self) -> dict[str, list[tuple[int, dict]]]:
        return {
            kind: [(row.position, row.values) for row in by_key.values()]
            for kind, by_key in self.rows.items()
        }

    def problem_of(self, position: int, column: str, reason: str) -> Problem:
        """A problem the import found in a row (its position: its first entry's index + 1,
        unique across kinds), named by the entry that gave the column."""
        found = (r for rows in self.rows.values() for r in rows.values() if r.position == position)
        row = next(found, None)
        index = row.origin.get(column, position - 1) if row else max(position - 1, 0)
        entry = self.entries[index]
        element = ELEMENTS[entry.resource_type].get(column, "")
        return Problem(entry.index, entry.resource_type, element, reason)


def _ours(reference) -> tuple[str, str]:
    """("Type", "id") of a reference such as `Organization/<id>` (or an absolute one)."""
    text = str((reference or {}).get("reference", "")) if isinstance(reference, dict) else ""
    parts = text.rstrip("/").split("/")
    return (parts[-2], parts[-1]) if len(parts) >= 2 else ("", text)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _identifier(resource: dict, system: str) -> str:
    for item in resource.get("identifier") or []:
        if item.get("system") == system and item.get("value"):
            return str(item["value"])
    return ""


def _codes(concepts, system: str) -> list[str]:
    return [
        str(coding.get("code", ""))
        for concept in concepts or []
        for coding in (concept or {}).get("coding") or []
        if coding.get("system") == system and coding.get("code")
    ]


def _telecom(resource: dict, system: str) -> str:
    found = [t.get("value", "") for t in resource.get("telecom") or [] if t.get("system") == system]
    return found[0] if found else ""


def _is_team(resource: dict) -> bool:
    return "team" in _codes(resource.get("type"), codes.ORGANIZATION_TYPE)


class _Reader:
    """One pass to name what each entry changes (kind, key), so that entries can reference
    each other by fullUrl; a second to read each entry's columns."""

    def __init__(self, bundle: dict):
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []
        self.by_url: dict[str, Entry] = {}
        for index, item in enumerate(bundle.get("entry") or []):
            resource = item.get("resource") or {}
            request = item.get("request") or {}
            entry = Entry(
                index=index,
                resource_type=str(resource.get("resourceType", "")),
                method=str(request.get("method", "")),
                resource=resource,
                full_url=str(item.get("fullUrl", "")),
            )
            self.entries.append(entry)
            try:
                self._identify(entry, str(request.get("url", "")))
            except Refused as refusal:
                self.problems.append(refusal.problem)
            if entry.full_url:
                self.by_url[entry.full_url] = entry

    def refuse(self, entry: Entry, element: str, reason: str) -> Refused:
        return Refused(Problem(entry.index, entry.resource_type, element, reason))

    # --- what each entry changes ---------------------------------------------------------

    def _identify(self, entry: Entry, url: str) -> None:
        kind = entry.resource_type
        if kind not in TYPES:
            raise self.refuse(
                entry,
                "",
                _(
                    "a directory update holds Organization, HealthcareService, Location and "
                    "PractitionerRole entries only"
                ),
            )
        if entry.method == "PUT":
            url_type, url_id = _ours({"reference": url})
            pk = _uuid(url_id)
            if url_type != kind or pk is None:
                raise self.refuse(
                    entry, "", _("request.url must be %(type)s/<id>") % {"type": kind}
                )
            if entry.resource.get("id") and entry.resource["id"] != url_id:
                raise self.refuse(entry, "id", _("the id differs from the one in request.url"))
            entry.existing_id = pk
            self._existing(entry, pk)
        elif entry.method == "POST":
            self._new(entry)
        else:
            raise self.refuse(entry, "", _("request.method must be POST (create) or PUT (change)"))

    def _existing(self, entry: Entry, pk: uuid.UUID) -> None:
        kind, resource = entry.resource_type, entry.resource
        not_found = self.refuse(entry, "", _("no such %(type)s here") % {"type": kind})
        if kind in ("Organization", "Location"):
            org = Organization.objects.filter(id=pk).values_list("code", flat=True).first()
            team = (
                None if org else Team.objects.filter(id=pk).values_list("code", flat=True).first()
            )
            if org is None and team is None:
                raise not_found
            if kind == "Organization" and bool(team) != _is_team(resource):
                raise self.refuse(
                    entry, "type", _("an organization and a team cannot change into each other")
                )
            entry.kind, entry.key = (TEAMS, team) if team else (ORGANIZATIONS, org)
            system = f"{codes.OURS}:team-code" if team else f"{codes.OURS}:organization-code"
        elif kind == "HealthcareService":
            code = ServiceOffer.objects.filter(id=pk).values_list("code", flat=True).first()
            if code is None:
                raise not_found
            entry.kind, entry.key, system = OFFERS, code, f"{codes.OURS}:service-code"
        else:
            found = (
                Membership.objects.filter(id=pk)
                .values_list("practitioner__email", "team__code")
                .first()
            )
            if found is None:
                raise not_found
            entry.kind, entry.key, system = MEMBERSHIPS, "|".join(found), ""
        given = _identifier(resource, system) if system else ""
        if given and given != entry.key:
            raise self.refuse(
                entry, "identifier", _("the code is this row's key and cannot change")
            )

    def _new(self, entry: Entry) -> None:
        kind, resource = entry.resource_type, entry.resource
        if kind == "Location":
            raise self.refuse(
                entry,
                "",
                _(
                    "a Location is an organization's place or a team's site: change it with "
                    "PUT Location/<id of the organization or team>"
                ),
            )
        if kind == "PractitionerRole":
            entry.kind = MEMBERSHIPS
            return  # its key needs the references, read in the second pass
        if kind == "HealthcareService":
            entry.kind, system = OFFERS, f"{codes.OURS}:service-code"
        elif _is_team(resource):
            entry.kind, system = TEAMS, f"{codes.OURS}:team-code"
        else:
            entry.kind, system = ORGANIZATIONS, f"{codes.OURS}:organization-code"
        entry.key = _identifier(resource, system)
        if not entry.key:
            raise self.refuse(
                entry,
                "identifier",
                _("a new one needs its code: identifier with system %(system)s")
                % {"system": system},
            )

    # --- references -------------------------------------------------------------------

    def _key_of(self, entry: Entry, reference, element: str, wanted: str) -> str:
        """The code of the organization / team (or the e-mail of the practitioner) that a
        reference names: one of ours, or an entry of this Bundle by its fullUrl."""
        url = str((reference or {}).get("reference", ""))
        if url in self.by_url and self.by_url[url].kind == wanted:
            return self.by_url[url].key
        _type, ident = _ours(reference)
        pk = _uuid(ident)
        model = {ORGANIZATIONS: Organization, TEAMS: Team}.get(wanted)
        if pk is not None and model is not None:
            found = model.objects.filter(id=pk).values_list("code", flat=True).first()
        elif pk is not None:
            found = Practitioner.objects.filter(id=pk).values_list("email", flat=True).first()
        else:
            found = None
        if not found:
            what = {
                ORGANIZATIONS: _("one of our organizations"),
                TEAMS: _("one of our teams"),
            }.get(wanted, _("one of our practitioners"))
            raise self.refuse(entry, element, _("must reference %(what)s") % {"what": what})
        return found

    # --- columns ------------------------------------------------------------------------

    def columns(self, entry: Entry) -> dict[str, str]:
        """The import's columns this entry carries: those whose element it has (an element
        left out changes nothing); a new row gets its required columns, empty if missing,
        for the import to name them."""
        found = {k: v for k, v in self._elements(entry).items() if v is not None}
        if entry.method == "POST":
            for column in SPEC_BY_KIND[entry.kind].columns:
                if column.required and column.name not in found:
                    found[column.name] = ""
        return found

    def _elements(self, entry: Entry) -> dict[str, str | None]:
        r = entry.resource

        def has(name: str, value):
            return value if name in r else None

        if entry.resource_type == "Organization" and entry.kind == ORGANIZATIONS:
            sectors = _codes(r.get("type"), codes.SECTOR)
            return {
                "name": r.get("name"),
                "sector": sectors[0] if sectors else None,
                "phone": has("telecom", _telecom(r, "phone")),
                "website": has("telecom", _telecom(r, "url")),
                "address": has("address", ((r.get("address") or [{}])[0] or {}).get("text", "")),
            }
        if entry.resource_type == "Organization":
            return {
                "organization_code": self._key_of(entry, r.get("partOf"), "partOf", ORGANIZATIONS)
                if "partOf" in r or entry.method == "POST"
                else self._parent_of(entry),
                "name": r.get("name"),
                "site": has("alias", (r.get("alias") or [""])[0]),
                "phone": has("telecom", _telecom(r, "phone")),
                "email": has("telecom", _telecom(r, "email")),
            }
        if entry.resource_type == "HealthcareService":
            eligibility = r.get("eligibility") or []
            comments = [e.get("comment", "") for e in eligibility if e.get("comment")]
            types = _codes(r.get("type"), codes.SERVICE_TYPE)
            other_types = [t for c in r.get("type") or [] for t in [c.get("text")] if t]
            populations = _codes([e.get("code") for e in eligibility], codes.POPULATION)
            return {
                "team_code": self._key_of(entry, r.get("providedBy"), "providedBy", TEAMS)
                if "providedBy" in r or entry.method == "POST"
                else self._parent_of(entry),
                "name": r.get("name"),
                # A type outside our code system is named back rather than ignored.
                "service_type": types[0]
                if types
                else (other_types[0] if other_types else None)
                if "type" in r
                else None,
                "populations": has("eligibility", ";".join(populations)),
                "eligibility": has("eligibility", comments[0] if comments else ""),
                "how_to_refer": r.get("comment"),
                "languages": has(
                    "communication", ";".join(_codes(r.get("communication"), codes.LANGUAGE))
                ),
                "territory": has(
                    "coverageArea", ((r.get("coverageArea") or [{}])[0] or {}).get("display", "")
                ),
                "active": has("active", "yes" if r.get("active") else "no"),
            }
        if entry.resource_type == "Location":
            address = r.get("address") or {}
            district = address.get("district") if "address" in r else None
            if entry.kind == ORGANIZATIONS:
                return {
                    "address": address.get("text") if "address" in r else None,
                    "territory": district,
                }
            return {
                "organization_code": self._parent_of(entry),
                "site": r.get("name"),
                "territory": district,
            }
        # PractitionerRole: the whole membership, its role and title.
        roles = _codes(r.get("code"), codes.MEMBERSHIP_ROLE)
        titles = [
            c.get("text", "") for c in r.get("code") or [] if c.get("text") and not c.get("coding")
        ]
        values = {
            "practitioner_email": self._key_of(entry, r.get("practitioner"), "practitioner", ""),
            "team_code": self._key_of(entry, r.get("organization"), "organization", TEAMS),
            "role": roles[0] if roles else MembershipRole.MEMBER,
            "title": titles[0] if titles else "",
        }
        key = f"{values['practitioner_email']}|{values['team_code']}"
        if entry.key and key != entry.key:
            raise self.refuse(
                entry, "practitioner", _("a membership cannot move to another person or team")
            )
        entry.key = key
        return values

    def _parent_of(self, entry: Entry) -> str:
        """The current organization of a team, or team of a service (the import checks
        that an update does not move them: it needs the column)."""
        if entry.kind == TEAMS:
            found = Team.objects.filter(code=entry.key).values_list("organization__code", flat=True)
        else:
            found = ServiceOffer.objects.filter(code=entry.key).values_list("team__code", flat=True)
        return found.first() or ""


def read(bundle: dict) -> DirectoryUpdate:
    """Every entry read into rows of the directory's import, merged by row (an
    Organization and its Location change one organization); every problem found."""
    reader = _Reader(bundle)
    rows: dict[str, dict[str, Row]] = {}
    for entry in reader.entries:
        if not entry.kind:
            continue
        try:
            values = reader.columns(entry)
        except Refused as refusal:
            reader.problems.append(refusal.problem)
            continue
        key_column = {MEMBERSHIPS: ""}.get(entry.kind, "code")
        if key_column:
            values[key_column] = entry.key
        by_key = rows.setdefault(entry.kind, {})
        row = by_key.get(entry.key)
        if row is None:
            by_key[entry.key] = Row(entry.index + 1, values, dict.fromkeys(values, entry.index))
            continue
        for column, value in values.items():
            if column in row.values and row.values[column] != value:
                reader.problems.append(
                    Problem(
                        entry.index,
                        entry.resource_type,
                        ELEMENTS[entry.resource_type].get(column, ""),
                        _("says otherwise than entry %(other)d") % {"other": row.origin[column]},
                    )
                )
            row.values[column] = value
            row.origin.setdefault(column, entry.index)
    return DirectoryUpdate(reader.entries, rows, reader.problems)


def created_or_changed(update: DirectoryUpdate) -> list[tuple[Entry, str]]:
    """(entry, "<type>/<id>") of each entry once written: its location in the response."""
    out = []
    for entry in update.entries:
        if entry.kind == MEMBERSHIPS:
            email, team = entry.key.split("|", 1)
            pk = Membership.objects.filter(practitioner__email=email, team__code=team).values_list(
                "id", flat=True
            )
        else:
            model = {ORGANIZATIONS: Organization, TEAMS: Team, OFFERS: ServiceOffer}[entry.kind]
            pk = model.objects.filter(code=entry.key).values_list("id", flat=True)
        out.append((entry, f"{entry.resource_type}/{pk.first()}"))
    return out
