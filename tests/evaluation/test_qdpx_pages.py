"""The REFI-QDA exchange on the pages and in the API: the lead exports and brings a
codebook; anyone who may start a study imports a project; nobody else learns the study
exists (404), a coder of the study is refused (403); bad files are 422 naming the element,
nothing written."""

import io
import zipfile

import pytest
from django.urls import reverse

from maillage.evaluation import refi_qda as qda
from maillage.evaluation import services
from maillage.evaluation.models import Code, Study

pytestmark = pytest.mark.django_db

QDC = qda.codebook_qdc(
    qda.Project(
        name="",
        origin="QualCoder 3.5",
        codes=[
            qda.Code(
                "0f8a1907-7e42-4739-8610-a676b4d1b69f",
                "Externe",
                children=[qda.Code("85d17f60-7bb0-481e-b742-b4861dd669df", "Pandémie")],
            )
        ],
    )
)


def _upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def world(study_world):
    services.create_code(by=study_world["lead"], study=study_world["study"], name="Organisationnel")
    return study_world


def _routes(study):
    return {
        "export_qdpx": reverse("evaluation:export_qdpx", args=[study.pk]),
        "export_qdc": reverse("evaluation:export_qdc", args=[study.pk]),
        "import_qdc": reverse("evaluation:import_qdc", args=[study.pk]),
        "api_export": f"/api/v1/evaluation/exchange/studies/{study.pk}/export.qdpx",
        "api_codebook": f"/api/v1/evaluation/exchange/studies/{study.pk}/codebook",
    }


def test_the_lead_exports_the_study_and_its_codebook(world, verified_login):
    client = verified_login(world["lead"])
    routes = _routes(world["study"])
    page = client.get(reverse("evaluation:study", args=[world["study"].pk]))
    assert routes["export_qdpx"].encode() in page.content
    response = client.get(routes["export_qdpx"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert b"Organisationnel" in archive.read("project.qde")
    qdc = client.get(routes["export_qdc"])
    assert qdc.status_code == 200 and b"urn:QDA-XML:codebook:1.0" in qdc.content
    api = client.get(routes["api_export"])
    assert api.status_code == 200 and api.content[:2] == b"PK"


def test_the_lead_imports_a_codebook_on_the_page_and_in_the_api(world, verified_login):
    client = verified_login(world["lead"])
    routes = _routes(world["study"])
    response = client.post(routes["import_qdc"], {"file": _upload(QDC, "codes.qdc")})
    assert response.status_code == 302
    names = set(Code.objects.filter(study=world["study"]).values_list("name", flat=True))
    assert {"Externe", "Pandémie"} <= names
    again = client.post(routes["api_codebook"], {"file": _upload(QDC, "codes.qdc")})
    assert again.status_code == 200
    # Names the codebook already had are kept apart, and said.
    assert "Externe (2)" in again.json()["notices"][0]


def test_a_new_study_is_imported_from_a_qdpx_on_the_page(world, verified_login):
    client = verified_login(world["coder"])
    data = client.get(_routes(world["study"])["export_qdpx"])
    assert data.status_code == 403  # a coder does not export
    lead = verified_login(world["lead"])
    archive = lead.get(_routes(world["study"])["export_qdpx"]).content
    response = lead.post(
        reverse("evaluation:import_qdpx"),
        {"file": _upload(archive, "etude.qdpx"), "title": "Copie"},
    )
    assert response.status_code == 302
    copy = Study.objects.get(title="Copie")
    assert response["Location"] == reverse("evaluation:study", args=[copy.pk])


def test_a_bad_file_is_refused_naming_the_element_and_nothing_is_written(world, verified_login):
    client = verified_login(world["lead"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/cron.d/evil", "x")
    before = Study.objects.count()
    page = client.post(
        reverse("evaluation:import_qdpx"), {"file": _upload(buffer.getvalue(), "x.qdpx")}
    )
    assert page.status_code == 422
    assert "../../etc/cron.d/evil" in page.content.decode()
    api = client.post(
        "/api/v1/evaluation/exchange/studies/import-qdpx",
        {"file": _upload(b"<Project xmlns='urn:other' name='x'/>", "p.qde")},
    )
    assert api.status_code == 422
    assert "urn:other" in api.json()["errors"][0]["message"]
    assert Study.objects.count() == before


@pytest.mark.parametrize("who", ["stranger", "coordinator", "participant_user"])
def test_nobody_outside_the_study_learns_it_exists(world, verified_login, who):
    client = verified_login(world[who])
    for name, url in _routes(world["study"]).items():
        if name == "api_codebook":
            response = client.post(url, {"file": _upload(QDC, "codes.qdc")})
        else:
            response = client.get(url)
        assert response.status_code == 404, (name, response.status_code)
    assert not Code.objects.filter(name="Pandémie").exists()


def test_a_coder_of_the_study_is_refused_the_lead_s_exchange(world, verified_login):
    client = verified_login(world["coder"])
    for name, url in _routes(world["study"]).items():
        if name == "api_codebook":
            response = client.post(url, {"file": _upload(QDC, "codes.qdc")})
        else:
            response = client.get(url)
        assert response.status_code == 403, (name, response.status_code)


def test_anonymous_people_are_asked_to_log_in(world, client):
    routes = _routes(world["study"])
    assert client.get(routes["export_qdpx"]).status_code == 302
    assert client.get(reverse("evaluation:import_qdpx")).status_code == 302
    assert client.get(routes["api_export"]).status_code == 401
