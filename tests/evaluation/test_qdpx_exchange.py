"""A study exported as .qdpx and imported again is the same study (issue 16); the file
follows the schema; only the lead exports; a refused file writes nothing."""

import io
import zipfile
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

from maillage.evaluation import services
from maillage.evaluation.models import Code, Coding, Document, Participant, Study
from maillage.evaluation.qdpx_exchange import ExchangeRefusedError, export_study, import_file

from .qda_schema import check


@pytest.fixture
def coded(study_world):
    w = study_world
    lead, coder, document = w["lead"], w["coder"], w["document"]
    barrier = services.create_code(
        by=lead, study=w["study"], name="Barrières", definition="Ce qui freine", colour="#aa0000"
    )
    orga = services.create_code(
        by=lead,
        study=w["study"],
        name="Organisationnel",
        parent=barrier,
        use_when="Quand l’organisation est en cause",
        example="« On manque de monde »",
        inductive=True,
    )
    services.add_code_memo(by=lead, code=orga, text="À revoir\r\navec l’équipe 🎉")
    text = document.text
    start = text.index("on réfère")
    services.add_codings(by=lead, document=document, codes=[orga], start=start, end=start + 30)
    services.add_codings(
        by=coder,
        document=document,
        codes=[orga, barrier],
        start=start + 5,
        end=start + 40,
        memo="Chevauche celle de la responsable",
    )
    services.reveal_codings(by=lead, study=w["study"])
    return w


def _codings(study):
    return Counter(
        (c.document.title, c.document.text[c.start : c.end], c.coder_id, c.code.name, c.memo)
        for c in Coding.objects.filter(document__study=study).select_related("document", "code")
    )


def _codes(study):
    return sorted(
        (
            c.name,
            c.parent.name if c.parent else "",
            c.colour,
            c.definition,
            c.use_when,
            c.example,
            c.inductive,
            tuple(m.text for m in c.memos.all()),
        )
        for c in Code.objects.filter(study=study)
    )


def test_a_study_exported_and_imported_again_is_the_same_study(coded):
    study, lead = coded["study"], coded["lead"]
    data = export_study(by=lead, study=study)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert check(archive.read("project.qde")) == []
        names = archive.read("project.qde").decode()
    assert "Sylvie Gagnon" not in names  # real names never leave Maillage

    report = import_file(by=lead, data=data)
    copy = report.study
    assert copy.pk != study.pk
    assert copy.evaluators.get(user=lead).role == "lead"
    assert _codes(copy) == _codes(study)
    originals = {d.title: d.text for d in Document.objects.filter(study=study)}
    assert {d.title: d.text for d in Document.objects.filter(study=copy)} == originals
    assert _codings(copy) == _codings(study)
    assert set(Participant.objects.filter(study=copy).values_list("pseudonym", flat=True)) == set(
        Participant.objects.filter(study=study).values_list("pseudonym", flat=True)
    )
    assert report.counts["codes"] == 2
    assert report.counts["codings"] == 3
    assert report.counts["selections"] == 2
    assert report.counts["users"] == 2


def test_a_codebook_imports_into_the_lead_s_other_study(coded):
    qdc = export_study(by=coded["lead"], study=coded["study"], codebook_only=True)
    assert check(qdc, codebook=True) == []
    report = import_file(by=coded["stranger"], data=qdc, study=coded["other"])
    assert sorted(Code.objects.filter(study=coded["other"]).values_list("name", flat=True)) == [
        "Barrières",
        "Organisationnel",
    ]
    assert report.counts["codes"] == 2


def test_only_the_lead_exports_and_others_learn_nothing(coded):
    with pytest.raises(PermissionDenied):
        export_study(by=coded["coder"], study=coded["study"])
    for outsider in ("stranger", "coordinator", "participant_user"):
        with pytest.raises(Http404):
            export_study(by=coded[outsider], study=coded["study"])
    with pytest.raises(Http404):
        import_file(by=coded["stranger"], data=b"", study=coded["study"])


def test_in_blind_mode_the_lead_exports_only_the_lead_s_codings(study_world):
    w = study_world
    code = services.create_code(by=w["lead"], study=w["study"], name="Thème")
    services.add_codings(by=w["lead"], document=w["document"], codes=[code], start=0, end=7)
    services.add_codings(by=w["coder"], document=w["document"], codes=[code], start=3, end=9)
    copy = import_file(by=w["lead"], data=export_study(by=w["lead"], study=w["study"])).study
    assert list(Coding.objects.filter(document__study=copy).values_list("coder", flat=True)) == [
        w["lead"].pk
    ]


def test_a_refused_file_writes_nothing_and_names_the_element(coded):
    data = export_study(by=coded["lead"], study=coded["study"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    orga = str(Code.objects.get(study=coded["study"], name="Organisationnel").pk)
    files["project.qde"] = files["project.qde"].replace(
        f'<CodeRef targetGUID="{orga}"/>'.encode(),
        b'<CodeRef targetGUID="d299efae-5779-46dc-9827-a3d1a5d544bc"/>',
    )
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    before = (Study.objects.count(), Code.objects.count(), Coding.objects.count())
    with pytest.raises(ExchangeRefusedError) as error:
        import_file(by=coded["lead"], data=broken.getvalue())
    assert "d299efae-5779-46dc-9827-a3d1a5d544bc" in error.value.lines[0]
    assert error.value.lines[0].startswith("Coding ")
    assert (Study.objects.count(), Code.objects.count(), Coding.objects.count()) == before


def test_the_commands_export_and_import_with_counts_by_kind(coded, tmp_path):
    target = tmp_path / "etude.qdpx"
    call_command("export_qdpx", str(coded["study"].pk), str(target))
    out = io.StringIO()
    call_command("import_qdpx", str(target), lead=coded["lead"].email, stdout=out)
    assert "codes: 2, sources: 1, selections: 2, codings: 3, users: 2, notes: 3" in out.getvalue()


def test_a_name_on_record_in_a_source_refuses_the_import_until_confirmed_with_a_reason(coded):
    from maillage.evaluation import refi_qda as qda

    project = qda.Project(
        name="Autre outil",
        codes=[qda.Code("0f8a1907-7e42-4739-8610-a676b4d1b69f", "Thème")],
        sources=[
            qda.TextSource(
                "69a4332d-5b31-4915-b520-5275cfc21b40",
                "Groupe",
                "Animatrice : Bonjour. Worker Test : on a appelé au 514-555-1234.",
            )
        ],
    )
    data = qda.write_qdpx(project)
    studies = Study.objects.count()
    with pytest.raises(ExchangeRefusedError) as error:
        import_file(by=coded["lead"], data=data)
    assert any("514-555-1234" in line for line in error.value.lines)
    assert Study.objects.count() == studies

    report = import_file(by=coded["lead"], data=data, deidentified_reason="Fictional example")
    assert Document.objects.get(study=report.study).text == project.sources[0].text


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_study_s_size(
    coded, django_assert_max_num_queries
):
    study, lead = coded["study"], coded["lead"]
    with django_assert_max_num_queries(25) as small:
        export_study(by=lead, study=study)
    code = Code.objects.get(study=study, name="Barrières")
    text = coded["document"].text
    for start in range(0, len(text) - 10, 10):
        services.add_codings(
            by=lead, document=coded["document"], codes=[code], start=start, end=start + 5
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        export_study(by=lead, study=study)


def test_cases_and_variables_of_another_tool_become_participants_and_attributes(coded):
    from maillage.evaluation import refi_qda as qda

    setting, again = "0b1e4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "1b1e4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    source = "69a4332d-5b31-4915-b520-5275cfc21b40"
    project = qda.Project(
        name="Autre outil",
        variables=[qda.Variable(setting, "Milieu"), qda.Variable(again, "Milieu")],
        cases=[
            qda.Case(
                "2b1e4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
                "Entrevue numéro un du groupe de la DPJ",
                values=[qda.VariableValue(setting, "DPJ"), qda.VariableValue(again, "CLSC")],
                source_guids=[source],
            ),
            qda.Case("3b1e4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "P07"),
        ],
        sources=[qda.TextSource(source, "Groupe", "On se parle entre milieux.")],
        sets=[qda.Set("4b1e4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "DPJ", "2026-03-02", [], [source])],
    )
    study = import_file(by=coded["lead"], data=qda.write_qdpx(project)).study
    participants = {p.pseudonym: p for p in Participant.objects.filter(study=study)}
    assert set(participants) == {"P01", "P07"}
    values = sorted((v.attribute.name, v.value) for v in participants["P01"].attribute_values.all())
    assert values == [("Milieu", "DPJ"), ("Milieu (2)", "CLSC")]
    session = study.sessions.get()
    assert (session.setting, session.held_on.isoformat()) == ("DPJ", "2026-03-02")
    assert list(session.present.all()) == [participants["P01"]]
