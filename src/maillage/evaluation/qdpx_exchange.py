"""A study as a REFI-QDA project and back (services): export a study as .qdpx or its
codebook as .qdc; import a .qdpx into a new study, or a codebook into an existing one.

What maps to what:
- users ⇄ the study's coders; codes ⇄ codes (tree, colour, the definition as description;
  "use when", "do not use when", "example" and code memos travel as notes of the code);
- text sources ⇄ documents (the cleaned text, byte for byte); each coded passage is a
  selection, each coding its coding, with its coder; a coding's memo is a note of it;
- variables and cases ⇄ participant attributes and participants, by pseudonym only (a real
  name never leaves Maillage); sets ⇄ focus groups (their setting) and the emerging codes.

Who: the lead exports (only the codings the lead may see: in blind mode before the reveal,
the lead's own); anyone who may start a study imports into a new one and leads it; the lead
imports a codebook into their study. A coder of the file is matched to an account only when
it is the importer or someone on the team of a study the importer leads; any other coder
becomes an inactive account named as in the file, which can never sign in, so that nobody's
name is put on codings they did not make. All or nothing: one refused element and nothing
is written; the report says what was imported and what could not be, element by element.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.deidentification import NameIndex
from maillage.core.models import User
from maillage.core.permissions import require
from maillage.families.guard_names import name_index

from . import cleaning
from . import refi_qda as qda
from .models import (
    DOCUMENT_MAX_CHARS,
    MEMO_MAX,
    SHORT_TEXT_MAX,
    TITLE_MAX,
    AttributeValue,
    Code,
    CodebookChange,
    CodebookChangeKind,
    CodeMemo,
    Coding,
    Document,
    DocumentKind,
    EvaluatorRole,
    Participant,
    Session,
    Study,
    StudyAttribute,
    StudyEvaluator,
)
from .permissions import forget_roles
from .transcripts import Turn

# Names of the notes that carry a code's fields other tools have no place for.
FIELD_NOTES = {"use_when": "Use when", "not_use_when": "Do not use when", "example": "Example"}
EMERGING_SET = "Emerging codes"
MEMO_NOTE = "Memo"
DEFAULT_COLOUR = "#fde68a"
# Every GUID Maillage derives (selections, notes) is a UUID5 in this namespace.
DERIVED = uuid.UUID("0b9c5c2e-8f3e-4b8e-a3f4-6f1d1c6a9e21")
EXTERNAL_CODER_DOMAIN = "coders.refi-qda.invalid"
LIMITS = qda.Limits()


@functools.cache
def _origin() -> str:
    try:
        return f"Maillage {version('maillage')}"
    except PackageNotFoundError:  # pragma: no cover
        return "Maillage"


def _derived(*parts: object) -> str:
    return str(uuid.uuid5(DERIVED, ":".join(str(p) for p in parts)))


# --- messages, in the reader's language ------------------------------------------------------

_MESSAGES = {
    qda.Kind.ARCHIVE_TOO_LARGE: gettext_lazy(
        "The file is %(size)s bytes; at most %(limit)s bytes are accepted."
    ),
    qda.Kind.NOT_A_ZIP: gettext_lazy("The file is neither a .qdpx archive nor a QDA-XML file."),
    qda.Kind.UNSAFE_PATH: gettext_lazy(
        "The path “%(path)s” leaves the archive or its sources folder."
    ),
    qda.Kind.TOO_MANY_ENTRIES: gettext_lazy(
        "The archive holds %(entries)s files; at most %(limit)s are accepted."
    ),
    qda.Kind.ENTRY_TOO_LARGE: gettext_lazy(
        "“%(path)s” would be %(size)s bytes once unpacked; at most %(limit)s bytes."
    ),
    qda.Kind.MISSING_PROJECT: gettext_lazy("The archive holds no project.qde."),
    qda.Kind.NOT_XML: gettext_lazy("The XML cannot be read: %(reason)s"),
    qda.Kind.FORBIDDEN_XML: gettext_lazy(
        "The XML declares entities or a document type, which are refused."
    ),
    qda.Kind.UNKNOWN_NAMESPACE: gettext_lazy(
        "The root element is “%(found)s”; expected “%(expected)s”."
    ),
    qda.Kind.MISSING_ATTRIBUTE: gettext_lazy("The required “%(attribute)s” is missing."),
    qda.Kind.BAD_VALUE: gettext_lazy("“%(attribute)s” has the value “%(value)s”: %(reason)s."),
    qda.Kind.DUPLICATE_GUID: gettext_lazy("The GUID %(guid)s is used twice."),
    qda.Kind.MISSING_REFERENCE: gettext_lazy(
        "It points to the %(target)s %(guid)s, which the project does not hold."
    ),
    qda.Kind.MISSING_SOURCE_FILE: gettext_lazy("Its text file “%(path)s” is not in the archive."),
    qda.Kind.NOT_UTF8: gettext_lazy("Its text file “%(path)s” is not UTF-8."),
    qda.Kind.POSITION_OUT_OF_RANGE: gettext_lazy(
        "The passage %(start)s–%(end)s does not fit in its source (%(length)s characters)."
    ),
    qda.Kind.CANNOT_WRITE: gettext_lazy("It cannot be written: %(reason)s."),
    qda.Kind.SKIPPED_SOURCE: gettext_lazy("Not imported: %(reason)s."),
    qda.Kind.SKIPPED_EXTERNAL: gettext_lazy(
        "Not imported: its text “%(path)s” is outside the archive."
    ),
    qda.Kind.CONVERTED_SOURCE: gettext_lazy(
        "Imported from the plain text the project carries for it."
    ),
    qda.Kind.POSITIONS_READ_AS: gettext_lazy("Positions read as %(scheme)s."),
    qda.Kind.BOM_REMOVED: gettext_lazy("A byte order mark at the start of its text was removed."),
    qda.Kind.IGNORED_ELEMENT: gettext_lazy(
        "Not imported: Maillage does not keep %(what)s (%(number)s)."
    ),
}


# The words the reader puts in its sentences (reasons, kinds of element), translated.
_WORDS = {
    "not a GUID": gettext_lazy("not a GUID"),
    "not a date-time": gettext_lazy("not a date-time"),
    "not an integer": gettext_lazy("not an integer"),
    "negative": gettext_lazy("negative"),
    "not #RRGGBB": gettext_lazy("not a colour #RRGGBB"),
    "not a variable type of the standard": gettext_lazy("not a variable type of the standard"),
    "unreadable": gettext_lazy("unreadable"),
    "unknown scheme": gettext_lazy("an unknown kind of path"),
    "before startPosition": gettext_lazy("before startPosition"),
    "formatted text without its plain text": gettext_lazy("formatted text without its plain text"),
    "no text": gettext_lazy("no text"),
    "a picture, sound or PDF without plain text": gettext_lazy(
        "a picture, sound or PDF without plain text"
    ),
    "selections of pictures, sounds or pages": gettext_lazy(
        "selections of pictures, sounds or pages"
    ),
    "links": gettext_lazy("links"),
    "graphs": gettext_lazy("graphs"),
    "code": gettext_lazy("code"),
    "note": gettext_lazy("note"),
    "source": gettext_lazy("source"),
    "selection": gettext_lazy("passage"),
    "variable": gettext_lazy("variable"),
    "user": gettext_lazy("user"),
}


def describe(problem: qda.Problem) -> str:
    """A problem of the file as a sentence in the reader's language, naming its element."""
    params = {
        k: str(_WORDS.get(v, v)) if isinstance(v, str) else str(v)
        for k, v in problem.params.items()
    }
    text = str(_MESSAGES[problem.kind]) % params
    if not problem.element:
        return text
    return _("%(element)s: %(problem)s") % {"element": problem.element, "problem": text}


class ExchangeRefusedError(ValidationError):
    """The file is refused; `lines` name each element and why (nothing was written)."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__({"file": lines})


def _refused(problems: list[qda.Problem]) -> ExchangeRefusedError:
    return ExchangeRefusedError([describe(p) for p in problems])


@dataclass
class ExchangeReport:
    study: Study
    counts: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        order = ("codes", "sources", "selections", "codings", "users", "notes")
        return ", ".join(f"{kind}: {self.counts.get(kind, 0)}" for kind in order)


# --- export -------------------------------------------------------------------------------


def study_to_project(
    study: Study, *, codings_of: User | None, codebook_only: bool = False
) -> qda.Project:
    """The study as a neutral project; `codings_of` limits the codings to one coder's
    (blind mode), None keeps them all; `codebook_only` reads the codebook alone."""
    codes = list(
        Code.objects.filter(study=study)
        .only("id", "parent_id", "name", "colour", "definition", "inductive")
        .order_by("name")
        if codebook_only
        else Code.objects.filter(study=study).order_by("name")
    )
    children = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    if codebook_only:
        return _codebook_project(study, codes, children)
    memos = defaultdict(list)
    for memo in CodeMemo.objects.filter(code__study=study).order_by("created_at"):
        memos[memo.code_id].append(memo)
    documents = list(
        Document.objects.filter(study=study).select_related("session").order_by("title", "id")
    )
    codings = Coding.objects.filter(document__study=study).order_by("document", "start", "end")
    if codings_of is not None:
        codings = codings.filter(coder=codings_of)
    codings = list(codings)
    coder_ids = {c.coder_id for c in codings} | set(
        StudyEvaluator.objects.filter(study=study).values_list("user_id", flat=True)
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=coder_ids).order_by("full_name")}
    notes: list[qda.Note] = []

    def note(key: object, name: str, text: str, author_id=None, at=None) -> str:
        guid = _derived("note", key, name)
        notes.append(
            qda.Note(
                guid=guid,
                name=name,
                text=text,
                creating_user=str(author_id) if author_id in users else "",
                created_at=at,
            )
        )
        return guid

    def as_code(code: Code) -> qda.Code:
        refs = [
            note(code.pk, label, getattr(code, name))
            for name, label in FIELD_NOTES.items()
            if getattr(code, name)
        ]
        refs += [note(m.pk, MEMO_NOTE, m.text, m.author_id, m.created_at) for m in memos[code.pk]]
        return qda.Code(
            guid=str(code.pk),
            name=code.name,
            color=code.colour,
            description=code.definition,
            children=[as_code(c) for c in children[code.pk]],
            note_guids=refs,
        )

    top = [as_code(c) for c in children[None]]
    spans: dict = defaultdict(lambda: defaultdict(list))  # document → (start, end) → codings
    for coding in codings:
        spans[coding.document_id][(coding.start, coding.end)].append(coding)
    sources = []
    for document in documents:
        selections = []
        doc_id = document.pk
        for (start, end), group in spans[doc_id].items():
            selections.append(
                qda.Selection(
                    guid=_derived("selection", doc_id, start, end),
                    start=start,
                    end=end,
                    # Other tools show a selection by its name: the passage itself.
                    name=document.text[start:end][:500],
                    codings=[
                        qda.Coding(
                            guid=str(c.pk),
                            code_guid=str(c.code_id),
                            creating_user=str(c.coder_id),
                            created_at=c.created_at,
                            note_guids=[note(c.pk, MEMO_NOTE, c.memo, c.coder_id, c.created_at)]
                            if c.memo
                            else [],
                        )
                        for c in group
                    ],
                )
            )
        sources.append(
            qda.TextSource(
                guid=str(document.pk),
                name=document.title,
                text=document.text,
                creating_user=str(document.imported_by_id)
                if document.imported_by_id in users
                else "",
                created_at=document.created_at,
                selections=selections,
            )
        )
    attributes = list(StudyAttribute.objects.filter(study=study))
    variables = [qda.Variable(guid=str(a.pk), name=a.name) for a in attributes]
    values = defaultdict(list)
    for value in AttributeValue.objects.filter(participant__study=study):
        values[value.participant_id].append(
            qda.VariableValue(variable_guid=str(value.attribute_id), value=value.value)
        )
    present = defaultdict(set)
    for session in Session.objects.filter(study=study).prefetch_related("present"):
        for participant in session.present.all():
            present[participant.pk].add(session.pk)
    documents_of_session = defaultdict(list)
    for document in documents:
        if document.session_id:
            documents_of_session[document.session_id].append(str(document.pk))
    cases = [
        qda.Case(
            guid=str(p.pk),
            name=p.pseudonym,  # never the real name
            values=values[p.pk],
            source_guids=[g for s in sorted(present[p.pk]) for g in documents_of_session[s]],
        )
        for p in Participant.objects.filter(study=study)
    ]
    sets = [
        qda.Set(
            guid=str(session.pk),
            name=session.setting,
            description=session.held_on.isoformat(),
            member_sources=documents_of_session[session.pk],
        )
        for session in Session.objects.filter(study=study)
    ]
    emerging = [str(c.pk) for c in codes if c.inductive]
    if emerging:
        sets.append(
            qda.Set(guid=_derived("emerging", study.pk), name=EMERGING_SET, member_codes=emerging)
        )
    return qda.Project(
        name=study.title,
        origin=_origin(),
        creating_user=str(study.created_by_id) if study.created_by_id in users else "",
        created_at=study.created_at,
        modified_at=study.updated_at,
        description=study.question,
        users=[qda.User(guid=str(u.pk), name=u.full_name) for u in users.values()],
        codes=top,
        variables=variables,
        cases=cases,
        sources=sources,
        notes=notes,
        sets=sets,
    )


def _codebook_project(study: Study, codes: list[Code], children: dict) -> qda.Project:
    """The codebook alone, as the .qdc carries it: codes, their tree, the emerging set."""

    def as_code(code: Code) -> qda.Code:
        return qda.Code(
            guid=str(code.pk),
            name=code.name,
            color=code.colour,
            description=code.definition,
            children=[as_code(c) for c in children[code.pk]],
        )

    emerging = [str(c.pk) for c in codes if c.inductive]
    sets = [qda.Set(guid=_derived("emerging", study.pk), name=EMERGING_SET, member_codes=emerging)]
    return qda.Project(
        name=study.title,
        origin=_origin(),
        codes=[as_code(c) for c in children[None]],
        sets=sets if emerging else [],
    )


def export_study(*, by: User | None, study: Study, codebook_only: bool = False) -> bytes:
    """The study as .qdpx (or its codebook as .qdc), for its lead; `by=None` is the
    command line (the administrator's own). In blind mode before the reveal, the lead's
    export holds the lead's own codings only."""
    codings_of = None
    if by is not None:
        require(by, "evaluation.view_study", study, hide=True)
        require(by, "evaluation.manage_study", study)
        if not by.has_perm("evaluation.view_all_codings", study):
            codings_of = by
    project = study_to_project(study, codings_of=codings_of, codebook_only=codebook_only)
    try:
        data = qda.codebook_qdc(project) if codebook_only else qda.write_qdpx(project)
    except qda.QdaFileError as error:
        raise _refused(error.problems) from None
    record_event(
        action=Action.EXPORTED,
        actor=by,
        obj=study,
        details={"format": "qdc" if codebook_only else "qdpx", **project.counts()},
    )
    return data


# --- import -------------------------------------------------------------------------------


def read_file(
    data: BinaryIO | bytes, *, external_root: Path | None = None, positions: str | None = None
) -> qda.ImportResult:
    """Parse a .qdpx, project.qde or .qdc; a refused file raises ExchangeRefusedError."""
    try:
        scheme = qda.Scheme(positions) if positions else None
    except ValueError:
        raise ExchangeRefusedError([_("Unknown way of counting positions.")]) from None
    try:
        return qda.read_any(data, external_root=external_root, positions=scheme, limits=LIMITS)
    except qda.QdaFileError as error:
        raise _refused(error.problems) from None


def _colour(value: str) -> str:
    if not value:
        return DEFAULT_COLOUR
    value = value.strip()
    if len(value) == 4:  # "#abc" is "#aabbcc"
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value


class _Checks:
    """Bounds of the study's fields, checked on every element before anything is written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def bound(self, element: str, label: str, value: str, limit: int) -> None:
        if len(value) > limit:
            self.lines.append(
                _("%(element)s: its %(field)s has %(length)s characters; at most %(limit)s.")
                % {"element": element, "field": label, "length": len(value), "limit": limit}
            )


def _known_coders(by: User) -> dict[str, User]:
    """Accounts a file's coder may be matched to: the importer and the people on the team
    of a study the importer leads."""
    led = StudyEvaluator.objects.filter(user=by, role=EvaluatorRole.LEAD).values("study_id")
    team = User.objects.filter(study_roles__study_id__in=led, is_active=True).distinct()
    known = {str(u.pk): u for u in team}
    known[str(by.pk)] = by
    return known


def _coder_accounts(project: qda.Project, by: User, used: set[str]) -> dict[str, User]:
    known = _known_coders(by)
    names = {u.guid: u.name for u in project.users}
    accounts: dict[str, User] = {}
    for guid in sorted(used):
        if guid in known:
            accounts[guid] = known[guid]
            continue
        email = f"{guid}@{EXTERNAL_CODER_DOMAIN}"
        account = User.objects.filter(email=email, is_active=False).first()
        if account is None:
            account = User(
                email=email,
                full_name=(names.get(guid) or _("Coder %(ref)s") % {"ref": guid[:8]})[:200],
                is_active=False,
            )
            account.set_unusable_password()
            account.save()
        accounts[guid] = account
    return accounts


def _code_tree(
    study: Study | None, project: qda.Project, by: User, checks: _Checks, notices: list[str]
) -> tuple[dict[str, Code], list[CodeMemo]]:
    notes = {n.guid: n for n in project.notes}
    emerging = {g for s in project.sets if s.name == EMERGING_SET for g in s.member_codes}
    taken = set(study.codes.values_list("name", flat=True)) if study else set()
    created: dict[str, Code] = {}
    memos: list[CodeMemo] = []

    def unique(name: str, element: str) -> str:
        # Tools allow one name under two parents; a study's code names are unique.
        candidate, number = name, 2
        while candidate in taken:
            candidate = f"{name} ({number})"
            number += 1
        if candidate != name:
            notices.append(
                _("%(element)s: renamed “%(name)s”, a name the codebook already has.")
                % {"element": element, "name": candidate}
            )
        taken.add(candidate)
        return candidate

    def walk(code: qda.Code, parent: Code | None) -> None:
        element = f"Code {code.guid}"
        name = code.name.strip() or _("Code %(ref)s") % {"ref": code.guid[:8]}
        checks.bound(element, _("name"), name, 190)
        checks.bound(element, _("description"), code.description, SHORT_TEXT_MAX)
        fields = {}
        for note_guid in code.note_guids:
            note = notes[note_guid]
            field_name = next((k for k, v in FIELD_NOTES.items() if v == note.name), None)
            if field_name and field_name not in fields:
                fields[field_name] = note.text
                checks.bound(element, note.name, note.text, SHORT_TEXT_MAX)
            else:
                checks.bound(element, _("memo"), note.text, MEMO_MAX)
                memos.append(CodeMemo(author=by, text=note.text))
                memos[-1]._target = code.guid  # type: ignore[attr-defined]
        row = Code(
            parent=parent,
            name=unique(name[:190], element),
            definition=code.description[:SHORT_TEXT_MAX],
            inductive=code.guid in emerging,
            colour=_colour(code.color),
            **{k: v[:SHORT_TEXT_MAX] for k, v in fields.items()},
        )
        created[code.guid] = row
        for child in code.children:
            walk(child, row)

    for code in project.codes:
        walk(code, None)
    return created, memos


REASON_MAX = 300


def _guard(project: qda.Project, study: Study | None) -> list[str]:
    """What the de-identification guard finds in the sources: names of people on record
    (and of the study's participants), phone and health-card numbers…"""
    indexes = [name_index()]
    if study is not None:
        indexes.append(
            NameIndex.from_names(
                full_names=study.participants.exclude(real_name="").values_list(
                    "real_name", flat=True
                )
            )
        )
    # Texts, and what other tools may name after a person: cases, notes (memos).
    texts = [(f"TextSource {s.guid}", s.text) for s in project.sources]
    texts += [(f"Case {c.guid}", c.name) for c in project.cases]
    texts += [(f"Note {n.guid}", n.text) for n in project.notes]
    lines = []
    for element, text in texts:
        for item in cleaning.findings([Turn("", text)], speakers={}, indexes=indexes):
            lines.append(
                _("%(element)s: “%(text)s” (%(kind)s) may identify someone.")
                % {"element": element, "text": item.text, "kind": item.kind_label}
            )
    return lines


def import_file(
    *,
    by: User,
    data: BinaryIO | bytes,
    study: Study | None = None,
    title: str = "",
    external_root: Path | None = None,
    positions: str | None = None,
    deidentified_reason: str = "",
) -> ExchangeReport:
    """A .qdpx into a new study the importer leads (or, with `study`, a codebook into that
    study, for its lead). All or nothing; the report counts what was imported by kind and
    lists, by element, what was interpreted or left out.

    The texts are stored as they are (positions of the codings depend on them): whatever
    the de-identification guard finds in them refuses the import, unless the importer
    confirms, with a reason, that the texts are de-identified (kept in the audit row)."""
    if study is None:
        require(by, "evaluation.start_study")
    else:
        require(by, "evaluation.view_study", study, hide=True)
        require(by, "evaluation.manage_study", study)
    result = read_file(data, external_root=external_root, positions=positions)
    project = result.project
    notices = [describe(n) for n in result.notices]
    if study is not None:
        # Into an existing study, only the codebook: its documents and codings stay its own.
        kept = qda.Project(
            name=project.name, codes=project.codes, notes=project.notes, sets=project.sets
        )
        if project.sources:
            notices.append(
                ngettext(
                    "Only the codebook was imported into the existing study; "
                    "%(n)s source was left out.",
                    "Only the codebook was imported into the existing study; "
                    "%(n)s sources were left out.",
                    len(project.sources),
                )
                % {"n": len(project.sources)}
            )
        project = kept
    checks = _Checks()
    name = ""
    if study is None:
        name = (title or project.name or _("Imported study")).strip()
        checks.bound("Project", _("name"), name, TITLE_MAX)
        checks.bound("Project", _("description"), project.description, SHORT_TEXT_MAX)
    for source in project.sources:
        element = f"TextSource {source.guid}"
        checks.bound(element, _("name"), source.name, TITLE_MAX)
        checks.bound(element, _("text"), source.text, DOCUMENT_MAX_CHARS)
    codes, memos = _code_tree(study, project, by, checks, notices)
    if checks.lines:
        raise ExchangeRefusedError(checks.lines)
    reason = " ".join(deidentified_reason.split())[:REASON_MAX]
    found = _guard(project, study)
    if found and not reason:
        raise ExchangeRefusedError(
            [
                *found,
                _(
                    "Nothing was imported: replace these in the other tool, or confirm with a "
                    "reason that the texts are de-identified."
                ),
            ]
        )
    with transaction.atomic():
        return _write(
            by=by,
            project=project,
            study=study,
            name=name if study is None else "",
            codes=codes,
            memos=memos,
            notices=notices,
            guard={"confirmed_findings": len(found), "reason": reason} if found else {},
        )


def _write(
    *,
    by: User,
    project: qda.Project,
    study: Study | None,
    name: str,
    codes: dict[str, Code],
    memos: list[CodeMemo],
    notices: list[str],
    guard: dict,
) -> ExchangeReport:
    if study is None:
        today = timezone.localdate()
        study = Study(
            title=name,
            question=project.description,
            starts_on=project.created_at.date() if project.created_at else today,
            created_by=by,
        )
        study.full_clean()
        study.save()
        StudyEvaluator.objects.create(study=study, user=by, role=EvaluatorRole.LEAD)
        forget_roles(by)
    for row in codes.values():
        row.study = study
    # Parents first: the tree was walked top-down.
    for row in codes.values():
        row.parent_id = row.parent.pk if row.parent else None
        row.save()
    for memo in memos:
        memo.code = codes[memo._target]  # type: ignore[attr-defined]
    CodeMemo.objects.bulk_create(memos)
    CodebookChange.objects.create(
        study=study,
        by=by,
        kind=CodebookChangeKind.CREATED,
        code_name=_("REFI-QDA import"),
        details={"codes": len(codes)},
    )
    counts = Counter({"codes": len(codes), "notes": len(memos)})
    if project.sources or project.cases:
        _import_data(study, project, by, codes, counts, notices)
    record_event(action=Action.IMPORTED, actor=by, obj=study, details={**counts, **guard})
    return ExchangeReport(study=study, counts=dict(counts), notices=notices)


def _import_data(
    study: Study,
    project: qda.Project,
    by: User,
    codes: dict[str, Code],
    counts: Counter,
    notices: list[str],
) -> None:
    notes = {n.guid: n for n in project.notes}
    used = {c.creating_user for s in project.sources for sel in s.selections for c in sel.codings}
    accounts = _coder_accounts(project, by, {g for g in used if g} | {str(by.pk)})
    team = set(StudyEvaluator.objects.filter(study=study).values_list("user_id", flat=True))
    for account in {a.pk: a for a in accounts.values()}.values():
        if account.pk not in team:
            StudyEvaluator.objects.create(study=study, user=account, role=EvaluatorRole.CODER)
            forget_roles(account)
    documents: dict[str, Document] = {}
    for source in project.sources:
        if not source.text:
            notices.append(
                _("TextSource %(guid)s: not imported: its text is empty.") % {"guid": source.guid}
            )
            continue
        documents[source.guid] = Document(
            study=study,
            title=source.name or source.guid,
            kind=DocumentKind.TRANSCRIPT,
            text=source.text,
            source_filename=source.name[:255],
            imported_by=by,
        )
    Document.objects.bulk_create(documents.values())
    counts["sources"] = len(documents)
    rows = []
    for source in project.sources:
        if source.guid not in documents:
            continue
        for selection in source.selections:
            if selection.end <= selection.start:
                notices.append(
                    _("PlainTextSelection %(guid)s: not imported: an empty passage.")
                    % {"guid": selection.guid}
                )
                continue
            counts["selections"] += 1
            for coding in selection.codings:
                memo = "\n\n".join(notes[g].text for g in coding.note_guids + selection.note_guids)
                if len(memo) > MEMO_MAX:
                    raise ExchangeRefusedError(
                        [
                            _(
                                "Coding %(guid)s: its memo has %(length)s characters; "
                                "at most %(limit)s."
                            )
                            % {"guid": coding.guid, "length": len(memo), "limit": MEMO_MAX}
                        ]
                    )
                counts["notes"] += len(coding.note_guids)
                rows.append(
                    Coding(
                        document=documents[source.guid],
                        code=codes[coding.code_guid],
                        coder=accounts[coding.creating_user or str(by.pk)],
                        start=selection.start,
                        end=selection.end,
                        memo=memo,
                    )
                )
    Coding.objects.bulk_create(rows, batch_size=1000)
    counts["codings"] = len(rows)
    counts["users"] = len({row.coder_id for row in rows})
    _import_participants(study, project, documents, counts)


def _import_participants(
    study: Study, project: qda.Project, documents: dict[str, Document], counts: Counter
) -> None:
    attributes: dict[str, StudyAttribute] = {}
    names: set[str] = set()
    for variable in project.variables:
        # A study's attribute names are unique; a file may repeat one.
        name, number = variable.name.strip()[:90] or "?", 2
        while name in names:
            name, number = f"{variable.name.strip()[:90]} ({number})", number + 1
        names.add(name)
        attributes[variable.guid] = StudyAttribute.objects.create(study=study, name=name)
    sessions: dict[str, Session] = {}
    for item in project.sets:
        members = [documents[g] for g in item.member_sources if g in documents]
        if not members:
            continue
        try:
            held_on = dt.date.fromisoformat(item.description.strip())
        except ValueError:
            held_on = study.starts_on
        session = Session.objects.create(study=study, setting=item.name[:200], held_on=held_on)
        sessions[item.guid] = session
        for document in members:
            document.session = session
        Document.objects.bulk_update(members, ["session"])
    taken: set[str] = set()
    for number, case in enumerate(project.cases, start=1):
        # A case's name is its pseudonym when it fits; a longer one (a name other tools
        # gave it) gives way to a numbered pseudonym.
        name = case.name.strip()
        pseudonym = name if 0 < len(name) <= 20 else f"P{number:02d}"
        while pseudonym in taken:
            pseudonym = f"P{number:02d}-{len(taken)}"[:20]
        taken.add(pseudonym)
        participant = Participant.objects.create(study=study, pseudonym=pseudonym)
        values = {v.variable_guid: v.value for v in case.values if v.variable_guid in attributes}
        AttributeValue.objects.bulk_create(
            AttributeValue(
                participant=participant,
                attribute=attributes[guid],
                value=str(value)[:200] if value is not None else "",
            )
            for guid, value in values.items()
        )
        for guid in case.source_guids:
            document = documents.get(guid)
            if document is not None and document.session_id:
                document.session.present.add(participant)
    counts["cases"] = len(project.cases)
