"""The end of a study (issue 15, item 8): its archive holds everything it holds, by
pseudonym only, and its deletion, only after an up-to-date archive (or the title typed),
removes every row it owned, leaves no orphan and keeps an audit event with the counts and
the archive's checksum. On the page (confirmation step) and in the API, in English and
French; the lead alone (a coder 403, anyone else 404)."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from maillage.audit.models import Action, AuditEvent
from maillage.core.models import User
from maillage.directory.models import Practitioner
from maillage.evaluation import refi_qda as qda
from maillage.evaluation import services
from maillage.evaluation.models import (
    AttributeValue,
    Code,
    CodebookChange,
    CodeMemo,
    Coding,
    Document,
    Participant,
    Session,
    SpeakerTurn,
    Study,
    StudyAttribute,
    StudyEvaluator,
)

pytestmark = pytest.mark.django_db

MEMBERS = {
    "study.qdpx",
    "participants.csv",
    "research_consents.csv",
    "codebook_history.csv",
    "manifest.json",
}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["maillage_language"] = "en"


@pytest.fixture
def world(study_world):
    """Two codes (one with a memo), a coding by each coder, revealed."""
    w = study_world
    lead, coder, document = w["lead"], w["coder"], w["document"]
    refer = services.create_code(
        by=lead, study=w["study"], name="Référer sans suivi", definition="Orienter sans suite."
    )
    roles = services.create_code(by=coder, study=w["study"], name="Rôles", inductive=True)
    services.add_code_memo(by=lead, code=refer, text="À discuter.")
    start = document.text.index("on réfère")
    services.add_codings(by=lead, document=document, codes=[refer], start=start, end=start + 30)
    services.add_codings(by=coder, document=document, codes=[roles], start=start, end=start + 20)
    services.reveal_codings(by=lead, study=w["study"])
    return w | {"refer": refer, "roles": roles}


def _rows(study) -> dict[str, set]:
    """Every row the study owns, table by table (to look for orphans after its deletion)."""
    return {
        "evaluators": set(StudyEvaluator.objects.filter(study=study).values_list("pk", flat=True)),
        "participants": set(Participant.objects.filter(study=study).values_list("pk", flat=True)),
        "values": set(
            AttributeValue.objects.filter(participant__study=study).values_list("pk", flat=True)
        ),
        "attributes": set(StudyAttribute.objects.filter(study=study).values_list("pk", flat=True)),
        "sessions": set(Session.objects.filter(study=study).values_list("pk", flat=True)),
        "documents": set(Document.objects.filter(study=study).values_list("pk", flat=True)),
        "turns": set(
            SpeakerTurn.objects.filter(document__study=study).values_list("pk", flat=True)
        ),
        "codes": set(Code.objects.filter(study=study).values_list("pk", flat=True)),
        "codings": set(Coding.objects.filter(document__study=study).values_list("pk", flat=True)),
        "memos": set(CodeMemo.objects.filter(code__study=study).values_list("pk", flat=True)),
        "changes": set(CodebookChange.objects.filter(study=study).values_list("pk", flat=True)),
    }


MODELS = {
    "evaluators": StudyEvaluator,
    "participants": Participant,
    "values": AttributeValue,
    "attributes": StudyAttribute,
    "sessions": Session,
    "documents": Document,
    "turns": SpeakerTurn,
    "codes": Code,
    "codings": Coding,
    "memos": CodeMemo,
    "changes": CodebookChange,
}


def _read_csv(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_archive_holds_everything_by_pseudonym(world, client):
    w = world
    client.force_login(w["lead"])
    study_page = client.get(reverse("evaluation:study", args=[w["study"].pk]))
    delete_url = reverse("evaluation:study_delete", args=[w["study"].pk])
    assert delete_url in study_page.content.decode()
    response = client.get(reverse("evaluation:study_archive", args=[w["study"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = response.content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(archive.namelist()) == MEMBERS
        # The real names of participants never leave the server.
        for name in archive.namelist():
            assert b"Sylvie Gagnon" not in archive.read(name), name
        participants = _read_csv(archive, "participants.csv")
        consents = _read_csv(archive, "research_consents.csv")
        history = _read_csv(archive, "codebook_history.csv")
        manifest = json.loads(archive.read("manifest.json"))
        project = qda.read_any(archive.read("study.qdpx")).project
    header = participants[0]
    assert header[:5] == ["Pseudonym", "Sector", "Organization", "Team", "Role"]
    assert "setting" in header
    by_pseudonym = {row[0]: dict(zip(header, row, strict=True)) for row in participants[1:]}
    outside, worker = w["outside"].pseudonym, w["worker"].pseudonym
    assert by_pseudonym[outside]["setting"] == "CLSC" and by_pseudonym[outside]["Sector"] == ""
    assert by_pseudonym[worker]["setting"] == "CRD"
    assert by_pseudonym[worker]["Organization"]  # from the directory
    assert sorted(consents[1:]) == sorted([[outside, "2026-01-05", ""], [worker, "2026-01-05", ""]])
    assert {"Code created"} <= {row[2] for row in history[1:]}
    assert {"Référer sans suivi", "Rôles"} <= {row[3] for row in history[1:]}
    assert manifest["counts"]["codings"] == 2 and manifest["counts"]["participants"] == 2
    # The .qdpx carries both coders' codings, the memo and the codebook.
    codings = [c for s in project.sources for sel in s.selections for c in sel.codings]
    assert len(codings) == 2
    assert {c.name for c in project.codes} >= {"Référer sans suivi", "Rôles"}
    event = AuditEvent.objects.get(
        action=Action.EXPORTED, object_id=str(w["study"].pk), details__format="archive"
    )
    assert event.actor == w["lead"]
    assert event.details["sha256"] == hashlib.sha256(data).hexdigest()
    page = client.get(delete_url)
    assert event.details["sha256"] in page.content.decode()


def test_deletion_needs_an_archive_or_the_title_then_leaves_nothing(world, client):
    w = world
    study, other = w["study"], w["other"]
    client.force_login(w["lead"])
    url = reverse("evaluation:study_delete", args=[study.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "No archive of the study was made." in page.content.decode()
    for typed in ("", "Focus groups"):
        refused = client.post(url, {"confirm_title": typed})
        assert refused.status_code == 422
        assert "type the study&#x27;s title" in refused.content.decode()
    too_long = client.post(url, {"confirm_title": "x" * 201})
    assert too_long.status_code == 422
    assert Study.objects.filter(pk=study.pk).exists()

    before = _rows(study)
    other_before = _rows(other)
    assert all(before[t] for t in ("participants", "documents", "turns", "codings", "memos"))
    archive = client.get(reverse("evaluation:study_archive", args=[study.pk])).content
    done = client.post(url, {"confirm_title": ""})
    assert done.status_code == 302 and done["Location"] == reverse("evaluation:studies")

    assert not Study.objects.filter(pk=study.pk).exists()
    for table, ids in before.items():
        assert not MODELS[table].objects.filter(pk__in=ids).exists(), table
    assert _rows(other) == other_before
    # People of the network are not the study's: they stay.
    assert User.objects.filter(pk__in=[w["lead"].pk, w["coder"].pk]).count() == 2
    assert Practitioner.objects.filter(pk=w["worker"].practitioner_id).exists()
    event = AuditEvent.objects.get(action=Action.DELETED, object_id=str(study.pk))
    assert event.actor == w["lead"] and event.object_label == "Focus groups 2026"
    assert event.details["removed"]["codings"] == 2
    assert event.details["removed"]["documents"] == 1
    assert event.details["removed"]["participants"] == 2
    assert event.details["archive_sha256"] == hashlib.sha256(archive).hexdigest()
    assert event.details["confirmed_by_title"] is False
    listing = client.get(reverse("evaluation:studies"))
    assert "Focus groups 2026" in listing.content.decode()  # the success message only
    assert client.get(reverse("evaluation:study", args=[study.pk])).status_code == 404


def test_an_archive_outdated_by_a_change_is_not_enough_the_title_is(world, client):
    w = world
    study = w["study"]
    client.force_login(w["lead"])
    client.get(reverse("evaluation:study_archive", args=[study.pk]))
    start = w["document"].text.index("rencontres")
    services.add_codings(
        by=w["coder"], document=w["document"], codes=[w["refer"]], start=start, end=start + 10
    )
    url = reverse("evaluation:study_delete", args=[study.pk])
    refused = client.post(url, {"confirm_title": ""})
    assert refused.status_code == 422
    assert "The study changed after its archive was made." in refused.content.decode()
    assert Coding.objects.filter(document__study=study).count() == 3
    done = client.post(url, {"confirm_title": "  Focus groups 2026 "})
    assert done.status_code == 302
    event = AuditEvent.objects.get(action=Action.DELETED, object_id=str(study.pk))
    assert event.details["confirmed_by_title"] is True
    assert event.details["archive_sha256"] == ""
    assert event.details["removed"]["codings"] == 3


def test_a_blind_study_is_not_archived_until_the_reveal(study_world, client):
    w = study_world
    client.force_login(w["lead"])
    answer = client.get(reverse("evaluation:study_archive", args=[w["study"].pk]), follow=True)
    assert "reveal them first" in answer.content.decode()
    api = client.get(f"/api/v1/evaluation/studies/{w['study'].pk}/archive")
    assert api.status_code == 422
    assert not AuditEvent.objects.filter(details__format="archive").exists()


def test_the_api_archives_and_deletes_for_the_lead_alone(world, client):
    w = world
    study = w["study"]
    base = f"/api/v1/evaluation/studies/{study.pk}"
    body = json.dumps({"confirm_title": ""})
    client.force_login(w["coder"])
    assert client.get(base + "/archive").status_code == 403
    assert client.delete(base, body, content_type="application/json").status_code == 403
    client.force_login(w["stranger"])
    assert client.get(base + "/archive").status_code == 404
    assert client.delete(base, body, content_type="application/json").status_code == 404
    client.force_login(w["lead"])
    refused = client.delete(base, body, content_type="application/json")
    assert refused.status_code == 422
    assert "confirm_title" in refused.content.decode()
    too_long = client.delete(
        base, json.dumps({"confirm_title": "x" * 201}), content_type="application/json"
    )
    assert too_long.status_code == 422
    assert Study.objects.filter(pk=study.pk).exists()
    archive = client.get(base + "/archive")
    assert archive.status_code == 200
    assert archive["X-Archive-SHA256"] == hashlib.sha256(archive.content).hexdigest()
    done = client.delete(base, body, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["removed"]["codings"] == 2
    assert not Study.objects.filter(pk=study.pk).exists()


def test_the_confirmation_step_in_french(world, client):
    client.cookies["maillage_language"] = "fr"
    client.force_login(world["lead"])
    url = reverse("evaluation:study_delete", args=[world["study"].pk])
    page = client.get(url).content.decode()
    assert "Supprimer l’étude" in page
    assert "Aucune archive de l’étude n’a été faite." in page
    refused = client.post(url, {"confirm_title": ""}).content.decode()
    assert "tapez le titre de l’étude" in refused
