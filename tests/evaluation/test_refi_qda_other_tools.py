"""Files as other tools write them, with the traps met in practice, and hostile files.

The fixtures are built here, by hand. They imitate the conventions seen in projects exported
by ATLAS.ti (upper-case GUIDs, an xsi:schemaLocation, `standalone="yes"`, each passage's
quoted text in the selection's `name`, a .docx beside each plain-text .txt) and by
desktop tools that count positions in UTF-16 units or a Windows line end as one character.
"""

import io
import zipfile

import pytest

from maillage.evaluation.refi_qda import Kind, Limits, QdaFileError, Scheme, read_any, read_qdpx

NS = 'xmlns="urn:QDA-XML:project:1.0"'
HEAD = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'
ATLAS = (
    f'<Project {NS} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="urn:QDA-XML:project:1.0 '
    'http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd" '
    'origin="ATLAS.ti for Windows 23.2" name="Groupes focaux" '
    'creatingUserGUID="088B08AC-D5CD-4ADB-8B71-B4F3459C177F" '
    'creationDateTime="2023-08-16T15:14:29Z"'
)
USERS = (
    "<Users>"
    '<User guid="088B08AC-D5CD-4ADB-8B71-B4F3459C177F" name="Évaluatrice A"/>'
    '<User guid="{C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B}" name="Évaluateur B"/>'
    "</Users>"
)
CODEBOOK = (
    "<CodeBook><Codes>"
    '<Code guid="A182CD3A-D83C-4D8C-BC80-26D9103EC6D6" name="Organisationnel" isCodable="true" '
    'color="#F00082"><Description>Barrières liées à l’organisation</Description>'
    '<Code guid="2D2466F0-D77F-4F8C-BDF9-628966B6B74D" name="Roulement du personnel" '
    'isCodable="true"/></Code>'
    "</Codes></CodeBook>"
)
CODER = "088B08AC-D5CD-4ADB-8B71-B4F3459C177F"
CODE = "2D2466F0-D77F-4F8C-BDF9-628966B6B74D"
SOURCE = "69A4332D-5B31-4915-B520-5275CFC21B40"


def qdpx(qde: str, files: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", (HEAD + qde).encode())
        for path, data in (files or {}).items():
            archive.writestr(path, data)
    return buffer.getvalue()


def selection(guid: str, start: int, end: int, *, name: str = "", code: str = CODE) -> str:
    named = f' name="{name}"' if name else ""
    return (
        f'<PlainTextSelection guid="{guid}"{named} startPosition="{start}" endPosition="{end}" '
        f'creatingUser="{CODER}" creationDateTime="2023-08-16T15:20:00Z">'
        f'<Coding guid="{guid[:-4]}AAAA" creatingUser="{CODER}"><CodeRef targetGUID="{code}"/>'
        "</Coding></PlainTextSelection>"
    )


def project_with(text: bytes, selections: str, *, origin_atlas: bool = True) -> bytes:
    head = ATLAS if origin_atlas else f'<Project {NS} name="Autre outil"'
    qde = (
        f"{head}>{USERS}{CODEBOOK}<Sources>"
        f'<TextSource guid="{SOURCE}" name="Groupe 1.docx" '
        'plainTextPath="internal://01106019-2518-43DD-BBD1-8F0252BACB30.txt" '
        'richTextPath="internal://B5566006-EB5F-43F0-9BC2-DBCD4D2F73F7.docx">'
        f"{selections}</TextSource></Sources></Project>"
    )
    return qdpx(qde, {"sources/01106019-2518-43DD-BBD1-8F0252BACB30.txt": text})


def passages(result):
    source = result.project.sources[0]
    return [source.text[s.start : s.end] for s in source.selections]


def kinds(error):
    return [p.kind for p in error.value.problems]


# -- the traps of real files -------------------------------------------------------------


def test_atlas_like_file_imports_with_upper_case_and_braced_guids_normalized():
    text = "P01 : On manque de monde.\nP02 : Le roulement est épuisant."
    result = read_qdpx(project_with(text.encode(), selection(f"{SOURCE[:-4]}0001", 32, 58)))
    assert passages(result) == ["Le roulement est épuisant."]
    coding = result.project.sources[0].selections[0].codings[0]
    assert coding.code_guid == CODE.lower()
    assert coding.creating_user == CODER.lower()
    assert {u.guid for u in result.project.users} == {
        CODER.lower(),
        "c32a2bd5-537f-4838-8b17-df9efbafdf4b",
    }
    assert result.project.codes[0].children[0].name == "Roulement du personnel"


def test_positions_counting_a_windows_line_end_as_one_character_are_recognised_by_the_quotes():
    text = "Animatrice : Bonjour.\r\nP01 : Le transport manque.\r\nP02 : Oui, le transport."
    quote = "Le transport manque."
    start = text.index(quote) - 1  # one "\r\n" before it, counted once
    result = read_qdpx(
        project_with(text.encode(), selection(f"{SOURCE[:-4]}0002", start, start + 20, name=quote))
    )
    assert result.scheme is Scheme.CRLF_AS_ONE
    assert passages(result) == [quote]
    assert Kind.POSITIONS_READ_AS in [n.kind for n in result.notices]


def test_positions_in_utf16_units_after_an_emoji_are_recognised_by_the_quotes():
    text = "P01 : 👶🏽 Le bébé dort mal. P02 : On est épuisés 😀 vraiment."
    quote = "On est épuisés"
    start = len(text[: text.index(quote)].encode("utf-16-le")) // 2
    result = read_qdpx(
        project_with(text.encode(), selection(f"{SOURCE[:-4]}0003", start, start + 14, name=quote))
    )
    assert result.scheme is Scheme.UTF16
    assert passages(result) == [quote]


def test_utf16_positions_without_quotes_are_recognised_because_only_they_fit():
    text = "🎉🎉🎉 fin"
    # The last four UTF-16 units are " fin": past the end if read as code points.
    result = read_qdpx(project_with(text.encode(), selection(f"{SOURCE[:-4]}0004", 6, 10)))
    assert result.scheme is Scheme.UTF16
    assert passages(result) == [" fin"]


def test_positions_may_be_forced_by_the_importer():
    text = "🎉 ab"
    data = project_with(text.encode(), selection(f"{SOURCE[:-4]}0005", 3, 4))
    assert passages(read_qdpx(data)) == ["b"]
    assert passages(read_qdpx(data, positions=Scheme.UTF16)) == ["a"]


def test_a_byte_order_mark_at_the_start_of_a_source_is_removed_and_positions_follow_the_text():
    text = "Été difficile."
    result = read_qdpx(
        project_with(b"\xef\xbb\xbf" + text.encode(), selection(f"{SOURCE[:-4]}0006", 0, 3))
    )
    assert result.project.sources[0].text == text
    assert passages(result) == ["Été"]
    assert Kind.BOM_REMOVED in [n.kind for n in result.notices]


def test_a_utf16_source_with_its_byte_order_mark_is_read():
    result = read_qdpx(
        project_with("\ufeffÉté 🎉".encode("utf-16-le"), selection(f"{SOURCE[:-4]}0007", 0, 3))
    )
    assert passages(result) == ["Été"]


def _external(path: str, base: str = "") -> bytes:
    base_attribute = f' basePath="{base}"' if base else ""
    qde = (
        f'<Project {NS} name="Externe"{base_attribute}>{USERS}{CODEBOOK}<Sources>'
        f'<TextSource guid="{SOURCE}" name="Entretien" plainTextPath="{path}">'
        f"{selection(SOURCE[:-4] + '0008', 0, 5)}</TextSource></Sources></Project>"
    )
    return qdpx(qde)


def test_relative_sources_are_read_from_the_folder_the_importer_allows(tmp_path):
    (tmp_path / "Entretiens").mkdir()
    (tmp_path / "Entretiens" / "e1.txt").write_text("Merci beaucoup.", encoding="utf-8")
    data = _external("relative:///Entretiens/e1.txt", base="C:/PROJET/Sources")
    result = read_qdpx(data, external_root=tmp_path)
    assert passages(result) == ["Merci"]

    with_base = _external("relative:///e1.txt", base=str(tmp_path / "Entretiens"))
    assert passages(read_qdpx(with_base, external_root=tmp_path)) == ["Merci"]


def test_absolute_sources_are_read_only_inside_the_allowed_folder(tmp_path):
    (tmp_path / "e2.txt").write_text("Salut tout le monde", encoding="utf-8")
    result = read_qdpx(_external(f"absolute://{tmp_path}/e2.txt"), external_root=tmp_path)
    assert passages(result) == ["Salut"]

    outside = read_qdpx(_external("absolute:///etc/hostname"), external_root=tmp_path)
    assert outside.project.sources == []
    assert [n.kind for n in outside.notices] == [Kind.SKIPPED_EXTERNAL]


def test_external_sources_are_reported_and_skipped_when_no_folder_is_allowed():
    result = read_qdpx(_external("relative:///Entretiens/e1.txt", base="C:/PROJET"))
    assert result.project.sources == []
    assert result.notices[0].kind is Kind.SKIPPED_EXTERNAL
    assert SOURCE in result.notices[0].message  # as the file writes it


def test_a_pdf_with_its_plain_text_is_converted_and_media_without_text_are_reported():
    pdf = "03F134F1-AB05-46E6-9C2A-6A7F26D1A001"
    qde = (
        f"{ATLAS}>{USERS}{CODEBOOK}<Sources>"
        f'<PDFSource guid="{pdf}" name="Compte rendu.pdf" path="internal://{pdf}.pdf">'
        '<Representation guid="B09E8D25-66A6-4D7E-A884-3E1A11A40E7C" '
        'plainTextPath="internal://B09E8D25-66A6-4D7E-A884-3E1A11A40E7C.txt">'
        f"{selection('95916796-D0A0-4B49-8C61-000000000001', 0, 6)}</Representation></PDFSource>"
        '<VideoSource guid="DAD05D08-38E7-4F58-BF6D-9AAE714F2F50" name="Séance.mp4" '
        'path="relative:///seance.mp4"/>'
        '<TextSource guid="57C6099B-934F-4C86-90F2-CC6C2F2A3CC3" name="Notes.docx" '
        'richTextPath="internal://9DBE0A35-06E4-4D01-B4F5-93C54FA82957.docx"/>'
        "</Sources></Project>"
    )
    result = read_qdpx(
        qdpx(
            qde, {"sources/B09E8D25-66A6-4D7E-A884-3E1A11A40E7C.txt": "Réunion du 3 mars".encode()}
        )
    )
    assert [s.name for s in result.project.sources] == ["Compte rendu.pdf"]
    assert result.project.sources[0].guid == pdf.lower()
    assert passages(result) == ["Réunio"]
    notices = [(n.kind, n.element.split()[0]) for n in result.notices]
    assert (Kind.CONVERTED_SOURCE, "PDFSource") in notices
    assert (Kind.SKIPPED_SOURCE, "VideoSource") in notices
    assert (Kind.SKIPPED_SOURCE, "TextSource") in notices


def test_a_codebook_from_another_tool_imports():
    qdc = (
        HEAD + '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="QualCoder 3.5">'
        "<Codes>"
        '<Code guid="{85D17F60-7BB0-481E-B742-B4861DD669DF}" name="Famille" isCodable="false">'
        '<Code guid="0F8A1907-7E42-4739-8610-A676B4D1B69F" name="Engagement" isCodable="true" '
        'color="#abc"><Description>Ce que dit la famille</Description></Code></Code>'
        "</Codes><Sets>"
        '<Set guid="5E3C2E41-6F7B-4B8E-9F1A-2B3C4D5E6F70" name="Thèmes">'
        '<MemberCode guid="0F8A1907-7E42-4739-8610-A676B4D1B69F"/></Set>'
        "</Sets></CodeBook>"
    )
    result = read_any(qdc.encode())
    assert result.is_codebook
    family = result.project.codes[0]
    assert (family.name, family.is_codable, family.children[0].color) == ("Famille", False, "#abc")
    assert result.project.sets[0].member_codes == ["0f8a1907-7e42-4739-8610-a676b4d1b69f"]


# -- hostile and broken files: a clear refusal naming the element, nothing imported -------


def test_a_zip_without_project_qde_is_refused():
    with pytest.raises(QdaFileError) as error:
        read_qdpx(qdpx_without_project())
    assert kinds(error) == [Kind.MISSING_PROJECT]
    assert "project.qde" in str(error.value)


def qdpx_without_project() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sources/a.txt", "texte")
    return buffer.getvalue()


def test_xml_in_an_unknown_namespace_is_refused():
    with pytest.raises(QdaFileError) as error:
        read_qdpx(qdpx('<Project xmlns="urn:QDA-XML:project:2.0" name="x"/>'))
    assert kinds(error) == [Kind.UNKNOWN_NAMESPACE]
    assert "urn:QDA-XML:project:2.0" in str(error.value)


def test_a_coding_pointing_to_a_missing_code_is_refused_naming_the_coding():
    missing = "D299EFAE-5779-46DC-9827-A3D1A5D544BC"
    data = project_with(b"abcdef", selection(f"{SOURCE[:-4]}0009", 0, 3, code=missing))
    with pytest.raises(QdaFileError) as error:
        read_qdpx(data)
    assert kinds(error) == [Kind.MISSING_REFERENCE]
    assert f"Coding {SOURCE[:-4]}AAAA" in str(error.value)
    assert missing.lower() in str(error.value)


def test_a_selection_past_the_end_of_its_source_is_refused_naming_the_selection():
    data = project_with(b"abcdef", selection(f"{SOURCE[:-4]}0010", 2, 99))
    with pytest.raises(QdaFileError) as error:
        read_qdpx(data)
    assert kinds(error) == [Kind.POSITION_OUT_OF_RANGE]
    assert f"PlainTextSelection {SOURCE[:-4]}0010" in str(error.value)


def test_a_500_megabyte_archive_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.qdpx"
    with huge.open("wb") as file:
        file.truncate(500 * 1024 * 1024)  # sparse: takes no room on disk
    with huge.open("rb") as file, pytest.raises(QdaFileError) as error:
        read_qdpx(file)
    assert kinds(error) == [Kind.ARCHIVE_TOO_LARGE]


def test_a_zip_bomb_is_refused_from_its_declared_size_without_inflating_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", HEAD + f'<Project {NS} name="x"/>')
        archive.writestr("sources/bomb.txt", b"\0" * (4 * 1024 * 1024))
    assert len(buffer.getvalue()) < 20_000
    with pytest.raises(QdaFileError) as error:
        read_qdpx(buffer.getvalue(), limits=Limits(entry_bytes=1024 * 1024))
    assert kinds(error) == [Kind.ENTRY_TOO_LARGE]
    assert "sources/bomb.txt" in str(error.value)


def test_an_entry_inflating_past_its_declared_size_is_stopped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("project.qde", HEAD + f'<Project {NS} name="x"/>')
    data = bytearray(buffer.getvalue())
    # Declare a smaller size than the real one, in the central directory, as a forger would.
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(QdaFileError):
        read_qdpx(bytes(data))


@pytest.mark.parametrize("path", ["../evil.txt", "sources/../../evil.txt", "/etc/evil", "C:/evil"])
def test_a_zip_with_paths_leaving_it_is_refused_naming_the_path(path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", HEAD + f'<Project {NS} name="x"/>')
        archive.writestr(path, "x")
    with pytest.raises(QdaFileError) as error:
        read_qdpx(buffer.getvalue())
    assert kinds(error) == [Kind.UNSAFE_PATH]
    assert path in str(error.value)


def test_a_source_path_leaving_the_sources_folder_is_refused_naming_the_source():
    qde = (
        f'<Project {NS} name="x"><Sources><TextSource guid="{SOURCE}" name="e" '
        'plainTextPath="internal://../project.qde"/></Sources></Project>'
    )
    with pytest.raises(QdaFileError) as error:
        read_qdpx(qdpx(qde))
    assert kinds(error) == [Kind.UNSAFE_PATH]
    assert f"TextSource {SOURCE}" in str(error.value)


def test_xml_declaring_entities_is_refused():
    qde = f'<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project {NS} name="&x;"/>'
    with pytest.raises(QdaFileError) as error:
        read_qdpx(qdpx(qde))
    assert kinds(error) == [Kind.FORBIDDEN_XML]


def test_a_file_that_is_neither_zip_nor_xml_is_refused():
    with pytest.raises(QdaFileError) as error:
        read_any(b"PK\x03\x04 not really a zip")
    assert kinds(error) == [Kind.NOT_A_ZIP]
    with pytest.raises(QdaFileError) as error:
        read_any(b"\x89PNG garbage")
    assert kinds(error) == [Kind.NOT_XML]
