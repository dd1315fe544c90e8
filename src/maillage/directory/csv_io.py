"""CSV import and export of the directory.

The exchange format is a ZIP of five CSV files (organizations, teams, service offers,
practitioners, memberships), or any one of them alone. Rows are recognised by their key
(`code`, or `email` for practitioners): a known key updates the row, a new one creates it;
nothing is deleted. Multi-valued columns (languages, populations) separate codes with ";".

Imports are all-or-nothing: every row of every file is checked first, and a file with any
bad row writes nothing and gets a report naming file, row, column and reason.
"""

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core import csv_export
from maillage.core.text import fold
from maillage.core.tokens import join_codes, split_codes

from . import indexing
from .models import (
    ContactPreference,
    Language,
    Membership,
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
from .services import refresh_team_search_text

Progress = Callable[[str, int, int], None]


@dataclass
class RowError:
    file: str
    row: int  # line number in the file, the header being line 1; 0 for the whole file
    column: str
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += _(", row %(row)d") % {"row": self.row}
        if self.column:
            where += _(", column “%(column)s”") % {"column": self.column}
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [
            _("%(kind)s: %(created)d created, %(updated)d updated")
            % {
                "kind": kind,
                "created": self.created.get(kind, 0),
                "updated": self.updated.get(kind, 0),
            }
            for kind in KIND_ORDER
            if self.created.get(kind) or self.updated.get(kind)
        ]
        return _("Import complete. ") + ("; ".join(parts) if parts else _("nothing changed."))


# ---------------------------------------------------------------------------------------
# Column specifications: one per file kind.


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Codes and labels (French and English, folded) all lead to the code."""
    lookup = {code: code for code in choices.values}
    for language in ("fr", "en"):
        with translation.override(language):
            for code, label in choices.choices:
                lookup[fold(str(label))] = code
    return lookup


@dataclass
class Column:
    name: str
    required: bool = False
    kind: str = "text"  # text, email, url, int, bool, choice, choices
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None


@dataclass
class FileSpec:
    kind: str
    filename: str
    key: str
    columns: list[Column]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


SPECS = [
    FileSpec(
        "organizations",
        "organizations.csv",
        "code",
        [
            Column("code", required=True, max_length=60),
            Column("name", required=True, max_length=200),
            Column("sector", required=True, kind="choice", choices=Sector),
            Column("address", max_length=300),
            Column("territory", max_length=120),
            Column("phone", max_length=40),
            Column("website", kind="url"),
            Column("description"),
        ],
    ),
    FileSpec(
        "teams",
        "teams.csv",
        "code",
        [
            Column("code", required=True, max_length=80),
            Column("organization_code", required=True, max_length=60),
            Column("name", required=True, max_length=200),
            Column("site", max_length=200),
            Column("territory", max_length=120),
            Column("phone", max_length=40),
            Column("email", kind="email"),
            Column("languages", kind="choices", choices=Language),
            Column("mandate"),
        ],
    ),
    FileSpec(
        "service_offers",
        "service_offers.csv",
        "code",
        [
            Column("code", required=True, max_length=100),
            Column("team_code", required=True, max_length=80),
            Column("name", required=True, max_length=200),
            Column("service_type", required=True, kind="choice", choices=ServiceType),
            Column("populations", kind="choices", choices=Population),
            Column("eligibility"),
            Column("how_to_refer"),
            Column("languages", kind="choices", choices=Language),
            Column("territory", max_length=120),
            Column("expected_wait_days", kind="int"),
            Column("active", kind="bool"),
        ],
    ),
    FileSpec(
        "practitioners",
        "practitioners.csv",
        "email",
        [
            Column("email", required=True, kind="email"),
            Column("first_name", required=True, max_length=100),
            Column("last_name", required=True, max_length=100),
            Column("phone", max_length=40),
            Column("profession", required=True, kind="choice", choices=Profession),
            Column("languages", kind="choices", choices=Language),
            Column("contact_preference", kind="choice", choices=ContactPreference),
        ],
    ),
    FileSpec(
        "memberships",
        "memberships.csv",
        "",
        [
            Column("practitioner_email", required=True, kind="email"),
            Column("team_code", required=True, max_length=80),
            Column("role", kind="choice", choices=MembershipRole),
            Column("title", max_length=150),
        ],
    ),
]
SPEC_BY_KIND = {spec.kind: spec for spec in SPECS}
KIND_ORDER = [spec.kind for spec in SPECS]
TRUE_WORDS = {"1", "true", "yes", "oui", "vrai", "y", "o"}
FALSE_WORDS = {"0", "false", "no", "non", "faux", "n"}


# ---------------------------------------------------------------------------------------
# Reading and checking.


@dataclass
class ParsedFile:
    spec: FileSpec
    name: str
    rows: list[tuple[int, dict]]  # (line number, cleaned values)


def _decode(name: str, raw: bytes, errors: list[RowError]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(
            RowError(
                name,
                0,
                "",
                _(
                    "the file is not encoded in UTF-8 (invalid byte at position %(pos)d); "
                    "save it as “CSV UTF-8” and try again"
                )
                % {"pos": exc.start},
            )
        )
        return None


def _spec_for(name: str, header: list[str]) -> FileSpec | None:
    base = name.rsplit("/", 1)[-1].lower()
    for spec in SPECS:
        if base == spec.filename:
            return spec
    # A lone CSV with another name is recognised by its columns.
    for spec in SPECS:
        if {c.name for c in spec.columns if c.required} <= set(header):
            return spec
    return None


def _clean_value(col: Column, raw: str, lookups: dict) -> tuple[object, str | None]:
    """The value to store and, if it is bad, why. A formula cell our export neutralized
    (a leading apostrophe) is read back as it was."""
    value = csv_export.restore(raw.strip()).strip()
    if not value:
        if col.required:
            return None, _("this field is required")
        if col.kind == "int":
            return None, None
        if col.kind == "bool":
            return True, None
        return "", None
    if col.max_length and len(value) > col.max_length:
        return None, ngettext(
            "too long (%(n)d character, at most %(max)d)",
            "too long (%(n)d characters, at most %(max)d)",
            len(value),
        ) % {"n": len(value), "max": col.max_length}
    if col.kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            return None, _("“%(value)s” is not a valid e-mail address") % {"value": value}
        return value.lower(), None
    if col.kind == "url":
        try:
            URLValidator()(value)
        except ValidationError:
            return None, _("“%(value)s” is not a valid web address") % {"value": value}
        return value, None
    if col.kind == "int":
        if not value.isdigit():
            return None, _("“%(value)s” is not a whole number") % {"value": value}
        return int(value), None
    if col.kind == "bool":
        word = value.lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, _("“%(value)s” is not yes or no") % {"value": value}
    if col.kind == "choice":
        code = lookups[col.name].get(fold(value)) or lookups[col.name].get(value)
        if code is None:
            return None, _("unknown value “%(value)s” (expected one of: %(codes)s)") % {
                "value": value,
                "codes": ", ".join(col.choices.values),
            }
        return code, None
    if col.kind == "choices":
        codes = []
        for part in value.replace(",", ";").split(";"):
            if not part.strip():
                continue
            code = lookups[col.name].get(fold(part)) or lookups[col.name].get(part.strip())
            if code is None:
                return None, _("unknown value “%(value)s” (expected codes among: %(codes)s)") % {
                    "value": part.strip(),
                    "codes": ", ".join(col.choices.values),
                }
            codes.append(code)
        return join_codes(codes), None
    return value, None


def _clean_rows(
    spec: FileSpec, name: str, records: list[tuple[int, dict]], errors: list[RowError]
) -> list[tuple[int, dict]]:
    """Each record's values checked and converted column by column (only the columns it
    has); a bad value or a key seen twice is an error naming the row and the column."""
    lookups = {c.name: _choice_lookup(c.choices) for c in spec.columns if c.choices}
    rows: list[tuple[int, dict]] = []
    seen_keys: dict[str, int] = {}
    for line, raw in records:
        cleaned, row_ok = {}, True
        for col in spec.columns:
            if col.name not in raw:
                continue
            value, problem = _clean_value(col, raw[col.name], lookups)
            if problem:
                errors.append(RowError(name, line, col.name, problem))
                row_ok = False
            cleaned[col.name] = value
        key = _row_key(spec, cleaned)
        if row_ok and key in seen_keys:
            errors.append(
                RowError(
                    name,
                    line,
                    spec.key or "team_code",
                    _("duplicate of row %(row)d") % {"row": seen_keys[key]},
                )
            )
            row_ok = False
        if row_ok:
            seen_keys[key] = line
            rows.append((line, cleaned))
    return rows


def _parse_csv(name: str, text: str, errors: list[RowError]) -> ParsedFile | None:
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to French write ";" between columns.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        errors.append(RowError(name, 0, "", _("the file is empty")))
        return None
    except csv.Error as exc:
        errors.append(RowError(name, 1, "", _("unreadable CSV: %(error)s") % {"error": exc}))
        return None
    spec = _spec_for(name, header)
    if spec is None:
        errors.append(
            RowError(
                name,
                1,
                "",
                _(
                    "cannot tell what this file holds: name it organizations.csv, teams.csv, "
                    "service_offers.csv, practitioners.csv or memberships.csv"
                ),
            )
        )
        return None
    missing = [c.name for c in spec.columns if c.required and c.name not in header]
    unknown = [h for h in header if h not in spec.names]
    for col in missing:
        errors.append(RowError(name, 1, col, _("required column is missing")))
    for col in unknown:
        errors.append(RowError(name, 1, col, _("unknown column")))
    if missing or unknown:
        return None
    records: list[tuple[int, dict]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                errors.append(
                    RowError(
                        name,
                        line,
                        "",
                        _("%(found)d values for %(expected)d columns")
                        % {"found": len(record), "expected": len(header)},
                    )
                )
                continue
            records.append((line, dict(zip(header, record, strict=True))))
    except csv.Error as exc:
        errors.append(
            RowError(name, reader.line_num, "", _("unreadable CSV: %(error)s") % {"error": exc})
        )
    rows = _clean_rows(spec, name, records, errors)
    return ParsedFile(spec, name, rows)


def _row_key(spec: FileSpec, row: dict) -> str:
    if spec.kind == "memberships":
        return f"{row.get('practitioner_email')}|{row.get('team_code')}"
    return str(row.get(spec.key))


def read_files(name: str, data: bytes) -> tuple[list[ParsedFile], list[RowError]]:
    """Every CSV in the upload, parsed and checked row by row (no database access)."""
    errors: list[RowError] = []
    limit = settings.MAILLAGE_IMPORT_MAX_BYTES
    if len(data) > limit:
        errors.append(
            RowError(
                name,
                0,
                "",
                _("the file is too large (%(size)s bytes, at most %(limit)s)")
                % {"size": f"{len(data):,}", "limit": f"{limit:,}"},
            )
        )
        return [], errors
    members: list[tuple[str, bytes]] = []
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > limit * 10:
                errors.append(RowError(name, 0, "", _("the archive expands beyond the size limit")))
                return [], errors
            for info in archive.infolist():
                if info.is_dir() or not info.filename.lower().endswith(".csv"):
                    continue
                members.append((info.filename, archive.read(info)))
        if not members:
            errors.append(RowError(name, 0, "", _("the archive holds no CSV file")))
    else:
        members.append((name, data))
    parsed = []
    for member_name, raw in members:
        text = _decode(member_name, raw, errors)
        if text is not None:
            result = _parse_csv(member_name, text, errors)
            if result is not None:
                parsed.append(result)
    kinds = [p.spec.kind for p in parsed]
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            errors.append(RowError(name, 0, "", _("two files hold %(kind)s") % {"kind": kind}))
    parsed.sort(key=lambda p: KIND_ORDER.index(p.spec.kind))
    return parsed, errors


def _check_references(parsed: list[ParsedFile], errors: list[RowError]) -> None:
    """Teams must name a known organization, offers and memberships a known team, etc.,
    known either in the database or in the same upload."""
    in_upload = {p.spec.kind: {_row_key(p.spec, r) for _, r in p.rows} for p in parsed}

    def known(kind: str, model, key_field: str, wanted: set[str]) -> set[str]:
        found = set(
            model.objects.filter(**{f"{key_field}__in": wanted}).values_list(key_field, flat=True)
        )
        return found | (in_upload.get(kind, set()) & wanted)

    checks = {
        "teams": [("organization_code", "organizations", Organization, "code")],
        "service_offers": [("team_code", "teams", Team, "code")],
        "memberships": [
            ("team_code", "teams", Team, "code"),
            ("practitioner_email", "practitioners", Practitioner, "email"),
        ],
    }
    for p in parsed:
        for column, kind, model, key_field in checks.get(p.spec.kind, []):
            wanted = {r[column] for _, r in p.rows}
            found = known(kind, model, key_field, wanted)
            for line, row in p.rows:
                if row[column] not in found:
                    errors.append(
                        RowError(
                            p.name,
                            line,
                            column,
                            _("“%(value)s” is not in the directory nor in this import")
                            % {"value": row[column]},
                        )
                    )
    # A team or offer moving to another organization by import would silently rewrite
    # history; moves are made on the page, on purpose.
    moves = {
        "teams": ("organization_code", Team, "organization__code"),
        "service_offers": ("team_code", ServiceOffer, "team__code"),
    }
    for p in parsed:
        if p.spec.kind not in moves:
            continue
        column, model, parent_key = moves[p.spec.kind]
        current = dict(
            model.objects.filter(code__in=[r["code"] for _, r in p.rows]).values_list(
                "code", parent_key
            )
        )
        for line, row in p.rows:
            if row["code"] in current and current[row["code"]] != row[column]:
                errors.append(
                    RowError(
                        p.name,
                        line,
                        column,
                        _("“%(code)s” belongs to “%(parent)s”; an import cannot move it")
                        % {"code": row["code"], "parent": current[row["code"]]},
                    )
                )


# ---------------------------------------------------------------------------------------
# Writing.

MODEL_FIELDS = {
    "organizations": (
        Organization,
        "code",
        {
            "name": "name",
            "sector": "sector",
            "address": "address",
            "territory": "territory",
            "phone": "phone",
            "website": "website",
            "description": "description",
        },
    ),
    "teams": (
        Team,
        "code",
        {
            "name": "name",
            "site": "site",
            "territory": "territory",
            "phone": "phone",
            "email": "email",
            "languages": "languages",
            "mandate": "mandate",
        },
    ),
    "service_offers": (
        ServiceOffer,
        "code",
        {
            "name": "name",
            "service_type": "service_type",
            "populations": "populations",
            "eligibility": "eligibility",
            "how_to_refer": "how_to_refer",
            "languages": "languages",
            "territory": "territory",
            "expected_wait_days": "expected_wait_days",
            "active": "is_active",
        },
    ),
    "practitioners": (
        Practitioner,
        "email",
        {
            "first_name": "first_name",
            "last_name": "last_name",
            "phone": "phone",
            "profession": "profession",
            "languages": "languages",
            "contact_preference": "contact_preference",
        },
    ),
}
BATCH = 1000


def _write(parsed: list[ParsedFile], report: ImportReport, progress: Progress | None) -> set:
    """Upserts every row; returns the ids of teams whose search text must be rebuilt."""
    touched_teams: set = set()
    orgs_by_code: dict[str, Organization] = {}
    teams_by_code: dict[str, Team] = {}
    for p in parsed:
        kind = p.spec.kind
        if kind == "memberships":
            _write_memberships(p, report, progress)
            continue
        model, key, fields = MODEL_FIELDS[kind]
        keys = [r[key] for _, r in p.rows]
        existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": keys})}
        parents = _parents_for(kind, p, orgs_by_code, teams_by_code)
        to_create, to_update = [], []
        for done, (_line, row) in enumerate(p.rows, start=1):
            obj = existing.get(row[key])
            values = {fields[c]: row[c] for c in fields if c in row}
            if kind == "practitioners" and not values.get("contact_preference"):
                values["contact_preference"] = ContactPreference.EMAIL
            if obj is None:
                obj = model(**{key: row[key]}, **values)
                if kind == "teams":
                    obj.organization = parents[row["organization_code"]]
                if kind == "service_offers":
                    obj.team = parents[row["team_code"]]
                to_create.append(obj)
            else:
                changed = [f for f, v in values.items() if getattr(obj, f) != v]
                if not changed:
                    continue
                for f in changed:
                    setattr(obj, f, values[f])
                to_update.append(obj)
            if progress and done % BATCH == 0:
                progress(kind, done, len(p.rows))
        for obj in to_create + to_update:
            if kind == "organizations":
                obj.search_text = indexing.organization_text(obj)
            if kind == "practitioners":
                obj.search_text = indexing.practitioner_text(obj)
        model.objects.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            model.objects.bulk_update(
                to_update,
                [*fields.values(), "search_text"]
                if hasattr(model, "search_text")
                else list(fields.values()),
                batch_size=BATCH,
            )
        if progress:
            progress(kind, len(p.rows), len(p.rows))
        report.created[kind] = len(to_create)
        report.updated[kind] = len(to_update)
        if kind == "organizations":
            orgs_by_code.update({o.code: o for o in existing.values()})
            orgs_by_code.update({o.code: o for o in to_create})
            touched_teams |= set(
                Team.objects.filter(organization__in=to_update).values_list("id", flat=True)
            )
        if kind == "teams":
            teams_by_code.update({t.code: t for t in existing.values()})
            teams_by_code.update({t.code: t for t in to_create})
            touched_teams |= {t.id for t in to_create + to_update}
        if kind == "service_offers":
            touched_teams |= {o.team_id for o in to_create + to_update}
    return touched_teams


def _parents_for(kind, parsed, orgs_by_code, teams_by_code) -> dict:
    if kind == "teams":
        wanted = {r["organization_code"] for _, r in parsed.rows} - orgs_by_code.keys()
        orgs_by_code.update({o.code: o for o in Organization.objects.filter(code__in=wanted)})
        return orgs_by_code
    if kind == "service_offers":
        wanted = {r["team_code"] for _, r in parsed.rows} - teams_by_code.keys()
        teams_by_code.update({t.code: t for t in Team.objects.filter(code__in=wanted)})
        return teams_by_code
    return {}


def _write_memberships(p: ParsedFile, report: ImportReport, progress: Progress | None) -> None:
    emails = {r["practitioner_email"] for _, r in p.rows}
    codes = {r["team_code"] for _, r in p.rows}
    people = dict(Practitioner.objects.filter(email__in=emails).values_list("email", "id"))
    teams = dict(Team.objects.filter(code__in=codes).values_list("code", "id"))
    existing = {
        (m.practitioner_id, m.team_id): m
        for m in Membership.objects.filter(
            practitioner_id__in=people.values(), team_id__in=teams.values()
        )
    }
    to_create, to_update = [], []
    for _line, row in p.rows:
        pid, tid = people[row["practitioner_email"]], teams[row["team_code"]]
        role = row.get("role") or MembershipRole.MEMBER
        title = row.get("title", "")
        current = existing.get((pid, tid))
        if current is None:
            to_create.append(Membership(practitioner_id=pid, team_id=tid, role=role, title=title))
        elif (current.role, current.title) != (role, title):
            current.role, current.title = role, title
            to_update.append(current)
    Membership.objects.bulk_create(to_create, batch_size=BATCH)
    Membership.objects.bulk_update(to_update, ["role", "title"], batch_size=BATCH)
    report.created["memberships"] = len(to_create)
    report.updated["memberships"] = len(to_update)
    if progress:
        progress("memberships", len(p.rows), len(p.rows))


def import_directory(
    *, by, name: str, data: bytes, request=None, progress: Progress | None = None
) -> ImportReport:
    """Check every row, then write all of them in one transaction, or none."""
    if by is not None and not by.has_perm("directory.manage_directory"):
        raise PermissionDenied
    report = ImportReport()
    parsed, report.errors = read_files(name, data)
    return _check_and_write(by, name, parsed, report, request, progress)


def import_rows(
    *, by, source: str, rows: dict[str, list[tuple[int, dict]]], request=None
) -> ImportReport:
    """The same rule as import_directory for rows that arrive another way (a FHIR
    transaction Bundle): `rows` maps a kind ("organizations", "teams", "service_offers",
    "memberships") to (position, raw text by column); a position stands where a CSV has
    its line number. Only the columns a row has are checked and written; every row is
    checked first, and any error writes nothing."""
    if by is None or not by.has_perm("directory.manage_directory"):
        raise PermissionDenied
    report = ImportReport()
    parsed = [
        ParsedFile(
            SPEC_BY_KIND[kind],
            source,
            _clean_rows(SPEC_BY_KIND[kind], source, rows[kind], report.errors),
        )
        for kind in KIND_ORDER
        if rows.get(kind)
    ]
    return _check_and_write(by, source, parsed, report, request, None)


def _check_and_write(by, name, parsed, report, request, progress) -> ImportReport:
    if not report.errors:
        _check_references(parsed, report.errors)
    if report.errors:
        return report
    with transaction.atomic():
        touched = _write(parsed, report, progress)
        refresh_team_search_text(touched)
        record_event(
            action=Action.IMPORTED,
            actor=by,
            object_type="directory",
            object_label=name[:300],
            request=request,
            details={"created": report.created, "updated": report.updated},
        )
    return report


# ---------------------------------------------------------------------------------------
# Export.


def _export_rows(kind: str):
    if kind == "organizations":
        for o in Organization.objects.order_by("code").iterator(chunk_size=BATCH):
            yield [
                o.code,
                o.name,
                o.sector,
                o.address,
                o.territory,
                o.phone,
                o.website,
                o.description,
            ]
    elif kind == "teams":
        for t in (
            Team.objects.select_related("organization").order_by("code").iterator(chunk_size=BATCH)
        ):
            yield [
                t.code,
                t.organization.code,
                t.name,
                t.site,
                t.territory,
                t.phone,
                t.email,
                ";".join(split_codes(t.languages)),
                t.mandate,
            ]
    elif kind == "service_offers":
        for s in (
            ServiceOffer.objects.select_related("team").order_by("code").iterator(chunk_size=BATCH)
        ):
            yield [
                s.code,
                s.team.code,
                s.name,
                s.service_type,
                ";".join(split_codes(s.populations)),
                s.eligibility,
                s.how_to_refer,
                ";".join(split_codes(s.languages)),
                s.territory,
                "" if s.expected_wait_days is None else s.expected_wait_days,
                "yes" if s.is_active else "no",
            ]
    elif kind == "practitioners":
        for p in Practitioner.objects.order_by("email").iterator(chunk_size=BATCH):
            yield [
                p.email,
                p.first_name,
                p.last_name,
                p.phone,
                p.profession,
                ";".join(split_codes(p.languages)),
                p.contact_preference,
            ]
    elif kind == "memberships":
        for m in (
            Membership.objects.select_related("practitioner", "team")
            .order_by("team__code", "practitioner__email")
            .iterator(chunk_size=BATCH)
        ):
            yield [m.practitioner.email, m.team.code, m.role, m.title]


def export_directory(*, by, request=None, progress: Progress | None = None) -> bytes:
    """The whole directory as a ZIP of CSV files, in the format import_directory reads."""
    if by is not None and not by.has_perm("directory.manage_directory"):
        raise PermissionDenied
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in SPECS:
            text = io.StringIO()
            # Formula cells are neutralized (core.csv_export); the import takes the mark off.
            writer = csv_export.writer(text, lineterminator="\r\n")
            writer.writerow(spec.names)
            count = 0
            for count, row in enumerate(_export_rows(spec.kind), start=1):  # noqa: B007
                writer.writerow(row)
            # The BOM lets spreadsheet programs open the file as UTF-8.
            archive.writestr(spec.filename, csv_export.BOM + text.getvalue())
            if progress:
                progress(spec.kind, count, count)
    record_event(action=Action.EXPORTED, actor=by, object_type="directory", request=request)
    return buffer.getvalue()
