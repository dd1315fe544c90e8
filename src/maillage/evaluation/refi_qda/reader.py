"""Reading .qdpx, project.qde and .qdc files written by Maillage or by other QDA tools.

All or nothing: every problem found is collected, and if there is one the whole file is
refused (`QdaFileError`, each problem naming its element). What is imported with an
interpretation or left out (a PDF carried only as its plain text, a video without
transcript, positions counted in UTF-16 units…) is said in `ImportResult.notices`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

# Types and ParseError only; parsing goes through defusedxml.
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .archive import DEFAULT_LIMITS, Archive, Limits, join_inside
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
    User,
    Variable,
    VariableType,
    VariableValue,
)
from .positions import PositionMap, Scheme, could_count
from .problems import Kind, Problem, QdaFileError

_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Derived GUIDs (a whole-source coding turned into a selection) are stable across imports.
_DERIVED = uuid.UUID("6d0f1d7e-3c51-4c2e-9a57-1c1f3f0b7a10")
_WHOLE = -1  # the end of a selection made from a coding of a whole source


@dataclass
class ImportResult:
    project: Project
    notices: list[Problem] = field(default_factory=list)
    scheme: Scheme = Scheme.CODE_POINTS
    is_codebook: bool = False


@dataclass
class _RawSelection:
    selection: Selection
    element: str


@dataclass
class _RawSource:
    source: TextSource
    raw: list[_RawSelection]


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _norm_space(text: str) -> str:
    return " ".join(text.split())


class _Reader:
    def __init__(
        self,
        *,
        namespace: str,
        archive: Archive | None,
        external_root: Path | None,
        positions: Scheme | None,
        limits: Limits,
    ):
        self.ns = namespace
        self.archive = archive
        self.external_root = external_root.resolve() if external_root else None
        self.positions = positions
        self.limits = limits
        self.problems: list[Problem] = []
        self.notices: list[Problem] = []
        self.guids: dict[str, str] = {}
        self.skipped: set[str] = set()
        self.coding_labels: dict[str, str] = {}
        self.base_path = ""

    # -- small helpers ---------------------------------------------------------------
    def q(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def children(self, element: ET.Element, local: str) -> list[ET.Element]:
        return element.findall(self.q(local))

    def child(self, element: ET.Element, local: str) -> ET.Element | None:
        return element.find(self.q(local))

    def text_of(self, element: ET.Element, local: str) -> str:
        found = self.child(element, local)
        return (found.text or "") if found is not None else ""

    def refuse(self, kind: Kind, element: str, **params: object) -> None:
        self.problems.append(Problem(kind, element, params))

    def notice(self, kind: Kind, element: str, **params: object) -> None:
        self.notices.append(Problem(kind, element, params))

    def name_of(self, element: ET.Element) -> str:
        local = _local(element.tag)[1]
        guid = element.get("guid", "")
        name = element.get("name", "")
        return f"{local} {guid}" + (f" «{name[:60]}»" if name else "")

    def guid(self, element: ET.Element, attribute: str = "guid", *, register: bool = True) -> str:
        label = self.name_of(element)
        raw = element.get(attribute)
        if raw is None:
            self.refuse(Kind.MISSING_ATTRIBUTE, label, attribute=attribute)
            return ""
        match = _GUID.match(raw.strip())
        if not match:
            self.refuse(Kind.BAD_VALUE, label, attribute=attribute, value=raw, reason="not a GUID")
            return ""
        value = match.group(1).lower()
        if register:
            if value in self.guids:
                self.refuse(Kind.DUPLICATE_GUID, label, guid=value)
            self.guids[value] = _local(element.tag)[1]
        return value

    def required(self, element: ET.Element, attribute: str) -> str:
        value = element.get(attribute)
        if value is None:
            self.refuse(Kind.MISSING_ATTRIBUTE, self.name_of(element), attribute=attribute)
            return ""
        return value

    def datetime(self, element: ET.Element, attribute: str) -> dt.datetime | None:
        raw = element.get(attribute)
        if not raw:
            return None
        value = self.parse_datetime(raw, element, attribute)
        return value

    def parse_datetime(self, raw: str, element: ET.Element, attribute: str) -> dt.datetime | None:
        try:
            value = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            self.refuse(
                Kind.BAD_VALUE,
                self.name_of(element),
                attribute=attribute,
                value=raw,
                reason="not a date-time",
            )
            return None
        # xsd:dateTime may leave the zone out; such times are taken as UTC.
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def integer(self, element: ET.Element, attribute: str) -> int | None:
        raw = self.required(element, attribute)
        if raw == "":
            return None
        try:
            value = int(raw.strip())
        except ValueError:
            self.refuse(
                Kind.BAD_VALUE,
                self.name_of(element),
                attribute=attribute,
                value=raw,
                reason="not an integer",
            )
            return None
        if value < 0:
            self.refuse(
                Kind.BAD_VALUE,
                self.name_of(element),
                attribute=attribute,
                value=raw,
                reason="negative",
            )
            return None
        return value

    def refs(self, element: ET.Element, local: str, attribute: str = "targetGUID") -> list[str]:
        return [
            g
            for ref in self.children(element, local)
            if (g := self.guid(ref, attribute, register=False))
        ]

    # -- the codebook ----------------------------------------------------------------
    def code(self, element: ET.Element, *, in_codebook: bool = False) -> Code:
        color = element.get("color", "")
        if color and not _COLOR.match(color.strip()):
            self.refuse(
                Kind.BAD_VALUE,
                self.name_of(element),
                attribute="color",
                value=color,
                reason="not #RRGGBB",
            )
        codable = element.get("isCodable", "true").strip().lower() not in ("false", "0")
        return Code(
            guid=self.guid(element),
            name=self.required(element, "name"),
            is_codable=codable,
            color=color.strip(),
            description=self.text_of(element, "Description"),
            children=[
                self.code(c, in_codebook=in_codebook) for c in self.children(element, "Code")
            ],
            note_guids=[] if in_codebook else self.refs(element, "NoteRef"),
        )

    # -- variables and cases -----------------------------------------------------------
    def variable(self, element: ET.Element) -> Variable:
        raw_type = self.required(element, "typeOfVariable")
        try:
            kind = VariableType(raw_type)
        except ValueError:
            if raw_type:
                self.refuse(
                    Kind.BAD_VALUE,
                    self.name_of(element),
                    attribute="typeOfVariable",
                    value=raw_type,
                    reason="not a variable type of the standard",
                )
            kind = VariableType.TEXT
        return Variable(
            guid=self.guid(element),
            name=self.required(element, "name"),
            type=kind,
            description=self.text_of(element, "Description"),
        )

    def value(self, element: ET.Element) -> VariableValue | None:
        ref = self.child(element, "VariableRef")
        if ref is None:
            self.refuse(Kind.MISSING_ATTRIBUTE, "VariableValue", attribute="VariableRef")
            return None
        guid = self.guid(ref, "targetGUID", register=False)
        for local in (
            "TextValue",
            "BooleanValue",
            "IntegerValue",
            "FloatValue",
            "DateValue",
            "DateTimeValue",
        ):
            found = self.child(element, local)
            if found is None:
                continue
            raw = found.text or ""
            try:
                parsed: object
                if local == "TextValue":
                    parsed = raw
                elif local == "BooleanValue":
                    if raw.strip() not in ("true", "false", "1", "0"):
                        raise ValueError(raw)
                    parsed = raw.strip() in ("true", "1")
                elif local == "IntegerValue":
                    parsed = int(raw.strip())
                elif local == "FloatValue":
                    parsed = Decimal(raw.strip())
                elif local == "DateValue":
                    parsed = dt.date.fromisoformat(raw.strip()[:10])
                else:
                    parsed = self.parse_datetime(raw, found, "DateTimeValue")
            except (ValueError, InvalidOperation):
                self.refuse(
                    Kind.BAD_VALUE,
                    f"VariableValue of {guid}",
                    attribute=local,
                    value=raw,
                    reason="unreadable",
                )
                return None
            return VariableValue(guid, parsed)  # type: ignore[arg-type]
        return VariableValue(guid, None)

    def case(self, element: ET.Element) -> Case:
        return Case(
            guid=self.guid(element),
            name=element.get("name", ""),
            description=self.text_of(element, "Description"),
            code_guids=self.refs(element, "CodeRef"),
            values=[v for e in self.children(element, "VariableValue") if (v := self.value(e))],
            source_guids=self.refs(element, "SourceRef"),
            selection_guids=self.refs(element, "SelectionRef"),
        )

    # -- text --------------------------------------------------------------------------
    def decode(self, data: bytes, label: str, path: str) -> str | None:
        encoding = "utf-8"
        for bom, name in _BOMS:
            if data.startswith(bom):
                data, encoding = data[len(bom) :], name
                self.notice(Kind.BOM_REMOVED, label)
                break
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            self.refuse(Kind.NOT_UTF8, label, path=path)
            return None

    def external(self, path: str, base_path: str) -> bytes | None:
        """A relative:// or absolute:// file, read only inside the folder the caller allowed."""
        if self.external_root is None:
            return None
        root = self.external_root
        scheme, _, rest = path.partition("://")
        rest = rest.lstrip("/")
        candidates: list[Path] = []
        if scheme == "relative":
            if base_path:
                candidates.append(Path(base_path) / rest)
            candidates.append(root / rest)
        else:
            candidates.append(Path("/" + rest) if not re.match(r"^[A-Za-z]:", rest) else Path(rest))
        candidates.append(root / Path(rest.replace("\\", "/")).name)
        for candidate in candidates:
            try:
                resolved = candidate.resolve()
            except OSError:
                continue
            if resolved.is_relative_to(root) and resolved.is_file():
                if resolved.stat().st_size > self.limits.entry_bytes:
                    self.refuse(
                        Kind.ENTRY_TOO_LARGE,
                        path,
                        path=path,
                        size=resolved.stat().st_size,
                        limit=self.limits.entry_bytes,
                    )
                    return None
                return resolved.read_bytes()
        return None

    def plain_text(self, element: ET.Element, label: str, base_path: str) -> str | None:
        """The plain text of a TextSourceType element; None if it has none (a notice says why)."""
        path = element.get("plainTextPath")
        if path:
            scheme, sep, rest = path.partition("://")
            if not sep or scheme not in ("internal", "relative", "absolute"):
                self.refuse(
                    Kind.BAD_VALUE,
                    label,
                    attribute="plainTextPath",
                    value=path,
                    reason="unknown scheme",
                )
                return None
            if scheme == "internal":
                inside = join_inside("sources", rest)
                if inside is None:
                    self.refuse(Kind.UNSAFE_PATH, label, path=path)
                    return None
                if self.archive is None or not self.archive.has(inside):
                    self.refuse(Kind.MISSING_SOURCE_FILE, label, path=path)
                    return None
                return self.decode(self.archive.read(inside), label, path)
            if ".." in rest.replace("\\", "/").split("/"):
                self.refuse(Kind.UNSAFE_PATH, label, path=path)
                return None
            data = self.external(path, self.base_path)
            if data is None:
                content = self.child(element, "PlainTextContent")
                if content is not None:
                    return content.text or ""
                self.notice(Kind.SKIPPED_EXTERNAL, label, path=path)
                return None
            return self.decode(data, label, path)
        content = self.child(element, "PlainTextContent")
        if content is not None:
            return content.text or ""
        return None

    # -- sources -----------------------------------------------------------------------
    def selection(self, element: ET.Element) -> _RawSelection:
        start = self.integer(element, "startPosition")
        end = self.integer(element, "endPosition")
        label = self.name_of(element)
        if start is not None and end is not None and start > end:
            self.refuse(
                Kind.BAD_VALUE,
                label,
                attribute="endPosition",
                value=str(end),
                reason="before startPosition",
            )
        selection = Selection(
            guid=self.guid(element),
            start=start or 0,
            end=end or 0,
            name=element.get("name", ""),
            description=self.text_of(element, "Description"),
            creating_user=self.user_ref(element, "creatingUser"),
            created_at=self.datetime(element, "creationDateTime"),
            codings=[self.coding(c) for c in self.children(element, "Coding")],
            note_guids=self.refs(element, "NoteRef"),
        )
        return _RawSelection(selection, label)

    def user_ref(self, element: ET.Element, attribute: str) -> str:
        if element.get(attribute) is None:
            return ""
        return self.guid(element, attribute, register=False)

    def coding(self, element: ET.Element) -> Coding:
        ref = self.child(element, "CodeRef")
        code_guid = ""
        if ref is None:
            self.refuse(Kind.MISSING_ATTRIBUTE, self.name_of(element), attribute="CodeRef")
        else:
            code_guid = self.guid(ref, "targetGUID", register=False)
        coding = Coding(
            guid=self.guid(element),
            code_guid=code_guid,
            creating_user=self.user_ref(element, "creatingUser"),
            created_at=self.datetime(element, "creationDateTime"),
            note_guids=self.refs(element, "NoteRef"),
        )
        self.coding_labels[coding.guid] = self.name_of(element)
        return coding

    def text_source(
        self, element: ET.Element, *, as_guid: str = "", name: str = ""
    ) -> _RawSource | None:
        label = self.name_of(element)
        guid = as_guid or self.guid(element)
        text = self.plain_text(element, label, self.base_path)
        if text is None:
            if not element.get("plainTextPath") and element.get("richTextPath"):
                self.notice(
                    Kind.SKIPPED_SOURCE, label, reason="formatted text without its plain text"
                )
            elif not element.get("plainTextPath"):
                self.notice(Kind.SKIPPED_SOURCE, label, reason="no text")
            self.skipped.add(guid)
            # Its selections' GUIDs are known, so that cases pointing at them are not refused.
            for s in self.children(element, "PlainTextSelection"):
                self.skipped.add(s.get("guid", "").strip("{}").lower())
            return None
        raw = [self.selection(s) for s in self.children(element, "PlainTextSelection")]
        # A coding of the whole source becomes a selection of the whole text.
        for whole in self.children(element, "Coding"):
            coding = self.coding(whole)
            derived = str(uuid.uuid5(_DERIVED, coding.guid or "coding"))
            whole_text = Selection(guid=derived, start=0, end=_WHOLE, codings=[coding])
            raw.append(_RawSelection(whole_text, label))
        source = TextSource(
            guid=guid,
            name=name or element.get("name", ""),
            text=text,
            description=self.text_of(element, "Description"),
            creating_user=self.user_ref(element, "creatingUser"),
            created_at=self.datetime(element, "creationDateTime"),
            note_guids=self.refs(element, "NoteRef"),
            values=[v for e in self.children(element, "VariableValue") if (v := self.value(e))],
        )
        return _RawSource(source, raw)

    def other_source(self, element: ET.Element) -> list[_RawSource]:
        """PDF, picture, audio and video sources: kept only through the plain text they carry."""
        label = self.name_of(element)
        guid = self.guid(element)
        carried = [
            *self.children(element, "Representation"),
            *self.children(element, "Transcript"),
            *self.children(element, "TextDescription"),
        ]
        found: list[_RawSource] = []
        for index, text_element in enumerate(carried):
            as_guid = guid if index == 0 else self.guid(text_element)
            name = element.get("name", "") if len(carried) == 1 else self.name_of(text_element)
            raw = self.text_source(text_element, as_guid=as_guid, name=name)
            if raw is not None:
                found.append(raw)
                self.notice(Kind.CONVERTED_SOURCE, label)
        lost = sum(
            len(self.children(element, what))
            for what in (
                "PDFSelection",
                "PictureSelection",
                "AudioSelection",
                "VideoSelection",
                "Coding",
            )
        )
        if not found:
            self.skipped.add(guid)
            self.notice(
                Kind.SKIPPED_SOURCE, label, reason="a picture, sound or PDF without plain text"
            )
        elif lost:
            self.notice(
                Kind.IGNORED_ELEMENT,
                label,
                what="selections of pictures, sounds or pages",
                number=lost,
            )
        return found

    # -- positions ---------------------------------------------------------------------
    def choose_scheme(self, raw_sources: list[_RawSource], origin: str) -> Scheme:
        """How the file counts positions: given by the caller, else the way that fits.

        Every selection must fit in its text; among the ways that do, the one under which most
        selections' names (many tools write the quoted passage there) equal their passage wins;
        code points, the standard's way, win ties.
        """
        if self.positions is not None:
            return self.positions
        texts = [raw.source.text for raw in raw_sources]
        candidates = [Scheme.CODE_POINTS] + [
            scheme
            for scheme in (Scheme.UTF16, Scheme.CRLF_AS_ONE, Scheme.UTF16_CRLF_AS_ONE)
            if any(could_count(text, scheme) for text in texts)
        ]
        if len(candidates) == 1 or origin.startswith("Maillage"):
            return Scheme.CODE_POINTS
        best, best_score = Scheme.CODE_POINTS, -1
        for scheme in candidates:
            score = 0
            fits = True
            for raw in raw_sources:
                if not raw.raw:
                    continue
                mapping = PositionMap(raw.source.text, scheme)
                for item in raw.raw:
                    s = item.selection
                    if s.end == _WHOLE:
                        continue
                    if s.end > mapping.length:
                        fits = False
                        break
                    passage = raw.source.text[
                        mapping.to_code_point(s.start) : mapping.to_code_point(s.end)
                    ]
                    if s.name and _norm_space(s.name) == _norm_space(passage):
                        score += 1
                if not fits:
                    break
            if fits and score > best_score:
                best, best_score = scheme, score
        return best

    def place(self, raw_sources: list[_RawSource], scheme: Scheme) -> None:
        """Positions to code points, each selection checked against its text."""
        for raw in raw_sources:
            text = raw.source.text
            mapping = PositionMap(text, scheme)
            for item in raw.raw:
                s = item.selection
                if s.end == _WHOLE:
                    s.end = len(text)
                elif s.end > mapping.length or s.start > mapping.length:
                    self.refuse(
                        Kind.POSITION_OUT_OF_RANGE,
                        item.element,
                        start=s.start,
                        end=s.end,
                        length=mapping.length,
                    )
                    continue
                else:
                    s.start, s.end = mapping.to_code_point(s.start), mapping.to_code_point(s.end)
                raw.source.selections.append(s)

    # -- references --------------------------------------------------------------------
    def check_reference(self, guid: str, kinds: tuple[str, ...], target: str, element: str) -> bool:
        """Whether a reference may be kept; a reference to nothing refuses the file."""
        if guid in self.skipped:
            return False
        if self.guids.get(guid) not in kinds:
            self.refuse(Kind.MISSING_REFERENCE, element, target=target, guid=guid)
            return False
        return True

    def check_references(self, project: Project) -> None:
        codes = ("Code",)
        notes = ("Note",)
        sources = ("TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource")
        users = {user.guid for user in project.users}

        def keep(guids: list[str], kinds: tuple[str, ...], target: str, element: str) -> list[str]:
            return [g for g in guids if self.check_reference(g, kinds, target, element)]

        def user(guid: str) -> None:
            # A coder the Users list forgot is added, unnamed, rather than losing who coded.
            if guid and guid not in users:
                users.add(guid)
                project.users.append(User(guid=guid))

        for code in project.all_codes():
            code.note_guids = keep(code.note_guids, notes, "note", f"Code {code.guid}")
        for case in project.cases:
            label = f"Case {case.guid}"
            case.code_guids = keep(case.code_guids, codes, "code", label)
            case.source_guids = keep(case.source_guids, sources, "source", label)
            case.selection_guids = keep(
                case.selection_guids, ("PlainTextSelection",), "selection", label
            )
            case.values = [
                v
                for v in case.values
                if self.check_reference(v.variable_guid, ("Variable",), "variable", label)
            ]
        for source in project.sources:
            label = f"TextSource {source.guid}"
            source.note_guids = keep(source.note_guids, notes, "note", label)
            source.values = [
                v
                for v in source.values
                if self.check_reference(v.variable_guid, ("Variable",), "variable", label)
            ]
            user(source.creating_user)
            for s in source.selections:
                s.note_guids = keep(s.note_guids, notes, "note", f"PlainTextSelection {s.guid}")
                user(s.creating_user)
                for c in s.codings:
                    element = self.coding_labels.get(c.guid, f"Coding {c.guid}")
                    if c.code_guid:
                        self.check_reference(c.code_guid, codes, "code", element)
                    c.note_guids = keep(c.note_guids, notes, "note", element)
                    user(c.creating_user)
        for item in project.sets:
            label = f"Set {item.guid}"
            item.member_codes = keep(item.member_codes, codes, "code", label)
            item.member_sources = keep(item.member_sources, sources, "source", label)
            item.member_notes = keep(item.member_notes, notes, "note", label)
        project.note_guids = keep(project.note_guids, notes, "note", "Project")

    # -- the whole ---------------------------------------------------------------------
    def project(self, root: ET.Element) -> tuple[Project, Scheme]:
        self.base_path = root.get("basePath", "")
        project = Project(
            name=self.required(root, "name"),
            origin=root.get("origin", ""),
            creating_user=self.user_ref(root, "creatingUserGUID"),
            created_at=self.datetime(root, "creationDateTime"),
            modifying_user=self.user_ref(root, "modifyingUserGUID"),
            modified_at=self.datetime(root, "modifiedDateTime"),
            base_path=self.base_path,
            description=self.text_of(root, "Description"),
        )
        for users in self.children(root, "Users"):
            project.users += [
                User(guid=self.guid(u), name=u.get("name", ""), id=u.get("id", ""))
                for u in self.children(users, "User")
            ]
        for book in self.children(root, "CodeBook"):
            for codes in self.children(book, "Codes"):
                project.codes += [self.code(c) for c in self.children(codes, "Code")]
        for variables in self.children(root, "Variables"):
            project.variables += [self.variable(v) for v in self.children(variables, "Variable")]
        for notes in self.children(root, "Notes"):
            for element in self.children(notes, "Note"):
                guid = self.guid(element)
                text = self.plain_text(element, self.name_of(element), self.base_path)
                project.notes.append(
                    Note(
                        guid=guid,
                        name=element.get("name", ""),
                        text=text or "",
                        creating_user=self.user_ref(element, "creatingUser"),
                        created_at=self.datetime(element, "creationDateTime"),
                    )
                )
        raw_sources: list[_RawSource] = []
        for sources in self.children(root, "Sources"):
            for element in sources:
                namespace, local = _local(element.tag)
                if namespace != self.ns:
                    continue
                if local == "TextSource":
                    raw = self.text_source(element)
                    if raw is not None:
                        raw_sources.append(raw)
                elif local in ("PDFSource", "PictureSource", "AudioSource", "VideoSource"):
                    raw_sources += self.other_source(element)
        for cases in self.children(root, "Cases"):
            project.cases += [self.case(c) for c in self.children(cases, "Case")]
        for sets in self.children(root, "Sets"):
            project.sets += [
                Set(
                    guid=self.guid(s),
                    name=self.required(s, "name"),
                    description=self.text_of(s, "Description"),
                    member_codes=self.refs(s, "MemberCode"),
                    member_sources=self.refs(s, "MemberSource"),
                    member_notes=self.refs(s, "MemberNote"),
                )
                for s in self.children(sets, "Set")
            ]
        for what in ("Links", "Graphs"):
            for element in self.children(root, what):
                self.notice(Kind.IGNORED_ELEMENT, what, what=what.lower(), number=len(element))
        project.note_guids = self.refs(root, "NoteRef")
        scheme = self.choose_scheme(raw_sources, project.origin)
        if scheme is not Scheme.CODE_POINTS:
            self.notice(Kind.POSITIONS_READ_AS, "Project", scheme=scheme.value)
        self.place(raw_sources, scheme)
        project.sources = [raw.source for raw in raw_sources]
        self.check_references(project)
        return project, scheme

    def codebook(self, root: ET.Element) -> Project:
        project = Project(name="", origin=root.get("origin", ""))
        for codes in self.children(root, "Codes"):
            project.codes += [self.code(c, in_codebook=True) for c in self.children(codes, "Code")]
        for sets in self.children(root, "Sets"):
            for s in self.children(sets, "Set"):
                item = Set(
                    guid=self.guid(s),
                    name=self.required(s, "name"),
                    description=self.text_of(s, "Description"),
                    member_codes=self.refs(s, "MemberCode", "guid"),
                )
                item.member_codes = [
                    g
                    for g in item.member_codes
                    if self.check_reference(g, ("Code",), "code", f"Set {item.guid}")
                ]
                project.sets.append(item)
        return project


def _parse(data: bytes) -> ET.Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise QdaFileError([Problem(Kind.FORBIDDEN_XML, "project.qde")]) from None
    except ET.ParseError as error:
        raise QdaFileError([Problem(Kind.NOT_XML, "project.qde", {"reason": str(error)})]) from None


def _finish(reader: _Reader, result: ImportResult) -> ImportResult:
    if reader.problems:
        raise QdaFileError(reader.problems)
    result.notices = reader.notices
    return result


def read_qde(
    data: bytes,
    *,
    archive: Archive | None = None,
    external_root: Path | None = None,
    positions: Scheme | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """A project.qde document (its internal files come from `archive`, if any)."""
    root = _parse(data)
    namespace, local = _local(root.tag)
    if (namespace, local) == (NAMESPACE_CODEBOOK, "CodeBook"):
        return read_qdc(data)
    if (namespace, local) != (NAMESPACE_PROJECT, "Project"):
        raise QdaFileError(
            [
                Problem(
                    Kind.UNKNOWN_NAMESPACE,
                    "project.qde",
                    {"found": root.tag, "expected": f"{{{NAMESPACE_PROJECT}}}Project"},
                )
            ]
        )
    reader = _Reader(
        namespace=namespace,
        archive=archive,
        external_root=external_root,
        positions=positions,
        limits=limits,
    )
    project, scheme = reader.project(root)
    return _finish(reader, ImportResult(project=project, scheme=scheme))


def read_qdc(data: bytes) -> ImportResult:
    """A .qdc codebook: codes and sets of codes."""
    root = _parse(data)
    namespace, local = _local(root.tag)
    if local != "CodeBook" or namespace not in (NAMESPACE_CODEBOOK, NAMESPACE_PROJECT):
        raise QdaFileError(
            [
                Problem(
                    Kind.UNKNOWN_NAMESPACE,
                    "CodeBook",
                    {"found": root.tag, "expected": f"{{{NAMESPACE_CODEBOOK}}}CodeBook"},
                )
            ]
        )
    reader = _Reader(
        namespace=namespace, archive=None, external_root=None, positions=None, limits=DEFAULT_LIMITS
    )
    project = reader.codebook(root)
    return _finish(reader, ImportResult(project=project, is_codebook=True))


def read_qdpx(
    stream: BinaryIO | bytes,
    *,
    external_root: Path | None = None,
    positions: Scheme | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """A .qdpx archive: project.qde at its root and internal files under sources/."""
    if isinstance(stream, bytes):
        stream = io.BytesIO(stream)
    archive = Archive(stream, limits)
    if not archive.has("project.qde"):
        raise QdaFileError([Problem(Kind.MISSING_PROJECT, "project.qde")])
    return read_qde(
        archive.read("project.qde"),
        archive=archive,
        external_root=external_root,
        positions=positions,
        limits=limits,
    )


def read_any(
    stream: BinaryIO | bytes,
    *,
    external_root: Path | None = None,
    positions: Scheme | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """A .qdpx (a ZIP), or a bare project.qde or .qdc (XML), told apart by their first bytes."""
    if isinstance(stream, bytes):
        stream = io.BytesIO(stream)
    head = stream.read(4)
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if head.startswith(b"PK"):
        return read_qdpx(stream, external_root=external_root, positions=positions, limits=limits)
    if size > limits.entry_bytes:
        raise QdaFileError(
            [Problem(Kind.ARCHIVE_TOO_LARGE, params={"size": size, "limit": limits.entry_bytes})]
        )
    return read_qde(stream.read(), external_root=external_root, positions=positions, limits=limits)
