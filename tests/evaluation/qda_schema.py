"""What the REFI-QDA schemas (Project.xsd and Codebook.xsd, QDA-XML 1.0, March 2019) require,
restated by us from reading them, and a checker of a document against it.

Each complex type is its attributes (type, required) and its content: a sequence of
(child, type, min, max), or a choice. The checker reports every departure: an element out
of the schema's order, a missing required attribute, an attribute the type does not have, a
value that is not a GUID, a colour, a boolean, an integer or an xsd:dateTime.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
UNBOUNDED = 10**9

SIMPLE = {
    "guid": re.compile(
        r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
        r"|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$"
    ),
    "rgb": re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$"),
    "boolean": re.compile(r"^(true|false|1|0)$"),
    "integer": re.compile(r"^[+-]?[0-9]+$"),
    "decimal": re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"),
    "date": re.compile(r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    # xsd:dateTime: date T time, optional fraction, optional zone.
    "dateTime": re.compile(
        r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:"
        r"[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
    ),
    "typeOfVariable": re.compile(r"^(Text|Boolean|Integer|Float|Date|DateTime)$"),
    "string": re.compile(r"^.*$", re.DOTALL),
}


@dataclass(frozen=True)
class Type:
    attributes: dict[str, tuple[str, bool]]
    sequence: tuple[tuple[str, str, int, int], ...] = ()
    choice: tuple[tuple[str, str], ...] = ()  # any number (at least choice_min) of these, any order
    choice_min: int = 1
    text: str | None = None  # a simple-content element: its text's type


def _opt(name, kind=None, many=False):
    return (name, kind or name, 0, UNBOUNDED if many else 1)


def _one(name, kind=None, many=False):
    return (name, kind or name, 1, UNBOUNDED if many else 1)


_CREATED = {"creatingUser": ("guid", False), "creationDateTime": ("dateTime", False)}
_MODIFIED = {"modifyingUser": ("guid", False), "modifiedDateTime": ("dateTime", False)}
_REF = Type({"targetGUID": ("guid", True)})
_STRING = Type({}, text="string")

PROJECT: dict[str, Type] = {
    "Project": Type(
        {
            "name": ("string", True),
            "origin": ("string", False),
            "creatingUserGUID": ("guid", False),
            "creationDateTime": ("dateTime", False),
            "modifyingUserGUID": ("guid", False),
            "modifiedDateTime": ("dateTime", False),
            "basePath": ("string", False),
        },
        (
            _opt("Users"),
            _opt("CodeBook"),
            _opt("Variables"),
            _opt("Cases"),
            _opt("Sources"),
            _opt("Notes"),
            _opt("Links"),
            _opt("Sets"),
            _opt("Graphs"),
            _opt("Description", "string"),
            _opt("NoteRef", "ref", many=True),
        ),
    ),
    "Users": Type({}, (_one("User", many=True),)),
    "User": Type({"guid": ("guid", True), "name": ("string", False), "id": ("string", False)}),
    "CodeBook": Type({}, (_one("Codes"),)),
    "Codes": Type({}, (_one("Code", many=True),)),
    "Code": Type(
        {
            "guid": ("guid", True),
            "name": ("string", True),
            "isCodable": ("boolean", True),
            "color": ("rgb", False),
        },
        (_opt("Description", "string"), _opt("NoteRef", "ref", many=True), _opt("Code", many=True)),
    ),
    "Variables": Type({}, (_one("Variable", many=True),)),
    "Variable": Type(
        {
            "guid": ("guid", True),
            "name": ("string", True),
            "typeOfVariable": ("typeOfVariable", True),
        },
        (_opt("Description", "string"),),
    ),
    "Cases": Type({}, (_one("Case", many=True),)),
    "Case": Type(
        {"guid": ("guid", True), "name": ("string", False)},
        (
            _opt("Description", "string"),
            _opt("CodeRef", "ref", many=True),
            _opt("VariableValue", many=True),
            _opt("SourceRef", "ref", many=True),
            _opt("SelectionRef", "ref", many=True),
        ),
    ),
    "VariableValue": Type(
        {},
        (_one("VariableRef", "ref"),),
        choice=(
            ("TextValue", "string"),
            ("BooleanValue", "boolean"),
            ("IntegerValue", "integer"),
            ("FloatValue", "decimal"),
            ("DateValue", "date"),
            ("DateTimeValue", "dateTime"),
        ),
        choice_min=0,
    ),
    "Sources": Type(
        {},
        choice=(
            ("TextSource", "TextSource"),
            ("PictureSource", "PictureSource"),
            ("PDFSource", "PDFSource"),
            ("AudioSource", "AudioSource"),
            ("VideoSource", "VideoSource"),
        ),
    ),
    "TextSource": Type(
        {
            "guid": ("guid", True),
            "name": ("string", False),
            "richTextPath": ("string", False),
            "plainTextPath": ("string", False),
            **_CREATED,
            **_MODIFIED,
        },
        (
            _opt("Description", "string"),
            _opt("PlainTextContent", "string"),
            _opt("PlainTextSelection", many=True),
            _opt("Coding", many=True),
            _opt("NoteRef", "ref", many=True),
            _opt("VariableValue", many=True),
        ),
    ),
    "PlainTextSelection": Type(
        {
            "guid": ("guid", True),
            "name": ("string", False),
            "startPosition": ("integer", True),
            "endPosition": ("integer", True),
            **_CREATED,
            **_MODIFIED,
        },
        (
            _opt("Description", "string"),
            _opt("Coding", many=True),
            _opt("NoteRef", "ref", many=True),
        ),
    ),
    "Coding": Type(
        {"guid": ("guid", True), **_CREATED},
        (_one("CodeRef", "ref"), _opt("NoteRef", "ref", many=True)),
    ),
    "Notes": Type({}, (_one("Note", "TextSource", many=True),)),
    "Sets": Type({}, (_one("Set", many=True),)),
    "Set": Type(
        {"guid": ("guid", True), "name": ("string", True)},
        (
            _opt("Description", "string"),
            _opt("MemberCode", "ref", many=True),
            _opt("MemberSource", "ref", many=True),
            _opt("MemberNote", "ref", many=True),
        ),
    ),
    "ref": _REF,
    "string": _STRING,
}

CODEBOOK: dict[str, Type] = {
    "CodeBook": Type({"origin": ("string", False)}, (_one("Codes"), _opt("Sets", "CodebookSets"))),
    "Codes": Type({}, (_one("Code", many=True),)),
    "Code": Type(
        {
            "guid": ("guid", True),
            "name": ("string", True),
            "isCodable": ("boolean", True),
            "color": ("rgb", False),
        },
        (_opt("Description", "string"), _opt("Code", many=True)),
    ),
    "CodebookSets": Type({}, (_one("Set", "CodebookSet", many=True),)),
    "CodebookSet": Type(
        {"guid": ("guid", True), "name": ("string", True)},
        (_opt("Description", "string"), _opt("MemberCode", "MemberCodeByGuid", many=True)),
    ),
    "MemberCodeByGuid": Type({"guid": ("guid", True)}),
    "string": _STRING,
}


def _simple(kind: str, value: str) -> bool:
    if kind in SIMPLE:
        return bool(SIMPLE[kind].match(value.strip() if kind != "string" else value))
    return True


def check(document: bytes, *, codebook: bool = False) -> list[str]:
    """Every departure of `document` from the schema, as readable lines (empty: it conforms)."""
    root = ET.fromstring(document)  # noqa: S314 (our own output, in a test)
    ns, types, root_name = (
        (CODEBOOK_NS, CODEBOOK, "CodeBook") if codebook else (PROJECT_NS, PROJECT, "Project")
    )
    errors: list[str] = []
    if root.tag != f"{{{ns}}}{root_name}":
        return [f"root element is {root.tag}, expected {{{ns}}}{root_name}"]

    def local(element: ET.Element, where: str) -> str:
        if not element.tag.startswith(f"{{{ns}}}"):
            errors.append(f"{where}: element {element.tag} is not in {ns}")
            return ""
        return element.tag[len(ns) + 2 :]

    def walk(element: ET.Element, type_name: str, where: str) -> None:
        spec = types.get(type_name) or Type({}, text=type_name)
        for name, value in element.attrib.items():
            if name not in spec.attributes:
                errors.append(f"{where}: attribute {name!r} is not in the schema")
            elif not _simple(spec.attributes[name][0], value):
                errors.append(
                    f"{where}: {name}={value!r} is not a valid {spec.attributes[name][0]}"
                )
        for name, (_, required) in spec.attributes.items():
            if required and name not in element.attrib:
                errors.append(f"{where}: required attribute {name!r} is missing")
        children = list(element)
        if spec.text is not None:
            if children:
                errors.append(f"{where}: a text element holds elements")
            elif not _simple(spec.text, element.text or ""):
                errors.append(f"{where}: {element.text!r} is not a valid {spec.text}")
            return
        if not spec.sequence and not spec.choice:
            if children or (element.text or "").strip():
                errors.append(f"{where}: must be empty")
            return
        index = 0
        for name, kind, low, high in spec.sequence:
            count = 0
            while index < len(children) and count < high and local(children[index], where) == name:
                walk(children[index], kind, f"{where}/{name}[{count}]")
                index += 1
                count += 1
            if count < low:
                errors.append(f"{where}: expected at least {low} {name} at this place")
        chosen = 0
        allowed = dict(spec.choice)
        while index < len(children) and local(children[index], where) in allowed:
            name = local(children[index], where)
            walk(children[index], allowed[name], f"{where}/{name}[{chosen}]")
            index += 1
            chosen += 1
        if spec.choice and chosen < spec.choice_min:
            errors.append(f"{where}: expected at least {spec.choice_min} of {sorted(allowed)}")
        if type_name == "VariableValue" and chosen > 1:
            errors.append(f"{where}: more than one value")
        for extra in children[index:]:
            errors.append(
                f"{where}: {local(extra, where) or extra.tag} is out of the schema's order"
            )

    walk(root, root_name, root_name)
    return errors
