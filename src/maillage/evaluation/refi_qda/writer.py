"""Writing a project as project.qde / .qdpx, and a codebook as .qdc (QDA-XML 1.0).

The XML is written by hand rather than through ElementTree so that the element order is the
schema's by construction and a "\\r" inside a description survives (a parser turns a raw
"\\r\\n" into "\\n"; "&#13;" keeps it). Every text source travels as an internal UTF-8 file,
`sources/<guid>.txt`, byte for byte; notes travel the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal

from .model import (
    NAMESPACE_CODEBOOK,
    NAMESPACE_PROJECT,
    Case,
    Code,
    Coding,
    Note,
    Project,
    Selection,
    Set,
    TextSource,
    VariableValue,
)
from .problems import Kind, Problem, QdaFileError

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)


def source_path(source: TextSource) -> str:
    return f"sources/{source.guid}.txt"


def note_path(note: Note) -> str:
    return f"sources/{note.guid}.txt"


def datetime_text(value: dt.datetime) -> str:
    """xsd:dateTime in UTC with a "Z"; fractions of a second only when there are some."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    text = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


class _Xml:
    def __init__(self) -> None:
        self.parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        self.problems: list[Problem] = []

    def _check(self, text: str, element: str) -> str:
        if _NOT_XML.search(text):
            self.problems.append(
                Problem(
                    Kind.CANNOT_WRITE, element, {"reason": "a control character XML cannot carry"}
                )
            )
        return text

    def open(
        self, tag: str, attributes: Iterable[tuple[str, object]], *, empty: bool = False
    ) -> None:
        rendered = []
        for name, value in attributes:
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, dt.datetime):
                value = datetime_text(value)
            text = self._check(str(value), f"{tag} {name}")
            rendered.append(f' {name}="{text.translate(_ATTRIBUTE_ESCAPES)}"')
        self.parts.append(f"<{tag}{''.join(rendered)}{'/' if empty else ''}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def leaf(self, tag: str, text: str) -> None:
        text = self._check(text, tag)
        self.parts.append(f"<{tag}>{text.translate(_TEXT_ESCAPES)}</{tag}>")

    def refs(self, tag: str, guids: Iterable[str], attribute: str = "targetGUID") -> None:
        for guid in guids:
            self.open(tag, [(attribute, guid)], empty=True)

    def result(self) -> bytes:
        if self.problems:
            raise QdaFileError(self.problems)
        return "".join(self.parts).encode("utf-8")


def _description(xml: _Xml, text: str) -> None:
    if text:
        xml.leaf("Description", text)


def _code(xml: _Xml, code: Code, *, in_codebook: bool) -> None:
    xml.open(
        "Code",
        [
            ("guid", code.guid),
            ("name", code.name),
            ("isCodable", code.is_codable),
            ("color", code.color),
        ],
    )
    _description(xml, code.description)
    if not in_codebook:
        xml.refs("NoteRef", code.note_guids)
    for child in code.children:
        _code(xml, child, in_codebook=in_codebook)
    xml.close("Code")


def _value(xml: _Xml, value: VariableValue) -> None:
    xml.open("VariableValue", [])
    xml.refs("VariableRef", [value.variable_guid])
    v = value.value
    if isinstance(v, bool):
        xml.leaf("BooleanValue", "true" if v else "false")
    elif isinstance(v, int):
        xml.leaf("IntegerValue", str(v))
    elif isinstance(v, Decimal):
        xml.leaf("FloatValue", format(v, "f"))
    elif isinstance(v, dt.datetime):
        xml.leaf("DateTimeValue", datetime_text(v))
    elif isinstance(v, dt.date):
        xml.leaf("DateValue", v.isoformat())
    elif v is not None:
        xml.leaf("TextValue", v)
    xml.close("VariableValue")


def _case(xml: _Xml, case: Case) -> None:
    xml.open("Case", [("guid", case.guid), ("name", case.name)])
    _description(xml, case.description)
    xml.refs("CodeRef", case.code_guids)
    for value in case.values:
        _value(xml, value)
    xml.refs("SourceRef", case.source_guids)
    xml.refs("SelectionRef", case.selection_guids)
    xml.close("Case")


def _coding(xml: _Xml, coding: Coding) -> None:
    xml.open(
        "Coding",
        [
            ("guid", coding.guid),
            ("creatingUser", coding.creating_user),
            ("creationDateTime", coding.created_at),
        ],
    )
    xml.refs("CodeRef", [coding.code_guid])
    xml.refs("NoteRef", coding.note_guids)
    xml.close("Coding")


def _selection(xml: _Xml, selection: Selection) -> None:
    xml.open(
        "PlainTextSelection",
        [
            ("guid", selection.guid),
            ("name", selection.name),
            ("startPosition", selection.start),
            ("endPosition", selection.end),
            ("creatingUser", selection.creating_user),
            ("creationDateTime", selection.created_at),
        ],
    )
    _description(xml, selection.description)
    for coding in selection.codings:
        _coding(xml, coding)
    xml.refs("NoteRef", selection.note_guids)
    xml.close("PlainTextSelection")


def _source(xml: _Xml, source: TextSource) -> None:
    xml.open(
        "TextSource",
        [
            ("guid", source.guid),
            ("name", source.name),
            ("plainTextPath", f"internal://{source.guid}.txt"),
            ("creatingUser", source.creating_user),
            ("creationDateTime", source.created_at),
        ],
    )
    _description(xml, source.description)
    for selection in source.selections:
        _selection(xml, selection)
    xml.refs("NoteRef", source.note_guids)
    for value in source.values:
        _value(xml, value)
    xml.close("TextSource")


def _set(xml: _Xml, item: Set, *, in_codebook: bool) -> None:
    xml.open("Set", [("guid", item.guid), ("name", item.name)])
    _description(xml, item.description)
    if in_codebook:
        # The codebook schema names the member by a "guid" attribute, the project's by "targetGUID".
        xml.refs("MemberCode", item.member_codes, attribute="guid")
    else:
        xml.refs("MemberCode", item.member_codes)
        xml.refs("MemberSource", item.member_sources)
        xml.refs("MemberNote", item.member_notes)
    xml.close("Set")


def project_qde(project: Project) -> bytes:
    """The project.qde document: the schema's elements, in the schema's order."""
    xml = _Xml()
    xml.open(
        "Project",
        [
            ("xmlns", NAMESPACE_PROJECT),
            ("name", project.name),
            ("origin", project.origin),
            ("creatingUserGUID", project.creating_user),
            ("creationDateTime", project.created_at),
            ("modifyingUserGUID", project.modifying_user),
            ("modifiedDateTime", project.modified_at),
            ("basePath", project.base_path),
        ],
    )
    if project.users:
        xml.open("Users", [])
        for user in project.users:
            xml.open(
                "User", [("guid", user.guid), ("name", user.name), ("id", user.id)], empty=True
            )
        xml.close("Users")
    if project.codes:
        xml.open("CodeBook", [])
        xml.open("Codes", [])
        for code in project.codes:
            _code(xml, code, in_codebook=False)
        xml.close("Codes")
        xml.close("CodeBook")
    if project.variables:
        xml.open("Variables", [])
        for variable in project.variables:
            xml.open(
                "Variable",
                [
                    ("guid", variable.guid),
                    ("name", variable.name),
                    ("typeOfVariable", variable.type.value),
                ],
            )
            _description(xml, variable.description)
            xml.close("Variable")
        xml.close("Variables")
    if project.cases:
        xml.open("Cases", [])
        for case in project.cases:
            _case(xml, case)
        xml.close("Cases")
    if project.sources:
        xml.open("Sources", [])
        for source in project.sources:
            _source(xml, source)
        xml.close("Sources")
    if project.notes:
        xml.open("Notes", [])
        for note in project.notes:
            xml.open(
                "Note",
                [
                    ("guid", note.guid),
                    ("name", note.name),
                    ("plainTextPath", f"internal://{note.guid}.txt"),
                    ("creatingUser", note.creating_user),
                    ("creationDateTime", note.created_at),
                ],
                empty=True,
            )
        xml.close("Notes")
    if project.sets:
        xml.open("Sets", [])
        for item in project.sets:
            _set(xml, item, in_codebook=False)
        xml.close("Sets")
    _description(xml, project.description)
    xml.refs("NoteRef", project.note_guids)
    xml.close("Project")
    return xml.result()


def codebook_qdc(project: Project) -> bytes:
    """The .qdc document: the codebook and the sets of codes, nothing else."""
    if not project.codes:
        raise QdaFileError([Problem(Kind.CANNOT_WRITE, "CodeBook", {"reason": "it holds no code"})])
    xml = _Xml()
    xml.open("CodeBook", [("xmlns", NAMESPACE_CODEBOOK), ("origin", project.origin)])
    xml.open("Codes", [])
    for code in project.codes:
        _code(xml, code, in_codebook=True)
    xml.close("Codes")
    code_sets = [item for item in project.sets if item.member_codes]
    if code_sets:
        xml.open("Sets", [])
        for item in code_sets:
            _set(xml, item, in_codebook=True)
        xml.close("Sets")
    xml.close("CodeBook")
    return xml.result()


def write_qdpx(project: Project, target: io.BufferedIOBase | None = None) -> bytes:
    """The .qdpx archive: project.qde and every source and note as sources/<guid>.txt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_qde(project))
        for source in project.sources:
            archive.writestr(source_path(source), source.text.encode("utf-8"))
        for note in project.notes:
            archive.writestr(note_path(note), note.text.encode("utf-8"))
    data = buffer.getvalue()
    if target is not None:
        target.write(data)
    return data
