"""The study's report as a PDF (issue 15, item 7), read back with pypdf: the codebook with
definitions and counts, the quotes by pseudonym, the matrix and its rule, in French or
English; for the study's evaluators after the reveal, as the printable page."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from maillage.audit.models import Action, AuditEvent
from maillage.evaluation import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(study_world):
    w = study_world
    lead, coder, document = w["lead"], w["coder"], w["document"]
    refer = services.create_code(
        by=lead,
        study=w["study"],
        name="Référer sans suivi",
        definition="Orienter une famille sans suivi partagé.",
        use_when="Quelqu’un dit référer.",
    )
    meetings = services.create_code(by=coder, study=w["study"], name="Rencontres", inductive=True)
    start = document.text.index("on réfère")
    services.add_codings(by=lead, document=document, codes=[refer], start=start, end=start + 35)
    start = document.text.index("les rencontres")
    services.add_codings(by=coder, document=document, codes=[meetings], start=start, end=start + 30)
    services.reveal_codings(by=lead, study=w["study"])
    return w


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # Extracted text breaks lines where the page does: compare words, not layout (pypdf
    # reads a no-break space back as a space; the catalogue's test checks them).
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_report_as_pdf_in_english_and_french(world, client):
    w = world
    client.force_login(w["coder"])
    url = reverse("evaluation:report_pdf", args=[w["study"].pk])
    page = client.get(reverse("evaluation:report", args=[w["study"].pk]) + "?language=en")
    assert url in page.content.decode()

    english = client.get(url + "?language=en")
    assert english.status_code == 200
    assert english["Content-Type"] == "application/pdf"
    assert english.content.startswith(b"%PDF")
    text = _text(english.content)
    outside, worker = w["outside"].pseudonym, w["worker"].pseudonym
    for expected in (
        "Report — Focus groups 2026",
        "Codebook",
        "Référer sans suivi",
        "Orienter une famille sans suivi partagé.",
        "Use when: Quelqu’un dit référer.",
        "Rencontres (emerging)",
        "1 coding",
        "on réfère souvent",
        f"{outside} — Groupe CLSC",
        f"{worker} — Groupe CLSC",
        "Matrix of themes",
        "CLSC",
        "CRD",
        "of 1 participant",  # one participant in each group: a singular
    ):
        assert expected in text, expected
    assert "of 1 participants" not in text
    assert "Sylvie Gagnon" not in text

    french = client.get(url + "?language=fr")
    text = _text(french.content)
    for expected in (
        "Rapport — Focus groups 2026",
        "Livre de codes",
        "Utiliser quand : Quelqu’un dit référer.",
        "(émergent)",
        "1 codage",
        "« on réfère souvent",
        "Matrice des thèmes",
    ):
        assert expected in text, expected
    events = AuditEvent.objects.filter(
        action=Action.EXPORTED, object_id=str(w["study"].pk), details__format="report_pdf"
    )
    assert sorted(e.details["language"] for e in events) == ["en", "fr"]


def test_no_pdf_before_the_reveal_nor_for_others(study_world, client):
    w = study_world
    url = reverse("evaluation:report_pdf", args=[w["study"].pk])
    client.force_login(w["coder"])
    assert client.get(url).status_code == 403
    client.force_login(w["stranger"])
    assert client.get(url).status_code == 404
