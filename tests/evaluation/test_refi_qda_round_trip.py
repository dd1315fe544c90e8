"""Export then import gives the same project back: codes and their tree, every source byte
for byte, every passage's text, coder and code (REFI-QDA, issue 16)."""

import io
import zipfile

from hypothesis import HealthCheck, given, settings

from maillage.evaluation.refi_qda import codebook_qdc, project_qde, read_qdc, read_qdpx, write_qdpx

from .qda_projects import projects
from .qda_schema import check


def _passages(project):
    codes = {c.guid: c.name for c in project.all_codes()}
    return sorted(
        (source.guid, source.text[s.start : s.end], coding.creating_user, codes[coding.code_guid])
        for source in project.sources
        for s in source.selections
        for coding in s.codings
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_a_project_written_and_read_back_is_the_same_project(project):
    archive = write_qdpx(project)
    result = read_qdpx(archive)

    assert result.project == project
    assert result.notices == []
    with zipfile.ZipFile(io.BytesIO(archive)) as written:
        for source in project.sources:
            assert written.read(f"sources/{source.guid}.txt") == source.text.encode("utf-8")
    assert _passages(result.project) == _passages(project)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_every_exported_project_and_codebook_follows_the_schema(project):
    assert check(project_qde(project)) == []
    codebook = codebook_qdc(project)
    assert check(codebook, codebook=True) == []
    back = read_qdc(codebook).project
    assert [c.name for c in back.all_codes()] == [c.name for c in project.all_codes()]
    assert [c.guid for c in back.all_codes()] == [c.guid for c in project.all_codes()]


def test_the_schema_check_catches_order_attributes_guids_and_date_times():
    ns = 'xmlns="urn:QDA-XML:project:1.0"'
    wrong = (
        f'<Project {ns} creationDateTime="2026-13-01 10:00">'
        '<CodeBook><Codes><Code guid="not-a-guid" name="a"/></Codes></CodeBook>'
        '<Users><User guid="6d0f1d7e-3c51-4c2e-9a57-1c1f3f0b7a10"/></Users>'
        "</Project>"
    ).encode()
    errors = "\n".join(check(wrong))
    assert "required attribute 'name' is missing" in errors
    assert "creationDateTime='2026-13-01 10:00' is not a valid dateTime" in errors
    assert "guid='not-a-guid' is not a valid guid" in errors
    assert "required attribute 'isCodable' is missing" in errors
    assert "Users is out of the schema's order" in errors
