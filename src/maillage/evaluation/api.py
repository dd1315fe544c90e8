"""Evaluation endpoints of the JSON API: the same selectors, services and figures as the
pages, so the same codings give the same answers (404 for what one may not see)."""

from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from maillage.core.permissions import require

from . import archive, figures, reports, selectors, services
from .schemas import (
    AgreementReportOut,
    CodeIn,
    CodeOut,
    CodingIn,
    CodingOut,
    DeleteStudyIn,
    DeleteStudyOut,
    DocumentIn,
    DocumentOut,
    FocusGroupIn,
    FocusGroupOut,
    FocusGroupPatch,
    ParticipantIn,
    ParticipantOut,
    ParticipantPatch,
    StudyOut,
)
from .transcripts import Turn

router = Router(tags=["evaluation"])


@router.get("/studies", response=list[StudyOut])
def list_studies(request: HttpRequest):
    return list(selectors.studies_for(fetched_by=request.user)[:200])


@router.get("/studies/{study_id}", response=StudyOut)
def get_study(request: HttpRequest, study_id: UUID):
    return selectors.access_study(request.user, study_id)


@router.get("/studies/{study_id}/archive")
def get_archive(request: HttpRequest, study_id: UUID):
    """Everything the study holds as one ZIP (the .qdpx, participants' attributes and
    research consents by pseudonym, the codebook's history), for its lead; its SHA-256 in
    the X-Archive-SHA256 header. Made after the reveal only (422 while blind)."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    made = archive.export_archive(by=request.user, study=study)
    response = HttpResponse(made.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-archive.zip"'
    response["X-Archive-SHA256"] = made.sha256
    return response


@router.delete("/studies/{study_id}", response=DeleteStudyOut)
def delete_study(request: HttpRequest, study_id: UUID, payload: DeleteStudyIn):
    """Deletes the study and all it holds, for its lead: after an up-to-date archive, or
    with `confirm_title` equal to the study's title (422 otherwise, nothing deleted)."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    counts = services.delete_study(
        by=request.user, study=study, confirm_title=payload.confirm_title
    )
    return {"removed": counts}


@router.get("/studies/{study_id}/codes", response=list[CodeOut])
def list_codes(request: HttpRequest, study_id: UUID):
    study = selectors.access_study(request.user, study_id)
    return [code for code, _depth in selectors.codebook(request.user, study)]


@router.post("/studies/{study_id}/codes", response={201: CodeOut})
def create_code(request: HttpRequest, study_id: UUID, payload: CodeIn):
    study = selectors.access_study(request.user, study_id, perm="evaluation.edit_codebook")
    data = payload.dict()
    parent_id = data.pop("parent_id")
    parents = selectors.codes_of(study, [parent_id]) if parent_id else []
    if parent_id and not parents:
        raise ValidationError({"parent_id": _("Choose a code of this study.")})
    code = services.create_code(
        by=request.user, study=study, parent=parents[0] if parents else None, **data
    )
    return Status(201, code)


# --- participants and focus groups: the same rules as their pages ---------------------------


def _participant_out(participant, *, sees_real_names: bool) -> dict:
    """What identifies the person only for the lead (participants page)."""
    return {
        "id": participant.pk,
        "pseudonym": participant.pseudonym,
        "real_name": participant.real_name if sees_real_names else None,
        "practitioner_id": participant.practitioner_id if sees_real_names else None,
        "consent_given_on": participant.consent_given_on,
        "consent_note": participant.consent_note if sees_real_names else None,
        "attributes": selectors.attributes_of(participant),
    }


def _practitioner(email: str | None):
    if not email:
        return None
    practitioner = selectors.practitioner_by_email(email)
    if practitioner is None:
        raise ValidationError({"practitioner_email": _("No practitioner has this e-mail address.")})
    return practitioner


def _present(study, ids) -> list:
    present = selectors.participants_by_ids(study, ids)
    if len(present) != len(set(ids)):
        raise ValidationError({"present": _("Choose participants of this study.")})
    return present


@router.get("/studies/{study_id}/participants", response=list[ParticipantOut])
def list_participants(request: HttpRequest, study_id: UUID):
    """The study's participants, for its evaluators; real names (and the link to the
    directory, the consent note) for its lead only, and that read is logged."""
    study = selectors.access_study(request.user, study_id)
    sees = selectors.sees_real_names(request.user, study)
    people = selectors.participants(request.user, study)
    return [_participant_out(p, sees_real_names=sees) for p in people]


@router.post("/studies/{study_id}/participants", response={201: ParticipantOut})
def add_participant(request: HttpRequest, study_id: UUID, payload: ParticipantIn):
    """For the study's lead: a name or a practitioner's e-mail address; the pseudonym is
    given (P01, P02…)."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    participant = services.add_participant(
        by=request.user,
        study=study,
        real_name=payload.real_name,
        practitioner=_practitioner(payload.practitioner_email),
        consent_given_on=payload.consent_given_on,
        consent_note=payload.consent_note,
        attributes=payload.attributes,
    )
    return Status(201, _participant_out(participant, sees_real_names=True))


@router.patch("/participants/{participant_id}", response=ParticipantOut)
def update_participant(request: HttpRequest, participant_id: UUID, payload: ParticipantPatch):
    """For the study's lead: the fields sent change; an attribute sent empty is removed."""
    participant = selectors.access_participant(request.user, participant_id)
    require(request.user, "evaluation.manage_study", participant.study)
    fields = payload.dict(exclude_unset=True)
    attributes = fields.pop("attributes", None)
    if "practitioner_email" in fields:
        fields["practitioner"] = _practitioner(fields.pop("practitioner_email"))
    for name in ("real_name", "consent_note"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    participant = services.update_participant(
        by=request.user, participant=participant, fields=fields, attributes=attributes
    )
    return _participant_out(participant, sees_real_names=True)


@router.get("/studies/{study_id}/focus-groups", response=list[FocusGroupOut])
def list_focus_groups(request: HttpRequest, study_id: UUID):
    study = selectors.access_study(request.user, study_id)
    return selectors.sessions(study)


@router.post("/studies/{study_id}/focus-groups", response={201: FocusGroupOut})
def record_focus_group(request: HttpRequest, study_id: UUID, payload: FocusGroupIn):
    """For the study's lead; `present` are participants' ids of this study."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    session = services.record_session(
        by=request.user,
        study=study,
        setting=payload.setting,
        held_on=payload.held_on,
        moderator=payload.moderator,
        present=_present(study, payload.present),
    )
    return Status(201, selectors.session_of_study(study, session.pk))


@router.patch("/focus-groups/{focus_group_id}", response=FocusGroupOut)
def update_focus_group(request: HttpRequest, focus_group_id: UUID, payload: FocusGroupPatch):
    """For the study's lead: the fields sent change; `present`, when sent, is the whole list."""
    session = selectors.access_session(request.user, focus_group_id)
    require(request.user, "evaluation.manage_study", session.study)
    fields = payload.dict(exclude_unset=True)
    ids = fields.pop("present", None)
    for name in ("setting", "held_on"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field is required.")})
    if "moderator" in fields and fields["moderator"] is None:
        fields["moderator"] = ""
    session = services.update_session(
        by=request.user,
        session=session,
        fields=fields,
        present=None if ids is None else _present(session.study, ids),
    )
    return selectors.session_of_study(session.study, session.pk)


@router.post("/studies/{study_id}/documents", response={201: DocumentOut})
def import_document(request: HttpRequest, study_id: UUID, payload: DocumentIn):
    study = selectors.access_study(request.user, study_id, perm="evaluation.import_document")
    session = selectors.session_of(study, payload.session_id)
    if payload.session_id and session is None:
        raise ValidationError({"session_id": _("Choose a focus group of this study.")})
    document = services.import_document(
        by=request.user,
        study=study,
        title=payload.title,
        kind=payload.kind,
        session=session,
        turns=[Turn(t.speaker, t.text) for t in payload.turns],
        speakers={label: str(pid) for label, pid in payload.speakers.items()},
        replacements=payload.replacements,
        confirmations=payload.confirmations,
    )
    return Status(201, _document_out(request, document))


def _document_out(request, document) -> dict:
    _turns, codings = selectors.read_document(request.user, document)
    return {
        "id": document.pk,
        "title": document.title,
        "kind": document.kind,
        "text": document.text,
        "turns": selectors.turns_of(document),
        "codings": codings,
    }


@router.get("/documents/{document_id}", response=DocumentOut)
def get_document(request: HttpRequest, document_id: UUID):
    document = selectors.access_document(request.user, document_id)
    return _document_out(request, document)


@router.post("/documents/{document_id}/codings", response={201: list[CodingOut]})
def add_codings(request: HttpRequest, document_id: UUID, payload: CodingIn):
    document = selectors.access_document(request.user, document_id, perm="evaluation.code")
    codes = selectors.codes_of(document.study, payload.code_ids)
    if len(codes) != len(set(payload.code_ids)):
        raise ValidationError({"code_ids": _("Choose codes of this study.")})
    created = services.add_codings(
        by=request.user,
        document=document,
        codes=codes,
        start=payload.start,
        end=payload.end,
        memo=payload.memo,
    )
    return Status(201, created)


@router.delete("/codings/{coding_id}", response={204: None})
def delete_coding(request: HttpRequest, coding_id: UUID):
    coding = selectors.access_coding(request.user, coding_id)
    services.delete_coding(by=request.user, coding=coding)
    return Status(204, None)


@router.get("/studies/{study_id}/agreement", response=AgreementReportOut)
def get_agreement(
    request: HttpRequest,
    study_id: UUID,
    unit: Literal["character", "segment"] = "character",
    uncoded: Literal["excluded", "counted"] = "excluded",
    document_id: UUID | None = None,
):
    """Agreement between the study's coders (after the reveal): the page's figures."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.view_analysis")
    rows = selectors.study_rows(request.user, study)
    documents = [str(document_id)] if document_id else None
    report = figures.compute_agreement(rows, unit=unit, uncoded=uncoded, documents=documents)

    def out(code, figures_) -> dict:
        return {
            "code_id": code,
            "code": reports.code_name(rows, code) if code else "",
            "units": figures_.units,
            "percent": figures_.percent,
            "kappa": figures_.kappa,
            "alpha": figures_.alpha,
        }

    return {
        "unit": str(report.unit),
        "uncoded": str(report.uncoded),
        "coders": list(report.coders),
        "overall": out(None, report.overall),
        "per_code": [out(code, report.per_code[code]) for code in report.codes],
    }
