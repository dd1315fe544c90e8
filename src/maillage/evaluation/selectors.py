"""Every read of the evaluation workspace, scoped to the reader. A study, document, code or
coding the reader may not see answers "not found", as a missing one (Zulip's access_*),
and every read of a transcript writes one audit event."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404

from maillage.audit.models import Action, AuditEvent
from maillage.audit.services import record_event
from maillage.core.models import User
from maillage.core.permissions import require

from .coded_text import TurnView, turn_views
from .models import (
    AttributeValue,
    Code,
    CodebookChange,
    CodeMemo,
    Coding,
    Document,
    Participant,
    Session,
    SpeakerTurn,
    Study,
    StudyEvaluator,
)


def _get(queryset: QuerySet, pk: Any):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def studies_for(*, fetched_by: User) -> QuerySet[Study]:
    """The studies the reader evaluates (nobody else sees a study at all)."""
    if not fetched_by.is_authenticated:
        return Study.objects.none()
    return (
        Study.objects.filter(evaluators__user=fetched_by)
        .annotate(document_count=Count("documents", distinct=True))
        .order_by("-starts_on", "title")
    )


def access_study(user: User, study_id: Any, *, perm: str = "evaluation.view_study") -> Study:
    study = _get(Study.objects.all(), study_id)
    require(user, "evaluation.view_study", study, hide=True)
    if perm != "evaluation.view_study":
        require(user, perm, study)
    return study


def access_document(user: User, document_id: Any, *, perm: str = "evaluation.view_study"):
    document = _get(Document.objects.select_related("study", "session"), document_id)
    require(user, "evaluation.view_study", document.study, hide=True)
    if perm != "evaluation.view_study":
        require(user, perm, document.study)
    return document


def access_code(user: User, code_id: Any) -> Code:
    code = _get(Code.objects.select_related("study", "parent"), code_id)
    require(user, "evaluation.view_study", code.study, hide=True)
    return code


def access_coding(user: User, coding_id: Any) -> Coding:
    """A coding is seen by its coder, and by the study's evaluators once revealed."""
    coding = _get(Coding.objects.select_related("document__study", "code"), coding_id)
    study = coding.document.study
    require(user, "evaluation.view_study", study, hide=True)
    if coding.coder_id != user.pk and not user.has_perm("evaluation.view_all_codings", study):
        raise Http404
    return coding


def access_participant(user: User, participant_id: Any) -> Participant:
    participant = _get(Participant.objects.select_related("study"), participant_id)
    require(user, "evaluation.view_study", participant.study, hide=True)
    return participant


def access_session(user: User, session_id: Any) -> Session:
    """A focus group, for the study's evaluators."""
    session = _get(Session.objects.select_related("study"), session_id)
    require(user, "evaluation.view_study", session.study, hide=True)
    return session


def visible_codings(user: User, study: Study) -> QuerySet[Coding]:
    """The codings the reader may see: their own while the study is blind, all after."""
    codings = Coding.objects.filter(document__study=study)
    if not user.has_perm("evaluation.view_all_codings", study):
        codings = codings.filter(coder=user)
    return codings


def evaluators(study: Study) -> list[StudyEvaluator]:
    return list(study.evaluators.select_related("user"))


def sees_real_names(user: User, study: Study) -> bool:
    """Only the study's lead reads participants' real names (the rule, asked once here)."""
    return user.has_perm("evaluation.view_real_names", study)


def participants(user: User, study: Study) -> list[Participant]:
    """The study's participants with their attributes. Real names are read only for the
    lead (and that read is logged); other evaluators get pseudonyms only."""
    rows = study.participants.select_related("practitioner").prefetch_related(
        "attribute_values__attribute"
    )
    if sees_real_names(user, study):
        record_event(action=Action.VIEWED, actor=user, obj=study, details={"parts": ["real_names"]})
        return list(rows)
    return list(rows.defer("real_name"))


def attributes_of(participant: Participant) -> dict[str, str]:
    """{attribute: value} (prefetched by participants())."""
    return {v.attribute.name: v.value for v in participant.attribute_values.all()}


def pseudonym_choices(study: Study) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in study.participants.values_list("pk", "pseudonym")]


def sessions(study: Study) -> list[Session]:
    return list(
        study.sessions.prefetch_related("present").annotate(document_count=Count("documents"))
    )


def session_of_study(study: Study, session_id: Any) -> Session:
    """One focus group as the list shows it (present participants, documents counted)."""
    return _get(
        study.sessions.prefetch_related("present").annotate(document_count=Count("documents")),
        session_id,
    )


def documents(study: Study) -> list[Document]:
    return list(
        study.documents.select_related("session")
        .defer("text")
        .annotate(coding_count=Count("codings"))
    )


def codebook(user: User, study: Study) -> list[tuple[Code, int]]:
    """The codes as a tree in reading order (parent before children), with their depth and
    the number of codings the reader may see."""
    visible = Q(codings__isnull=False)
    if not user.has_perm("evaluation.view_all_codings", study):
        visible &= Q(codings__coder=user)
    codes = list(
        study.codes.annotate(coding_count=Count("codings", filter=visible)).order_by("name")
    )
    children: dict[Any, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    ordered: list[tuple[Code, int]] = []

    def walk(parent_id, depth: int) -> None:
        for code in children.get(parent_id, []):
            ordered.append((code, depth))
            walk(code.pk, depth + 1)

    walk(None, 0)
    return ordered


def codebook_history(study: Study, *, limit: int | None = 100) -> list[CodebookChange]:
    changes = study.codebook_changes.select_related("by")
    return list(changes if limit is None else changes[:limit])


# --- the study's archive and deletion --------------------------------------------------------


def participants_for_archive(study: Study) -> list[tuple[str, dict, dict, Any, str]]:
    """(pseudonym, the study's attributes, the directory's sector/organization/team/role,
    research consent date, consent note) per participant; never the real name."""
    people = []
    for participant in (
        study.participants.defer("real_name")
        .select_related("practitioner")
        .prefetch_related(
            "attribute_values__attribute", "practitioner__memberships__team__organization"
        )
    ):
        values = {v.attribute.name: v.value for v in participant.attribute_values.all()}
        directory: dict[str, str] = {}
        memberships = (
            list(participant.practitioner.memberships.all()) if participant.practitioner else []
        )
        if memberships:
            membership = memberships[0]
            organization = membership.team.organization
            directory = {
                "sector": organization.get_sector_display(),
                "organization": organization.name,
                "team": membership.team.name,
                "role": membership.title or membership.get_role_display(),
            }
        people.append(
            (
                participant.pseudonym,
                values,
                directory,
                participant.consent_given_on,
                participant.consent_note,
            )
        )
    return people


def study_counts(study: Study) -> dict[str, int]:
    """What the study holds, table by table: what its deletion removes."""
    return {
        "evaluators": study.evaluators.count(),
        "participants": study.participants.count(),
        "attribute_values": AttributeValue.objects.filter(participant__study=study).count(),
        "attributes": study.attributes.count(),
        "focus_groups": study.sessions.count(),
        "documents": study.documents.count(),
        "speaker_turns": SpeakerTurn.objects.filter(document__study=study).count(),
        "codes": study.codes.count(),
        "codings": Coding.objects.filter(document__study=study).count(),
        "code_memos": CodeMemo.objects.filter(code__study=study).count(),
        "codebook_changes": study.codebook_changes.count(),
    }


@dataclass(frozen=True)
class ArchiveMade:
    at: Any
    by: str
    sha256: str
    # Something of the study changed after the archive was made: it no longer holds all.
    outdated: bool


def last_archive(study: Study) -> ArchiveMade | None:
    """The study's latest archive (from the audit log, which keeps every export), and
    whether the study changed since."""
    event = (
        AuditEvent.objects.filter(
            action=Action.EXPORTED,
            object_type=Study._meta.label_lower,
            object_id=str(study.pk),
            details__format="archive",
        )
        .order_by("-at")
        .first()
    )
    if event is None:
        return None
    since = Q(updated_at__gt=event.at)
    outdated = (
        study.updated_at > event.at
        or study.participants.filter(since).exists()
        or AttributeValue.objects.filter(since, participant__study=study).exists()
        or study.sessions.filter(since).exists()
        or study.documents.filter(since).exists()
        or study.codes.filter(since).exists()
        or Coding.objects.filter(since, document__study=study).exists()
        or CodeMemo.objects.filter(since, code__study=study).exists()
        or study.codebook_changes.filter(at__gt=event.at).exists()
    )
    return ArchiveMade(event.at, event.actor_label, event.details.get("sha256", ""), outdated)


# --- reading a transcript --------------------------------------------------------------------


CODING_COLUMNS = (
    "document_id",
    "code_id",
    "coder_id",
    "start",
    "end",
    "memo",
    "code__name",
    "coder__full_name",
)


def read_document(user: User, document: Document) -> tuple[list[TurnView], list[Coding]]:
    """The transcript as turns cut by the codings the reader may see. One audit event, the
    transcript read; a fixed number of queries whatever the number of turns or codings."""
    require(user, "evaluation.view_transcript", document.study, hide=True)
    record_event(action=Action.VIEWED, actor=user, obj=document, details={"parts": ["transcript"]})
    codings = list(
        visible_codings(user, document.study)
        .filter(document=document)
        .select_related("code", "coder")
        # What the page and the API show of a coding: not the whole code, nor the coder's
        # account (a thousand codings' rows were most of the read).
        .only(*CODING_COLUMNS)
        .order_by("start", "end")
    )
    turns = list(document.turns.all())
    if not turns:
        turns = [SpeakerTurn(document=document, speaker="", start=0, end=len(document.text))]
    with_coders = user.has_perm("evaluation.view_all_codings", document.study)
    views = turn_views(document.text, turns, codings, with_coders=with_coders)
    return views, codings


class CodeName(NamedTuple):
    name: str


class CoderName(NamedTuple):
    full_name: str


class ShownCoding(NamedTuple):
    """What the document page shows of a coding, shaped like a Coding for the renderers
    (coded_text, coding_list): read as plain values, a thousand codings cost a tenth of
    what a thousand model instances (with their code and coder) did."""

    pk: str
    start: int
    end: int
    memo: str
    coder_id: str
    code: CodeName
    coder: CoderName


@dataclass(frozen=True)
class TranscriptReading:
    """A transcript as one reader may see it: the codings visible to them, and a digest of
    everything the page shows of them (ids, spans, memos, code and coder names). Two readings
    with the same digest show the same codings, so a rendition may be kept under it."""

    rows: list[tuple]
    digest: str
    with_coders: bool

    @property
    def count(self) -> int:
        return len(self.rows)

    def codings(self) -> list[ShownCoding]:
        """Built only when a rendition is made (not when a kept one is served)."""
        return [
            ShownCoding(pk, start, end, memo, coder, CodeName(code), CoderName(name))
            for pk, start, end, memo, coder, code, name in self.rows
        ]


def read_document_codings(user: User, document: Document) -> TranscriptReading:
    """The document page's read: one audit event, as read_document; one query for the
    codings whatever their number."""
    require(user, "evaluation.view_transcript", document.study, hide=True)
    record_event(action=Action.VIEWED, actor=user, obj=document, details={"parts": ["transcript"]})
    rows = list(
        visible_codings(user, document.study)
        .filter(document=document)
        # Ids as text: parsing a thousand UUIDs was a third of the read.
        .annotate(
            id_text=Cast("id", TextField()),
            coder_text=Cast("coder_id", TextField()),
        )
        .order_by("start", "end", "id")
        .values_list(
            "id_text", "start", "end", "memo", "coder_text", "code__name", "coder__full_name"
        )
    )
    with_coders = user.has_perm("evaluation.view_all_codings", document.study)
    # The names are part of the digest: a renamed code or coder is a new rendition.
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    return TranscriptReading(rows, digest, with_coders)


def transcript_turns(document: Document) -> list[SpeakerTurn]:
    """The turns the page is cut in (a text without turns is one turn)."""
    turns = list(document.turns.all())
    return turns or [SpeakerTurn(document=document, speaker="", start=0, end=len(document.text))]


def account_by_email(email: str) -> User | None:
    """An active account, to add to a study's team."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def practitioner_by_email(email: str):
    from maillage.directory.models import Practitioner

    return Practitioner.objects.filter(email__iexact=email.strip()).first()


def session_of(study: Study, session_id: Any) -> Session | None:
    if not session_id:
        return None
    try:
        return study.sessions.get(pk=session_id)
    except (Session.DoesNotExist, ValueError, ValidationError):
        return None


def codes_of(study: Study, ids) -> list[Code]:
    return list(study.codes.filter(pk__in=list(ids)))


def participants_by_ids(study: Study, ids) -> list[Participant]:
    return list(study.participants.filter(pk__in=list(ids)))


def code_codings(user: User, code: Code) -> list[Coding]:
    return list(
        visible_codings(user, code.study).filter(code=code).select_related("document", "coder")
    )


def code_memos(code: Code) -> list:
    return list(code.memos.select_related("author"))


# --- what the analysis reads -----------------------------------------------------------------


def study_rows(user: User, study: Study):
    """The study's codings, documents, turns and participants as the analysis's plain
    values, in a fixed number of queries. Only for readers who see every coding (after the
    reveal): agreement compares coders. Reading the texts (for quotes) is a transcript read,
    logged once per document."""
    from .analysis import Coding as PlainCoding
    from .analysis import Document as PlainDocument
    from .analysis import Participant as PlainParticipant
    from .analysis import Segment as PlainSegment
    from .figures import StudyRows

    require(user, "evaluation.view_analysis", study, hide=False)
    documents = list(study.documents.select_related("session"))
    for document in documents:
        record_event(
            action=Action.VIEWED, actor=user, obj=document, details={"parts": ["transcript"]}
        )
    codings = Coding.objects.filter(document__study=study).values_list(
        "coder_id", "code_id", "document_id", "start", "end"
    )
    turns = SpeakerTurn.objects.filter(document__study=study).values_list(
        "document_id", "start", "end", "participant__pseudonym"
    )
    people = []
    for participant in study.participants.select_related("practitioner").prefetch_related(
        "attribute_values__attribute", "practitioner__memberships__team__organization"
    ):
        attributes = {v.attribute.name: v.value for v in participant.attribute_values.all()}
        practitioner = participant.practitioner
        if practitioner is not None:
            memberships = list(practitioner.memberships.all())
            if memberships:
                organization = memberships[0].team.organization
                attributes.setdefault("sector", organization.get_sector_display())
                attributes.setdefault("organization", organization.name)
        people.append(PlainParticipant(participant.pseudonym, attributes))
    evaluators = study.evaluators.select_related("user")
    return StudyRows(
        codings=[PlainCoding(str(a), str(b), str(c), s, e) for a, b, c, s, e in codings],
        documents=[PlainDocument(str(d.pk), len(d.text)) for d in documents],
        segments=[PlainSegment(str(d), s, e, p) for d, s, e, p in turns],
        participants=people,
        code_names={str(pk): name for pk, name in study.codes.values_list("pk", "name")},
        coder_names={str(e.user_id): e.user.full_name for e in evaluators},
        document_titles={str(d.pk): d.title for d in documents},
        document_settings={str(d.pk): d.session.setting for d in documents if d.session},
        texts={str(d.pk): d.text for d in documents},
    )


def turns_of(document: Document) -> list[SpeakerTurn]:
    return list(document.turns.all())
