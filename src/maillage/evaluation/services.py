"""Every write of the evaluation workspace, as a verb: one transaction, permission checked
(permissions.py), audit row written. Bad input raises ValidationError naming the field and
writes nothing.

Transcripts go through the de-identification guard on import: every finding is replaced
(by a pseudonym or a neutral word) or confirmed as not identifying with a reason, which the
audit row keeps; only the cleaned text is stored. The guard runs before the write
transaction opens (it may read every name on record).
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.dates import check_in_range
from maillage.core.deidentification import NameIndex
from maillage.core.models import User
from maillage.core.permissions import require
from maillage.directory.models import Practitioner
from maillage.families.guard_names import name_index

from . import cleaning, selectors
from .codebook_templates import TEMPLATE_LABELS, TemplateCode, template_codes
from .models import (
    MEMO_MAX,
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
    SpeakerTurn,
    Study,
    StudyAttribute,
    StudyEvaluator,
)
from .permissions import forget_roles
from .transcripts import Turn

REASON_MAX = 300
REPLACEMENT_MAX = 60


def _clean_and_save(obj) -> None:
    obj.full_clean()
    obj.save()


def _event(action: str, *, by: User, obj, details: dict | None = None) -> None:
    record_event(action=action, actor=by, obj=obj, details=details or {})


# --- studies, their team and participants --------------------------------------------------


@transaction.atomic
def start_study(
    *,
    by: User,
    title: str,
    starts_on: date,
    question: str = "",
    ends_on: date | None = None,
    blind_coding: bool = True,
) -> Study:
    """Anyone who may start a study becomes its lead evaluator."""
    require(by, "evaluation.start_study")
    study = Study(
        title=title,
        question=question,
        starts_on=starts_on,
        ends_on=ends_on,
        blind_coding=blind_coding,
        created_by=by,
    )
    _clean_and_save(study)
    StudyEvaluator.objects.create(study=study, user=by, role=EvaluatorRole.LEAD)
    forget_roles(by)
    _event(Action.CREATED, by=by, obj=study)
    return study


@transaction.atomic
def add_evaluator(*, by: User, study: Study, user: User, role: str) -> StudyEvaluator:
    require(by, "evaluation.manage_study", study)
    if StudyEvaluator.objects.filter(study=study, user=user).exists():
        raise ValidationError({"user": _("This person is already on the study's team.")})
    evaluator = StudyEvaluator(study=study, user=user, role=role)
    _clean_and_save(evaluator)
    forget_roles(user)
    _event(Action.UPDATED, by=by, obj=study, details={"evaluator_added": role})
    return evaluator


def next_pseudonym(study: Study) -> str:
    taken = set(study.participants.values_list("pseudonym", flat=True))
    number = 1
    while f"P{number:02d}" in taken:
        number += 1
    return f"P{number:02d}"


@transaction.atomic
def add_participant(
    *,
    by: User,
    study: Study,
    real_name: str = "",
    practitioner: Practitioner | None = None,
    consent_given_on: date | None = None,
    consent_note: str = "",
    attributes: Mapping[str, str] | None = None,
) -> Participant:
    """A participant gets the next free pseudonym (P01, P02…), used everywhere in the study.
    Research consent is recorded here, apart from any family's consent to care."""
    require(by, "evaluation.manage_study", study)
    if not real_name.strip() and practitioner is None:
        raise ValidationError(
            {"real_name": _("Give the participant's name, or choose them in the directory.")}
        )
    if practitioner is not None and not real_name.strip():
        real_name = f"{practitioner.first_name} {practitioner.last_name}"
    check_in_range(consent_given_on, field="consent_given_on", label=_("Research consent given on"))
    Study.objects.select_for_update().filter(pk=study.pk).first()
    participant = Participant(
        study=study,
        pseudonym=next_pseudonym(study),
        real_name=real_name.strip(),
        practitioner=practitioner,
        consent_given_on=consent_given_on,
        consent_note=consent_note,
    )
    _clean_and_save(participant)
    for name, value in (attributes or {}).items():
        _set_attribute(participant, name, value)
    _event(Action.CREATED, by=by, obj=participant, details={"pseudonym": participant.pseudonym})
    return participant


def _set_attribute(participant: Participant, name: str, value: str) -> None:
    name, value = name.strip()[:100], value.strip()
    if not name:
        raise ValidationError({"attribute": _("An attribute needs a name.")})
    if len(value) > 200:
        raise ValidationError({"value": _("A value has at most 200 characters.")})
    attribute, _created = StudyAttribute.objects.get_or_create(
        study_id=participant.study_id, name=name
    )
    if value:
        AttributeValue.objects.update_or_create(
            participant=participant, attribute=attribute, defaults={"value": value}
        )
    else:
        AttributeValue.objects.filter(participant=participant, attribute=attribute).delete()


@transaction.atomic
def set_attribute(*, by: User, participant: Participant, name: str, value: str) -> None:
    require(by, "evaluation.manage_study", participant.study)
    _set_attribute(participant, name, value)
    _event(Action.UPDATED, by=by, obj=participant, details={"attribute": name[:100]})


@transaction.atomic
def record_session(
    *,
    by: User,
    study: Study,
    setting: str,
    held_on: date,
    moderator: str = "",
    present: Sequence[Participant] = (),
) -> Session:
    require(by, "evaluation.manage_study", study)
    if any(p.study_id != study.pk for p in present):
        raise ValidationError({"present": _("Choose participants of this study.")})
    check_in_range(held_on, field="held_on", label=_("Date"))
    session = Session(study=study, setting=setting, held_on=held_on, moderator=moderator)
    _clean_and_save(session)
    session.present.set(present)
    _event(Action.CREATED, by=by, obj=session)
    return session


PARTICIPANT_FIELDS = ("real_name", "practitioner", "consent_given_on", "consent_note")


@transaction.atomic
def update_participant(
    *,
    by: User,
    participant: Participant,
    fields: Mapping[str, Any],
    attributes: Mapping[str, str] | None = None,
) -> Participant:
    """The lead corrects a participant: name, link to the directory, research consent,
    attributes (an empty value removes one). The pseudonym never changes: the transcripts
    name the participant by it."""
    require(by, "evaluation.manage_study", participant.study)
    unknown = set(fields) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    for name, value in fields.items():
        setattr(participant, name, value.strip() if isinstance(value, str) else value)
    if not participant.real_name and participant.practitioner is None:
        raise ValidationError(
            {"real_name": _("Give the participant's name, or choose them in the directory.")}
        )
    check_in_range(
        participant.consent_given_on,
        field="consent_given_on",
        label=_("Research consent given on"),
    )
    _clean_and_save(participant)
    for name, value in (attributes or {}).items():
        _set_attribute(participant, name, value)
    # The names of the fields changed, never their values (a real name stays out of the log).
    changed = sorted(fields) + sorted(
        f"attribute:{name.strip()[:100]}" for name in attributes or {}
    )
    _event(Action.UPDATED, by=by, obj=participant, details={"fields": changed})
    return participant


SESSION_FIELDS = ("setting", "held_on", "moderator")


@transaction.atomic
def update_session(
    *,
    by: User,
    session: Session,
    fields: Mapping[str, Any],
    present: Sequence[Participant] | None = None,
) -> Session:
    """The lead corrects a focus group: where, when, who moderated, who was there (the whole
    list when given)."""
    require(by, "evaluation.manage_study", session.study)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    if present is not None and any(p.study_id != session.study_id for p in present):
        raise ValidationError({"present": _("Choose participants of this study.")})
    session = Session.objects.select_for_update().get(pk=session.pk)
    for name, value in fields.items():
        setattr(session, name, value.strip() if isinstance(value, str) else value)
    check_in_range(session.held_on, field="held_on", label=_("Date"))
    _clean_and_save(session)
    if present is not None:
        session.present.set(present)
    changed = sorted(fields) + (["present"] if present is not None else [])
    _event(Action.UPDATED, by=by, obj=session, details={"fields": changed})
    return session


@transaction.atomic
def reveal_codings(*, by: User, study: Study) -> None:
    """The end of blind coding: from now on every evaluator sees every coder's codings."""
    require(by, "evaluation.reveal_codings", study)
    if study.revealed_at is None:
        study.revealed_at = timezone.now()
        study.save(update_fields=["revealed_at", "updated_at"])
        _event(Action.UPDATED, by=by, obj=study, details={"revealed": True})


# --- transcripts -----------------------------------------------------------------------------


def guard_indexes(study: Study) -> list[NameIndex]:
    """Everyone on record, and the study's own participants (outside people are in no other
    table). Read before any write transaction opens."""
    own = NameIndex.from_names(
        full_names=study.participants.exclude(real_name="").values_list("real_name", flat=True)
    )
    return [name_index(), own]


def speaker_labels(study: Study, speakers: Mapping[str, Any]) -> dict[str, str]:
    """{label in the file: pseudonym} for the labels mapped to a participant of the study."""
    wanted = {label: str(pid) for label, pid in speakers.items() if pid}
    if not wanted:
        return {}
    pseudonyms = {str(pk): name for pk, name in study.participants.values_list("pk", "pseudonym")}
    unknown = sorted(label for label, pid in wanted.items() if pid not in pseudonyms)
    if unknown:
        raise ValidationError(
            {
                "speakers": _("Speaker “%(label)s”: choose a participant of this study.")
                % {"label": unknown[0]}
            }
        )
    return {label: pseudonyms[pid] for label, pid in wanted.items()}


def import_document(
    *,
    by: User,
    study: Study,
    title: str,
    kind: str,
    turns: Sequence[Turn],
    session: Session | None = None,
    source_filename: str = "",
    speakers: Mapping[str, Any] | None = None,
    replacements: Mapping[str, str] | None = None,
    confirmations: Mapping[str, str] | None = None,
) -> Document:
    """Stores a transcript once every finding of the guard is replaced or confirmed with a
    reason; speaker labels mapped to participants become their pseudonyms. Unresolved
    findings: a ValidationError on "findings" listing them, nothing written."""
    require(by, "evaluation.import_document", study, hide=True)
    if session is not None and session.study_id != study.pk:
        raise ValidationError({"session": _("Choose a focus group of this study.")})
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose a kind of document.")})
    if not turns:
        raise ValidationError({"file": _("The document holds no text.")})
    labels = speaker_labels(study, speakers or {})
    replacements = {
        key: " ".join(value.split())[:REPLACEMENT_MAX]
        for key, value in (replacements or {}).items()
        if value and value.strip()
    }
    reasons = {
        key: reason.strip()[:REASON_MAX]
        for key, reason in (confirmations or {}).items()
        if reason and reason.strip() and key not in replacements
    }
    indexes = guard_indexes(study)
    found = cleaning.findings(list(turns), speakers=labels, indexes=indexes)
    open_items = [
        item for item in found if item.key not in replacements and item.key not in reasons
    ]
    if open_items:
        raise ValidationError(
            {
                "findings": [
                    _(
                        "“%(text)s” (%(kind)s) may identify someone: replace it by a "
                        "pseudonym, or confirm it with a reason."
                    )
                    % {"text": item.text, "kind": item.kind_label}
                    for item in open_items
                ]
            }
        )
    text, spans = cleaning.clean(
        list(turns), speakers=labels, indexes=indexes, replacements=replacements
    )
    participants = dict(study.participants.values_list("pseudonym", "pk"))
    with transaction.atomic():
        document = Document(
            study=study,
            session=session,
            title=title,
            kind=kind,
            text=text,
            source_filename=source_filename[:255],
            imported_by=by,
        )
        _clean_and_save(document)
        SpeakerTurn.objects.bulk_create(
            SpeakerTurn(
                document=document,
                participant_id=participants.get(span.speaker),
                speaker=span.speaker[:100],
                start=span.start,
                end=span.end,
            )
            for span in spans
        )
        # The audit row keeps what was decided, never the text that was replaced.
        _event(
            Action.IMPORTED,
            by=by,
            obj=document,
            details={
                "replaced": len([i for i in found if i.key in replacements]),
                "confirmed": [
                    {"kind": i.kind_label, "reason": reasons[i.key]}
                    for i in found
                    if i.key in reasons
                ],
            },
        )
    return document


# --- the codebook ----------------------------------------------------------------------------

CODE_FIELDS = ("name", "definition", "use_when", "not_use_when", "example", "inductive", "colour")


def _log_change(*, by: User, study: Study, code: Code | None, kind: str, details=None) -> None:
    CodebookChange.objects.create(
        study=study,
        code=code,
        by=by,
        kind=kind,
        code_name=code.name if code is not None else "",
        details=details or {},
    )


def _unique_name_error(name: str) -> ValidationError:
    return ValidationError(
        {"name": _("The codebook already has a code “%(name)s”.") % {"name": name}}
    )


@transaction.atomic
def create_code(
    *, by: User, study: Study, name: str, parent: Code | None = None, **fields: Any
) -> Code:
    require(by, "evaluation.edit_codebook", study, hide=True)
    if parent is not None and parent.study_id != study.pk:
        raise ValidationError({"parent": _("Choose a code of this study.")})
    unknown = set(fields) - set(CODE_FIELDS)
    if unknown:
        raise ValueError(f"unknown code fields {unknown}")
    if Code.objects.filter(study=study, name=name.strip()).exists():
        raise _unique_name_error(name.strip())
    code = Code(study=study, parent=parent, name=name.strip(), **fields)
    _clean_and_save(code)
    _log_change(by=by, study=study, code=code, kind=CodebookChangeKind.CREATED)
    return code


@transaction.atomic
def update_code(*, by: User, code: Code, parent: Code | None = None, **fields: Any) -> Code:
    require(by, "evaluation.edit_codebook", code.study, hide=True)
    code = Code.objects.select_for_update().get(pk=code.pk)
    if parent is not None:
        walker: Code | None = parent
        while walker is not None:
            if walker.pk == code.pk:
                raise ValidationError({"parent": _("A code cannot be placed under itself.")})
            walker = walker.parent
        if parent.study_id != code.study_id:
            raise ValidationError({"parent": _("Choose a code of this study.")})
    changed: dict[str, list] = {}
    for field, value in fields.items():
        if field not in CODE_FIELDS:
            raise ValueError(f"unknown code field {field}")
        before = getattr(code, field)
        if before != value:
            changed[field] = [before, value]
            setattr(code, field, value)
    if (parent.pk if parent else None) != code.parent_id:
        changed["parent"] = [str(code.parent_id or ""), str(parent.pk if parent else "")]
        code.parent = parent
    if (
        "name" in changed
        and Code.objects.filter(study_id=code.study_id, name=code.name).exclude(pk=code.pk).exists()
    ):
        raise _unique_name_error(code.name)
    _clean_and_save(code)
    if changed:
        _log_change(
            by=by,
            study=code.study,
            code=code,
            kind=CodebookChangeKind.UPDATED,
            details={"changed": sorted(changed)},
        )
    return code


@transaction.atomic
def merge_codes(*, by: User, target: Code, sources: Sequence[Code]) -> Code:
    """The sources' codings (and memos, and sub-codes) move to the target; the sources are
    removed. A coding that would then duplicate one of the target by the same coder on the
    same passage is dropped (it said the same thing twice)."""
    require(by, "evaluation.edit_codebook", target.study, hide=True)
    sources = [s for s in sources if s.pk != target.pk]
    if not sources or any(s.study_id != target.study_id for s in sources):
        raise ValidationError({"sources": _("Choose other codes of this study to merge.")})
    source_ids = [s.pk for s in sources]
    kept = set(
        Coding.objects.filter(code=target).values_list("document_id", "coder_id", "start", "end")
    )
    moved = 0
    for coding in Coding.objects.filter(code_id__in=source_ids).order_by("pk"):
        key = (coding.document_id, coding.coder_id, coding.start, coding.end)
        if key in kept:
            coding.delete()
            continue
        kept.add(key)
        coding.code = target
        coding.save(update_fields=["code", "updated_at"])
        moved += 1
    CodeMemo.objects.filter(code_id__in=source_ids).update(code=target)
    Code.objects.filter(parent_id__in=source_ids).update(parent=target)
    names = [s.name for s in sources]
    Code.objects.filter(pk__in=source_ids).delete()
    _log_change(
        by=by,
        study=target.study,
        code=target,
        kind=CodebookChangeKind.MERGED,
        details={"merged": names, "codings_moved": moved},
    )
    return target


@transaction.atomic
def split_code(
    *,
    by: User,
    code: Code,
    new_name: str,
    moved_codings: Sequence[Any] = (),
) -> Code:
    """A new code beside this one; the codings named in `moved_codings` move to it, the
    others stay (coders then recode what needs to)."""
    require(by, "evaluation.edit_codebook", code.study, hide=True)
    new_name = new_name.strip()
    if not new_name:
        raise ValidationError({"new_name": _("Name the new code.")})
    if Code.objects.filter(study_id=code.study_id, name=new_name).exists():
        raise _unique_name_error(new_name)
    part = Code(
        study_id=code.study_id,
        parent=code.parent,
        name=new_name,
        definition=code.definition,
        inductive=code.inductive,
        colour=code.colour,
    )
    _clean_and_save(part)
    wanted = {str(pk) for pk in moved_codings}
    codings = [c for c in Coding.objects.filter(code=code) if str(c.pk) in wanted]
    if len(codings) != len(wanted):
        raise ValidationError({"moved_codings": _("Choose codings of the code being split.")})
    Coding.objects.filter(pk__in=[c.pk for c in codings]).update(code=part)
    _log_change(
        by=by,
        study=code.study,
        code=code,
        kind=CodebookChangeKind.SPLIT,
        details={"into": new_name, "codings_moved": len(codings)},
    )
    return part


@transaction.atomic
def delete_code(*, by: User, code: Code) -> None:
    """Only an unused code goes: a code with codings is merged into another instead."""
    require(by, "evaluation.edit_codebook", code.study, hide=True)
    if code.codings.exists() or code.children.exists():
        raise ValidationError(
            {"code": _("This code has codings or sub-codes: merge it into another code instead.")}
        )
    study = code.study
    _log_change(
        by=by, study=study, code=None, kind=CodebookChangeKind.DELETED, details={"name": code.name}
    )
    code.delete()


def _create_tree(study: Study, nodes: Sequence[TemplateCode], parent: Code | None) -> int:
    created = 0
    for node in nodes:
        code, was_created = Code.objects.get_or_create(
            study=study,
            name=node.name[:200],
            defaults={"parent": parent, "definition": node.definition},
        )
        created += was_created
        created += _create_tree(study, node.children, code)
    return created


@transaction.atomic
def apply_template(*, by: User, study: Study, template: str) -> int:
    """Adds the template's codes (those the codebook lacks); returns how many."""
    require(by, "evaluation.edit_codebook", study, hide=True)
    if template not in TEMPLATE_LABELS:
        raise ValidationError({"template": _("Choose a template.")})
    created = _create_tree(study, template_codes(template), None)
    _log_change(
        by=by,
        study=study,
        code=None,
        kind=CodebookChangeKind.TEMPLATE,
        details={"template": template, "created": created},
    )
    return created


@transaction.atomic
def add_code_memo(*, by: User, code: Code, text: str) -> CodeMemo:
    require(by, "evaluation.edit_codebook", code.study, hide=True)
    memo = CodeMemo(code=code, author=by, text=text.strip())
    _clean_and_save(memo)
    return memo


# --- coding ----------------------------------------------------------------------------------


def _check_span(document: Document, start: int, end: int) -> None:
    length = len(document.text)
    if start < 0 or end <= start:
        raise ValidationError(
            {
                "end": _("A passage ends after it starts (start %(start)s, end %(end)s).")
                % {"start": start, "end": end}
            }
        )
    if end > length:
        raise ValidationError(
            {
                "end": _(
                    "This passage ends at character %(end)s, past the end of the text "
                    "(%(length)s characters)."
                )
                % {"end": end, "length": length}
            }
        )


@transaction.atomic
def add_codings(
    *,
    by: User,
    document: Document,
    codes: Sequence[Code],
    start: int,
    end: int,
    memo: str = "",
) -> list[Coding]:
    """Codes the passage [start, end) with each code, for this coder. A passage that
    overlaps one the same coder already coded with the same code is refused (not merged:
    the coder decides whether to widen the existing coding or remove it), naming it.
    All or nothing."""
    require(by, "evaluation.code", document.study, hide=True)
    if not codes:
        raise ValidationError({"codes": _("Choose at least one code.")})
    if any(code.study_id != document.study_id for code in codes):
        raise ValidationError({"codes": _("Choose codes of this study.")})
    if len(memo) > MEMO_MAX:
        raise ValidationError(
            {"memo": _("A memo has at most %(max)s characters.") % {"max": MEMO_MAX}}
        )
    _check_span(document, start, end)
    # Two tabs of the same coder: one at a time per document.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    overlapping = {
        c.code_id: c
        for c in Coding.objects.filter(
            document=document, coder=by, code__in=codes, start__lt=end, end__gt=start
        ).select_related("code")
    }
    if overlapping:
        existing = next(iter(overlapping.values()))
        raise ValidationError(
            {
                "codes": _(
                    "You already coded an overlapping passage (characters %(start)s–%(end)s) "
                    "with “%(code)s”. Nothing was added: change or remove that coding first."
                )
                % {"start": existing.start, "end": existing.end, "code": existing.code.name}
            }
        )
    created = []
    for code in codes:
        coding = Coding(document=document, code=code, coder=by, start=start, end=end, memo=memo)
        _clean_and_save(coding)
        created.append(coding)
    _event(Action.CREATED, by=by, obj=document, details={"codings": len(created)})
    return created


@transaction.atomic
def update_coding_memo(*, by: User, coding: Coding, memo: str) -> Coding:
    require(by, "evaluation.change_coding", coding)
    coding.memo = memo.strip()
    _clean_and_save(coding)
    return coding


@transaction.atomic
def delete_coding(*, by: User, coding: Coding) -> None:
    require(by, "evaluation.change_coding", coding)
    _event(Action.DELETED, by=by, obj=coding.document, details={"coding": str(coding.pk)})
    coding.delete()


def participant_for_practitioner(practitioner_id: Any) -> Practitioner | None:
    try:
        return Practitioner.objects.get(pk=practitioner_id)
    except (Practitioner.DoesNotExist, ValueError, ValidationError):
        return None


# --- deleting a study ------------------------------------------------------------------------


def delete_study(*, by: User, study: Study, confirm_title: str = "") -> dict[str, int]:
    """Deletes the study and everything it holds (participants, focus groups, transcripts,
    codebook, codings, memos), for its lead, once an up-to-date archive was made
    (archive.py) or the lead typed the study's title to delete without one. The audit event
    keeps who, when, the counts removed and the archive's checksum; returns the counts."""
    require(by, "evaluation.view_study", study, hide=True)
    require(by, "evaluation.manage_study", study)
    archive = selectors.last_archive(study)
    by_title = confirm_title.strip() == study.title.strip()
    if not by_title and (archive is None or archive.outdated):
        reason = (
            _("The study changed after its archive was made.")
            if archive is not None
            else _("No archive of the study was made.")
        )
        raise ValidationError(
            {
                "confirm_title": _(
                    "%(reason)s Download the archive first, or type the study's title to "
                    "delete it without one."
                )
                % {"reason": reason}
            }
        )
    with transaction.atomic():
        counts = selectors.study_counts(study)
        study_id, title = str(study.pk), study.title
        # Each table's rows go with the study (on_delete=CASCADE all the way down): no
        # transcript, turn, coding or participant can outlive it.
        study.delete()
        record_event(
            action=Action.DELETED,
            actor=by,
            object_type=Study._meta.label_lower,
            object_id=study_id,
            object_label=title,
            details={
                "removed": counts,
                "archive_sha256": archive.sha256 if archive and not archive.outdated else "",
                "archived_at": archive.at.isoformat() if archive else "",
                "confirmed_by_title": by_title,
            },
        )
        forget_roles(by)
    return counts
