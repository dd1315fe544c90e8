"""The end of a study in a real browser: the lead downloads the report as PDF, opens
"Archive and delete the study…", downloads the archive (a ZIP holding the .qdpx), sees its
checksum, deletes the study without typing its title, and lands on the list with the
deletion said. axe-core on the confirmation page; screenshots in test-results/browser/."""

import hashlib
import zipfile
from datetime import date

import pytest

from maillage.evaluation import services
from maillage.evaluation.models import Document, Study
from maillage.evaluation.transcripts import Turn
from tests.browser.conftest import axe_violations
from tests.browser.test_training_journey import open_as
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def study(transactional_db):
    lead = make_user("louise@example.org")
    study = services.start_study(
        by=lead, title="Groupes 2026", starts_on=date(2026, 1, 5), blind_coding=False
    )
    person = services.add_participant(by=lead, study=study, real_name="Sylvie Bérubé")
    document = services.import_document(
        by=lead,
        study=study,
        title="Groupe CLSC",
        kind="transcript",
        turns=[Turn("Sylvie Bérubé", "Au CLSC, on réfère souvent sans suivi.")],
        speakers={"Sylvie Bérubé": person.pk},
    )
    code = services.create_code(by=lead, study=study, name="Référer sans suivi")
    services.add_codings(by=lead, document=document, codes=[code], start=0, end=10)
    return study


def test_archive_then_delete(live_server, study, new_context, browser_watch, output_dir, tmp_path):
    base = live_server.url
    # Once deleted, the study's pages answer 404 to the watcher's checks: as they should.
    browser_watch.expect_error_status(rf"/studies/{study.pk}/")
    lead = open_as(new_context, base, "louise@example.org")
    lead.goto(f"{base}/studies/{study.pk}/report/")
    with lead.expect_download() as pdf_info:
        lead.get_by_role("link", name="Download as PDF").click()
    pdf = tmp_path / "report.pdf"
    pdf_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    lead.goto(f"{base}/studies/{study.pk}/")
    lead.get_by_role("link", name="Archive and delete the study…").click()
    lead.get_by_role("heading", name="Delete the study — Groupes 2026").wait_for()
    assert axe_violations(lead) == []
    with lead.expect_download() as download_info:
        lead.get_by_role("link", name="Download the archive (.zip)").click()
    path = tmp_path / "archive.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert "study.qdpx" in archive.namelist()
    lead.reload()
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    lead.locator("#archive-made").get_by_text(checksum).wait_for()
    lead.screenshot(path=output_dir / "1-archive-made.png", full_page=True)
    lead.get_by_role("button", name="Delete the study and everything it holds").click()
    lead.get_by_text("The study “Groupes 2026” was deleted").wait_for()
    lead.screenshot(path=output_dir / "2-deleted.png", full_page=True)
    assert not Study.objects.filter(pk=study.pk).exists()
    assert not Document.objects.exists()
