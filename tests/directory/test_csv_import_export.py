"""CSV import is all-or-nothing with a report naming row, column and reason; export and
import round-trip."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from maillage.audit.models import Action, AuditEvent
from maillage.directory.csv_io import export_directory, import_directory
from maillage.directory.models import Membership, Organization, Practitioner, ServiceOffer, Team
from tests.conftest import wipe_network

pytestmark = pytest.mark.django_db

ORGS = (
    "code,name,sector,address,territory,phone,website,description\n"
    "crd-nord,CRD du Nord,substance_use,1 rue Principale,Mont-Bleuet,,,\n"
    "mdf-nord,Maison de la famille,Organisme communautaire,,Mont-Bleuet,,,\n"
)
TEAMS = (
    "code,organization_code,name,site,territory,phone,email,languages,mandate\n"
    "crd-nord-me,crd-nord,Mère-enfant,,Mont-Bleuet,,me@crd.example.org,fr;en,Suivi\n"
)


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        Team.objects.count(),
        ServiceOffer.objects.count(),
        Practitioner.objects.count(),
        Membership.objects.count(),
    )


def test_good_file_imports_and_accepts_labels_in_french(db):
    report = import_directory(
        by=None, name="d.zip", data=zip_of({"organizations.csv": ORGS, "teams.csv": TEAMS})
    )
    assert report.ok, report.errors
    assert Organization.objects.get(code="mdf-nord").sector == "community_organization"
    team = Team.objects.get(code="crd-nord-me")
    assert team.languages == ",en,fr,"
    assert "dependance" in team.search_text  # the sector label, folded, is searchable
    assert report.created == {"organizations": 2, "teams": 1}
    assert AuditEvent.objects.filter(action=Action.IMPORTED).count() == 1


def test_bad_rows_import_nothing_and_are_named(db):
    bad_orgs = ORGS + (
        "crd-nord,Doublon,substance_use,,,,,\n"  # row 4: duplicate key
        "x-1,Sans secteur,astrology,,,,,\n"  # row 5: unknown sector
        ",Sans code,hospital,,,,,\n"  # row 6: missing code
    )
    bad_teams = TEAMS + "t-2,nowhere,Équipe,,,,not-an-email,fr,\n"  # row 3: two problems
    before = counts()
    report = import_directory(
        by=None, name="d.zip", data=zip_of({"organizations.csv": bad_orgs, "teams.csv": bad_teams})
    )
    assert not report.ok
    found = {(e.file, e.row, e.column) for e in report.errors}
    assert ("organizations.csv", 4, "code") in found
    assert ("organizations.csv", 5, "sector") in found
    assert ("organizations.csv", 6, "code") in found
    assert ("teams.csv", 3, "email") in found
    reasons = " ".join(str(e) for e in report.errors)
    assert "astrology" in reasons
    assert counts() == before  # nothing written, not even the good rows
    assert not AuditEvent.objects.filter(action=Action.IMPORTED).exists()


def test_unknown_reference_is_reported_and_nothing_written(db):
    report = import_directory(by=None, name="teams.csv", data=TEAMS.encode())
    assert [(e.row, e.column) for e in report.errors] == [(2, "organization_code")]
    assert Team.objects.count() == 0


def test_bad_encoding_is_reported(db):
    latin1 = ORGS.replace("Maison", "Résidence").encode("latin-1")
    report = import_directory(by=None, name="organizations.csv", data=latin1)
    assert len(report.errors) == 1
    assert "UTF-8" in str(report.errors[0])
    assert Organization.objects.count() == 0


@override_settings(MAILLAGE_IMPORT_MAX_BYTES=100)
def test_oversize_file_is_refused(db):
    report = import_directory(by=None, name="organizations.csv", data=ORGS.encode() * 5)
    assert len(report.errors) == 1
    assert "too large" in str(report.errors[0]) or "volumineux" in str(report.errors[0])


def test_missing_and_unknown_columns_are_reported(db):
    report = import_directory(
        by=None, name="organizations.csv", data=b"code,name,colour\nx,y,blue\n"
    )
    problems = {(e.column, e.row) for e in report.errors}
    assert ("sector", 1) in problems and ("colour", 1) in problems


def test_semicolon_separated_files_from_french_spreadsheets_are_read(db):
    report = import_directory(
        by=None, name="organizations.csv", data=ORGS.replace(",", ";").encode("utf-8-sig")
    )
    assert report.ok, report.errors
    assert Organization.objects.count() == 2


def snapshot() -> dict:
    return {
        "orgs": sorted(
            Organization.objects.values_list(
                "code", "name", "sector", "address", "territory", "phone", "website", "description"
            )
        ),
        "teams": sorted(
            Team.objects.values_list(
                "code",
                "organization__code",
                "name",
                "site",
                "territory",
                "phone",
                "email",
                "languages",
                "mandate",
            )
        ),
        "offers": sorted(
            ServiceOffer.objects.values_list(
                "code",
                "team__code",
                "name",
                "service_type",
                "populations",
                "eligibility",
                "how_to_refer",
                "languages",
                "territory",
                "expected_wait_days",
                "is_active",
            )
        ),
        "people": sorted(
            Practitioner.objects.values_list(
                "email",
                "first_name",
                "last_name",
                "phone",
                "profession",
                "languages",
                "contact_preference",
            )
        ),
        "memberships": sorted(
            Membership.objects.values_list("practitioner__email", "team__code", "role", "title")
        ),
    }


def test_export_then_import_round_trips(db):
    from maillage.seeding.generator import SCALES, NetworkGenerator

    NetworkGenerator(SCALES["demo"], seed=7).run()
    before = snapshot()
    exported = export_directory(by=None)
    # Into the same database: nothing changes.
    report = import_directory(by=None, name="export.zip", data=exported)
    assert report.ok, report.errors[:3]
    assert sum(report.updated.values()) == 0
    assert sum(report.created.values()) == 0
    # Into an empty directory: the same rows come back.
    wipe_network()
    report = import_directory(by=None, name="export.zip", data=exported)
    assert report.ok, report.errors[:3]
    assert snapshot() == before
    assert csv_texts(export_directory(by=None)) == csv_texts(exported)


def csv_texts(archive: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return {name: z.read(name).decode("utf-8-sig") for name in z.namelist()}


def test_import_command_fails_loudly_and_writes_nothing(db, tmp_path):
    bad = tmp_path / "organizations.csv"
    bad.write_text(ORGS + "zz,Z,astrology,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_directory", str(bad))
    assert Organization.objects.count() == 0
    good = tmp_path / "ok.zip"
    good.write_bytes(zip_of({"organizations.csv": ORGS}))
    call_command("import_directory", str(good))
    assert Organization.objects.count() == 2


def test_upload_page_is_for_coordinators_and_reports_errors(network, verified_login, client):
    client.force_login(network["users"]["nurse"])
    assert client.get(reverse("directory:import")).status_code == 403
    client = verified_login(network["users"]["coordinator"])
    upload = io.BytesIO((ORGS + "zz,Z,astrology,,,,,\n").encode())
    upload.name = "organizations.csv"
    response = client.post(reverse("directory:import"), {"file": upload})
    body = response.content.decode()
    assert "astrology" in body
    assert not Organization.objects.filter(code="crd-nord").exists()
    export = client.get(reverse("directory:export"))
    assert export["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(export.content)).namelist()[0] == "organizations.csv"
