"""A neutral, Django-free picture of a REFI-QDA project (the QDA-XML 1.0 standard).

Only what Maillage exchanges is modelled: users, the codebook, variables and cases, text
sources with their selections and codings, notes and sets. GUIDs are kept as lower-case
strings without braces (the reader normalizes them), positions are Unicode code points from
0 with an exclusive end, and times are timezone-aware.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal

NAMESPACE_PROJECT = "urn:QDA-XML:project:1.0"
NAMESPACE_CODEBOOK = "urn:QDA-XML:codebook:1.0"


class VariableType(enum.StrEnum):
    TEXT = "Text"
    BOOLEAN = "Boolean"
    INTEGER = "Integer"
    FLOAT = "Float"
    DATE = "Date"
    DATETIME = "DateTime"


VariableValueType = str | bool | int | Decimal | dt.date | dt.datetime | None


@dataclass
class User:
    guid: str
    name: str = ""
    id: str = ""


@dataclass
class Code:
    guid: str
    name: str
    is_codable: bool = True
    color: str = ""  # "#RRGGBB", or empty
    description: str = ""
    children: list[Code] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Variable:
    guid: str
    name: str
    type: VariableType = VariableType.TEXT
    description: str = ""


@dataclass
class VariableValue:
    variable_guid: str
    value: VariableValueType


@dataclass
class Case:
    guid: str
    name: str = ""
    description: str = ""
    code_guids: list[str] = field(default_factory=list)
    values: list[VariableValue] = field(default_factory=list)
    source_guids: list[str] = field(default_factory=list)
    selection_guids: list[str] = field(default_factory=list)


@dataclass
class Coding:
    guid: str
    code_guid: str
    creating_user: str = ""
    created_at: dt.datetime | None = None
    note_guids: list[str] = field(default_factory=list)


@dataclass
class Selection:
    """A passage of a text source: [start, end) in code points of the source's text."""

    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    creating_user: str = ""
    created_at: dt.datetime | None = None
    codings: list[Coding] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class TextSource:
    guid: str
    name: str
    text: str
    description: str = ""
    creating_user: str = ""
    created_at: dt.datetime | None = None
    selections: list[Selection] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    values: list[VariableValue] = field(default_factory=list)


@dataclass
class Note:
    guid: str
    name: str = ""
    text: str = ""
    creating_user: str = ""
    created_at: dt.datetime | None = None


@dataclass
class Set:
    guid: str
    name: str
    description: str = ""
    member_codes: list[str] = field(default_factory=list)
    member_sources: list[str] = field(default_factory=list)
    member_notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    name: str
    origin: str = ""
    creating_user: str = ""
    created_at: dt.datetime | None = None
    modifying_user: str = ""
    modified_at: dt.datetime | None = None
    base_path: str = ""
    description: str = ""
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)

    def all_codes(self) -> list[Code]:
        return [code for top in self.codes for code in top.walk()]

    def counts(self) -> dict[str, int]:
        """How many of each kind of element the project holds (what an import reports)."""
        selections = [s for source in self.sources for s in source.selections]
        return {
            "codes": len(self.all_codes()),
            "sources": len(self.sources),
            "selections": len(selections),
            "codings": sum(len(s.codings) for s in selections),
            "users": len(self.users),
            "notes": len(self.notes),
            "variables": len(self.variables),
            "cases": len(self.cases),
            "sets": len(self.sets),
        }
