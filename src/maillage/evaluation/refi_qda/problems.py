"""What a reader or writer says about a file: refusals (nothing is imported) and notices
(something was skipped or interpreted, and the user must be told).

Each problem has a stable `kind` and its parameters, so that the Django layer can show it in
French or English; `message` is the English sentence used on the command line and in logs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(enum.StrEnum):
    # Refusals: the whole file is refused.
    ARCHIVE_TOO_LARGE = "archive_too_large"
    NOT_A_ZIP = "not_a_zip"
    UNSAFE_PATH = "unsafe_path"
    TOO_MANY_ENTRIES = "too_many_entries"
    ENTRY_TOO_LARGE = "entry_too_large"
    MISSING_PROJECT = "missing_project"
    NOT_XML = "not_xml"
    FORBIDDEN_XML = "forbidden_xml"
    UNKNOWN_NAMESPACE = "unknown_namespace"
    MISSING_ATTRIBUTE = "missing_attribute"
    BAD_VALUE = "bad_value"
    DUPLICATE_GUID = "duplicate_guid"
    MISSING_REFERENCE = "missing_reference"
    MISSING_SOURCE_FILE = "missing_source_file"
    NOT_UTF8 = "not_utf8"
    POSITION_OUT_OF_RANGE = "position_out_of_range"
    CANNOT_WRITE = "cannot_write"
    # Notices: the import goes on.
    SKIPPED_SOURCE = "skipped_source"
    SKIPPED_EXTERNAL = "skipped_external"
    CONVERTED_SOURCE = "converted_source"
    POSITIONS_READ_AS = "positions_read_as"
    BOM_REMOVED = "bom_removed"
    IGNORED_ELEMENT = "ignored_element"


MESSAGES: dict[Kind, str] = {
    Kind.ARCHIVE_TOO_LARGE: "the file is {size} bytes; at most {limit} bytes are accepted",
    Kind.NOT_A_ZIP: "the file is not a ZIP archive (a .qdpx is one)",
    Kind.UNSAFE_PATH: "the path {path!r} leaves the archive or its sources folder",
    Kind.TOO_MANY_ENTRIES: "the archive holds {entries} files; at most {limit} are accepted",
    Kind.ENTRY_TOO_LARGE: "{path!r} would be {size} bytes once unpacked; at most {limit} bytes",
    Kind.MISSING_PROJECT: "the archive holds no project.qde",
    Kind.NOT_XML: "the XML cannot be read: {reason}",
    Kind.FORBIDDEN_XML: "the XML declares entities or a document type, which are refused",
    Kind.UNKNOWN_NAMESPACE: "the root element is {found!r}; expected {expected!r}",
    Kind.MISSING_ATTRIBUTE: "the required attribute {attribute!r} is missing",
    Kind.BAD_VALUE: "the attribute {attribute!r} has the value {value!r}: {reason}",
    Kind.DUPLICATE_GUID: "the GUID {guid} is used twice",
    Kind.MISSING_REFERENCE: "it points to the {target} {guid}, which the project does not hold",
    Kind.MISSING_SOURCE_FILE: "its text file {path!r} is not in the archive",
    Kind.NOT_UTF8: "its text file {path!r} is not UTF-8",
    Kind.POSITION_OUT_OF_RANGE: (
        "the passage {start}–{end} does not fit in its source ({length} characters)"
    ),
    Kind.CANNOT_WRITE: "it cannot be written: {reason}",
    Kind.SKIPPED_SOURCE: "skipped: {reason}",
    Kind.SKIPPED_EXTERNAL: "skipped: its text {path!r} is outside the archive",
    Kind.CONVERTED_SOURCE: "imported from the plain text the project carries for it",
    Kind.POSITIONS_READ_AS: "positions read as {scheme}",
    Kind.BOM_REMOVED: "a byte order mark at the start of its text was removed",
    Kind.IGNORED_ELEMENT: "not imported: Maillage does not keep {what} ({number})",
}


@dataclass(frozen=True)
class Problem:
    """One finding, naming the element it is about (e.g. 'PlainTextSelection 3f2a…')."""

    kind: Kind
    element: str = ""
    params: dict[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        text = MESSAGES[self.kind].format(**self.params)
        return f"{self.element}: {text}" if self.element else text

    def __str__(self) -> str:
        return self.message


class QdaFileError(Exception):
    """The file is refused as a whole; `problems` says why, element by element."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems[:20]))
