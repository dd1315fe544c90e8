"""Every CSV the product writes neutralizes formula cells and says it is UTF-8.

A spreadsheet runs a cell starting with `=`, `+`, `-`, `@` (or a tab, a carriage return)
as a formula. Names typed by anyone (organizations, territories, phones, review groups,
questionnaire statements) end up in exported CSVs: each must arrive as plain text.
"""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core import csv_export
from maillage.directory.csv_io import export_directory, import_directory
from maillage.directory.models import Organization, Team
from tests.conftest import wipe_network

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example","click")'
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
PAYLOADS = [HYPERLINK, "+cmd", "@SUM(1)", "-2+3", "\tTAB", "\r=CR"]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix(csv_export.BOM), newline="")))


def runs_as_formula(cell: str) -> bool:
    """What a spreadsheet would run: a formula start, unless the cell is a plain number."""
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not NUMBER.fullmatch(cell)


def assert_no_formula_cell(text: str) -> None:
    for row in rows_of(text):
        for cell in row:
            assert not runs_as_formula(cell), f"formula cell {cell!r} in {row}"


def assert_csv_download(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith(csv_export.BOM), "no BOM: spreadsheets would guess the charset"
    return text


# --- the CSVs, each with formula payloads in the cells people type ------------------------


def directory_export(request) -> list[tuple[str, list[str]]]:
    network = request.getfixturevalue("network")
    clsc = network["orgs"]["clsc"]
    Organization.objects.filter(pk=clsc.pk).update(
        name=HYPERLINK, territory="+cmd", phone="@SUM(1)"
    )
    Team.objects.filter(pk=network["teams"]["perinatal"].pk).update(name="-2+3", site="\tTAB")
    with zipfile.ZipFile(io.BytesIO(export_directory(by=None))) as archive:
        texts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    for name, text in texts.items():
        assert text.startswith(csv_export.BOM), name
    return [
        (texts["organizations.csv"], [HYPERLINK, "+cmd", "@SUM(1)"]),
        (texts["teams.csv"], ["-2+3", "\tTAB"]),
    ]


def referral_indicators(request) -> list[tuple[str, list[str]]]:
    care = request.getfixturevalue("care")
    request.getfixturevalue("referral")
    Organization.objects.filter(pk=care["orgs"]["crd"].pk).update(name=HYPERLINK)
    Organization.objects.filter(pk=care["orgs"]["clsc"].pk).update(name="@SUM(1)")
    client = request.getfixturevalue("verified_login")(care["users"]["coordinator"])
    today = timezone.localdate()
    response = client.get(
        reverse("referrals:indicators"),
        {
            "start": today.replace(day=1).isoformat(),
            "end": today.isoformat(),
            "by": "organization",
            "format": "csv",
        },
    )
    return [(assert_csv_download(response), [HYPERLINK, "@SUM(1)"])]


def review_statistics(request) -> list[tuple[str, list[str]]]:
    review = request.getfixturevalue("review")
    group = review["group"]
    type(group).objects.filter(pk=group.pk).update(name="+cmd")
    client = request.getfixturevalue("moderator_client")
    response = client.get(reverse("reviews:statistics_csv", args=[group.id]))
    return [(assert_csv_download(response), ["+cmd"])]


def training_effects(request) -> list[tuple[str, list[str]]]:
    training = request.getfixturevalue("training")
    session = request.getfixturevalue("session")
    programme = training["programme"]
    item = programme.questionnaire_items.filter(is_active=True).first()
    type(item).objects.filter(pk=item.pk).update(text_fr="-1+1", text_en="-1+1")
    answers = ([2, 2, 3, 1], [4, 3, 3, 3])
    request.getfixturevalue("run_immersion")(session, {"nurse": answers, "worker": answers})
    client = request.getfixturevalue("verified_login")(training["users"]["coordinator"])
    response = client.get(reverse("training:effects_csv", args=[programme.id]))
    return [(assert_csv_download(response), ["-1+1"])]


def programme_dashboard(request) -> list[tuple[str, list[str]]]:
    from maillage.implementation import services as programmes
    from maillage.implementation.models import TrainingKind

    setup = request.getfixturevalue("programme_setup")
    # A trained practitioner puts the site's team on the dashboard (trained capacity).
    programmes.record_training(
        by=setup["lead"],
        site=setup["site"],
        practitioner=setup["users"]["owner"].practitioner,
        kind=TrainingKind.INITIAL,
        on=timezone.localdate() - timedelta(days=30),
        hours=14,
    )
    payload = '=HYPERLINK("http://evil.example","click")'
    Team.objects.filter(pk=setup["site"].team_id).update(name=payload)
    client = request.getfixturevalue("verified_login")(setup["coordinator"])
    response = client.get(reverse("implementation:dashboard_csv", args=[setup["programme"].id]))
    return [(assert_csv_download(response), [payload])]


CSVS = {
    "directory export": directory_export,
    "referral indicators": referral_indicators,
    "review statistics": review_statistics,
    "training effects": training_effects,
    "programme dashboard": programme_dashboard,
}


@pytest.mark.parametrize("make", CSVS.values(), ids=CSVS.keys())
def test_every_csv_neutralizes_formula_cells(make, request):
    # Given names that a spreadsheet would run, typed where each CSV shows them
    # When the CSV is exported
    for text, payloads in make(request):
        # Then no cell would run, and each payload is there as text behind an apostrophe
        assert_no_formula_cell(text)
        cells = {cell for row in rows_of(text) for cell in row}
        for payload in payloads:
            assert "'" + payload in cells, f"{payload!r} missing or unquoted"


def test_numbers_stay_numbers():
    assert csv_export.neutralize("-0.125") == "-0.125"
    assert csv_export.neutralize("+1") == "+1"
    assert csv_export.neutralize(-3) == -3


@pytest.mark.parametrize("text", [*PAYLOADS, "'=already quoted", "''@", "'plain", "", "'", "-"])
def test_restore_undoes_neutralize_exactly(text):
    assert csv_export.restore(csv_export.neutralize(text)) == text


def test_directory_export_with_formula_names_round_trips_through_the_import(network):
    # Given an organization, a team and a practitioner whose fields would run as formulas
    clsc = network["orgs"]["clsc"]
    Organization.objects.filter(pk=clsc.pk).update(
        name=HYPERLINK, territory="+cmd", phone="@SUM(1)", address="'=already quoted"
    )
    Team.objects.filter(pk=network["teams"]["perinatal"].pk).update(
        name="-2+3", phone="+1 819 555 0101"
    )
    before = {
        "org": Organization.objects.values_list(
            "code", "name", "territory", "phone", "address"
        ).order_by("code"),
        "team": Team.objects.values_list("code", "name", "phone").order_by("code"),
    }
    before = {k: list(v) for k, v in before.items()}
    exported = export_directory(by=None)
    # When the export is imported into an empty directory
    wipe_network()
    report = import_directory(by=None, name="export.zip", data=exported)
    # Then the same values come back, without the apostrophes the export added
    assert report.ok, report.errors[:3]
    after = {
        "org": list(
            Organization.objects.values_list(
                "code", "name", "territory", "phone", "address"
            ).order_by("code")
        ),
        "team": list(Team.objects.values_list("code", "name", "phone").order_by("code")),
    }
    assert after == before

    # And exporting again gives the same files
    def texts(data):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist()}

    assert texts(export_directory(by=None)) == texts(exported)
