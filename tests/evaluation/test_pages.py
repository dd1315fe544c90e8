"""The evaluation pages with real files: a Word transcript through the guard, bad files
refused with nothing written, coding by page (refusals said), blind mode and the reveal,
and the same figures on the agreement page and through the API."""

import html
import io
import json
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.evaluation import services
from maillage.evaluation.forms import KEEP, finding_id
from maillage.evaluation.models import Code, Coding, Document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["maillage_language"] = "en"


def word_file(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, study, name: str, data: bytes):
    return client.post(
        reverse("evaluation:import", args=[study.pk]),
        {"title": "Groupe CRD", "kind": "transcript", "file": SimpleUploadedFile(name, data)},
    )


def hidden(response, name: str) -> str:
    page = response.content.decode()
    assert f'name="{name}"' in page, name
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else ""


def test_word_transcript_with_a_real_name_is_flagged_and_stored_with_the_pseudonym(
    study_world, client
):
    w = study_world
    client.force_login(w["lead"])
    data = word_file(
        [
            "Animatrice : Bonjour à toutes et à tous.",
            "Worker Test : Comme le disait Sylvie Gagnon, on se connaît mieux maintenant.",
            "Sylvie Gagnon : C'est vrai, et on réfère plus facilement.",
        ]
    )
    response = upload(client, w["study"], "groupe.docx", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sylvie Gagnon" in page and "name of a person" in page
    assert not Document.objects.filter(title="Groupe CRD").exists()

    key = "name:sylvie gagnon"
    post = {
        name: hidden(response, name)
        for name in ("title", "kind", "session", "source_filename", "turns")
    }
    # The speakers: by their order in the form (sorted labels).
    post |= {"speaker_0": "", "speaker_1": str(w["outside"].pk), "speaker_2": str(w["worker"].pk)}
    post[f"action_{finding_id(key)}"] = "P01"
    response = client.post(reverse("evaluation:import_clean", args=[w["study"].pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get(title="Groupe CRD")
    assert "Sylvie" not in document.text and "Worker" not in document.text
    assert "P02\u00a0: Comme le disait P01, on se connaît" in document.text
    assert [t.speaker for t in document.turns.all()] == ["Animatrice", "P02", "P01"]


def test_a_finding_kept_needs_a_reason(study_world, client):
    w = study_world
    client.force_login(w["lead"])
    response = upload(client, w["study"], "notes.txt", b"Animatrice : Appelez le 514-555-0199.\n")
    post = {
        name: hidden(response, name)
        for name in ("title", "kind", "session", "source_filename", "turns")
    }
    phone = next(k for k in ["phone:514-555-0199"])
    post[f"action_{finding_id(phone)}"] = KEEP
    response = client.post(reverse("evaluation:import_clean", args=[w["study"].pk]), post)
    assert response.status_code == 422
    assert "Say why this does not identify anyone." in response.content.decode()
    assert not Document.objects.filter(title="Groupe CRD").exists()
    post[f"reason_{finding_id(phone)}"] = "Numéro fictif de l'exemple"
    response = client.post(reverse("evaluation:import_clean", args=[w["study"].pk]), post)
    assert response.status_code == 302
    assert "514-555-0199" in Document.objects.get(title="Groupe CRD").text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("latin1.txt", "Animatrice : déjà été".encode("latin-1"), "is not UTF-8 text"),
        ("fake.docx", b"Ceci n'est pas un document Word", "is not a real Word document"),
        ("big.txt", b"a" * (50 * 1024 * 1024), "is too large"),
        ("image.pdf", b"%PDF-1.4", "must be a .txt, .docx, .vtt or .srt file"),
    ],
    ids=["not-utf8", "not-docx", "50MB", "wrong-kind"],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_written(
    study_world, client, name, data, message
):
    client.force_login(study_world["lead"])
    before = Document.objects.count()
    response = upload(client, study_world["study"], name, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Document.objects.count() == before


def test_subtitles_become_turns(study_world):
    from maillage.evaluation.transcripts import read_transcript

    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Animatrice>Bonjour.\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v P01>On réfère souvent.\n\n"
        "00:00:05.000 --> 00:00:06.000\n<v P01>Sans suivi.\n"
    )
    turns = read_transcript(name="g.vtt", data=vtt.encode())
    assert [(t.speaker, t.text) for t in turns] == [
        ("Animatrice", "Bonjour."),
        ("P01", "On réfère souvent.\nSans suivi."),
    ]
    srt_text = (
        "1\n00:00:01,000 --> 00:00:02,000\nP02: Oui.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nP03: Non.\n"
    )
    turns = read_transcript(name="g.srt", data=srt_text.encode())
    assert [(t.speaker, t.text) for t in turns] == [("P02", "Oui."), ("P03", "Non.")]


@pytest.fixture
def codes(study_world):
    lead, study = study_world["lead"], study_world["study"]
    return [
        services.create_code(by=lead, study=study, name="Référer sans suivi"),
        services.create_code(by=lead, study=study, name="Connaître les rôles", inductive=True),
    ]


def code_by_page(client, document, codes, start, end):
    return client.post(
        reverse("evaluation:coding_add", args=[document.pk]),
        {"start": start, "end": end, "codes": [str(c.pk) for c in codes]},
    )


def test_codings_past_the_end_or_overlapping_the_same_code_are_refused(study_world, client, codes):
    w = study_world
    document = w["document"]
    client.force_login(w["lead"])
    assert code_by_page(client, document, codes[:1], 70, 120).status_code == 302
    length = len(document.text)
    response = code_by_page(client, document, codes[:1], length - 5, length + 10)
    assert response.status_code == 422
    assert "past the end of the text" in response.content.decode()
    response = code_by_page(client, document, codes, 100, 140)
    assert response.status_code == 422
    assert "You already coded an overlapping passage" in response.content.decode()
    # Refused, not merged: the first coding is as it was, nothing was added.
    assert list(Coding.objects.values_list("start", "end")) == [(70, 120)]


def test_blind_coding_until_the_lead_reveals(study_world, client, codes):
    w = study_world
    document = w["document"]
    services.add_codings(by=w["lead"], document=document, codes=codes[:1], start=70, end=120)
    client.force_login(w["coder"])
    page = client.get(reverse("evaluation:document", args=[document.pk])).content.decode()
    assert "No coding yet." in page
    assert client.get(reverse("evaluation:agreement", args=[w["study"].pk])).status_code == 403
    assert client.post(reverse("evaluation:reveal", args=[w["study"].pk])).status_code == 403
    client.force_login(w["lead"])
    assert client.post(reverse("evaluation:reveal", args=[w["study"].pk])).status_code == 302
    client.force_login(w["coder"])
    page = client.get(reverse("evaluation:document", args=[document.pk])).content.decode()
    assert "Référer sans suivi" in page and "No coding yet." not in page


def test_agreement_page_and_api_give_the_same_figures(study_world, client, codes):
    w = study_world
    document = w["document"]
    client.force_login(w["lead"])
    for start, end, code in [(70, 120, codes[0]), (140, 200, codes[1]), (210, 240, codes[0])]:
        assert code_by_page(client, document, [code], start, end).status_code == 302
    client.force_login(w["coder"])
    for start, end, code in [(75, 120, codes[0]), (140, 180, codes[0])]:
        assert code_by_page(client, document, [code], start, end).status_code == 302
    client.force_login(w["lead"])
    client.post(reverse("evaluation:reveal", args=[w["study"].pk]))
    page = client.get(reverse("evaluation:agreement", args=[w["study"].pk]))
    assert page.status_code == 200
    csv_text = client.get(reverse("evaluation:agreement_csv", args=[w["study"].pk])).content
    api = client.get(f"/api/v1/evaluation/studies/{w['study'].pk}/agreement").json()
    rows = csv_text.decode("utf-8-sig").strip().splitlines()
    overall = rows[1].split(",")
    assert overall[0] == "All codes"
    assert overall[2] == f"{api['overall']['percent']['value']:.3f}"
    assert overall[3] == f"{api['overall']['kappa']['value']:.3f}"
    assert overall[4] == f"{api['overall']['alpha']['value']:.3f}"
    assert f"{api['overall']['kappa']['value']:.3f}" in page.content.decode()

    # The same codings entered through the API on a copy of the document: same figures.
    copy = client.post(
        f"/api/v1/evaluation/studies/{w['study'].pk}/documents",
        data=json.dumps(
            {
                "title": "Copie",
                "turns": [{"speaker": t.speaker, "text": t.text} for t in _turns(document)],
            }
        ),
        content_type="application/json",
    )
    assert copy.status_code == 201, copy.content
    copy_id = copy.json()["id"]
    assert copy.json()["text"] == document.text

    def api_code(user, start, end, code):
        client.force_login(user)
        answer = client.post(
            f"/api/v1/evaluation/documents/{copy_id}/codings",
            data=json.dumps({"code_ids": [str(code.pk)], "start": start, "end": end}),
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content

    for start, end, code in [(70, 120, codes[0]), (140, 200, codes[1]), (210, 240, codes[0])]:
        api_code(w["lead"], start, end, code)
    for start, end, code in [(75, 120, codes[0]), (140, 180, codes[0])]:
        api_code(w["coder"], start, end, code)
    base = f"/api/v1/evaluation/studies/{w['study'].pk}/agreement"
    by_page = client.get(f"{base}?document_id={document.pk}").json()
    by_api = client.get(f"{base}?document_id={copy_id}").json()
    assert by_page["overall"] == by_api["overall"]
    assert by_page["per_code"] == by_api["per_code"]


def _turns(document):
    """The original turns back from the stored text ("Speaker : text")."""
    from maillage.evaluation.transcripts import Turn

    turns = []
    for turn in document.turns.all():
        paragraph = document.text[turn.start : turn.end]
        label, said = paragraph.split("\u00a0: ", 1)
        turns.append(Turn(label, said))
    return turns


def test_matrix_and_report_pages(study_world, client, codes):
    w = study_world
    services.add_codings(by=w["lead"], document=w["document"], codes=codes[:1], start=70, end=120)
    services.reveal_codings(by=w["lead"], study=w["study"])
    client.force_login(w["lead"])
    page = client.get(reverse("evaluation:matrix", args=[w["study"].pk]))
    assert page.status_code == 200
    assert "Référer sans suivi" in page.content.decode()
    report = client.get(reverse("evaluation:report", args=[w["study"].pk]) + "?language=fr")
    assert report.status_code == 200
    assert '<div lang="fr">' in report.content.decode()
    assert "Livre de codes" in report.content.decode()
    csv_answer = client.get(reverse("evaluation:matrix_csv", args=[w["study"].pk]))
    assert csv_answer["Content-Type"] == "text/csv; charset=utf-8"


def test_codebook_template_merge_and_split_carry_codings(study_world, client, codes):
    w = study_world
    lead, study, document = w["lead"], w["study"], w["document"]
    client.force_login(lead)
    response = client.post(
        reverse("evaluation:codebook_template", args=[study.pk]),
        {"template": "barriers_facilitators"},
    )
    assert response.status_code == 302
    assert Code.objects.filter(study=study).count() == 2 + 4 * 3
    first, second = codes
    services.add_codings(by=lead, document=document, codes=[first], start=10, end=20)
    services.add_codings(by=lead, document=document, codes=[second], start=30, end=40)
    response = client.post(
        reverse("evaluation:code_merge", args=[second.pk]), {"target": str(first.pk)}
    )
    assert response.status_code == 302
    assert not Code.objects.filter(pk=second.pk).exists()
    assert sorted(Coding.objects.filter(code=first).values_list("start", flat=True)) == [10, 30]
    moved = Coding.objects.get(code=first, start=30)
    response = client.post(
        reverse("evaluation:code_split", args=[first.pk]),
        {"new_name": "Référer avec suivi", "moved": [str(moved.pk)]},
    )
    assert response.status_code == 302
    part = Code.objects.get(study=study, name="Référer avec suivi")
    assert list(Coding.objects.filter(code=part).values_list("start", flat=True)) == [30]
    kinds = list(study.codebook_changes.values_list("kind", flat=True))
    assert {"created", "template", "merged", "split"} <= set(kinds)
