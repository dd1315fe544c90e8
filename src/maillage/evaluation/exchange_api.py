"""REFI-QDA exchange in the JSON API: the same services as the pages, the same 404 for a
study one does not evaluate as for one that does not exist, 403 for an evaluator who is not
its lead, 422 naming each refused element of a file (nothing written)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from . import qdpx_exchange, selectors
from .qdpx_exchange import LIMITS, REASON_MAX
from .refi_qda import Scheme

router = Router(tags=["evaluation"])


class ImportOut(Schema):
    study_id: UUID
    counts: dict[str, int]
    notices: list[str]


class ImportOptions(Schema):
    title: str = ""
    positions: Scheme | None = None
    deidentified_reason: str = ""


def _checked(upload: UploadedFile | None, options: ImportOptions | None = None) -> None:
    # The file is checked here, after access: a study one may not see answers 404 whatever
    # was sent, never a 422 that would say the route exists for it.
    if upload is None:
        raise ValidationError({"file": _("Send the file.")})
    if upload.size > LIMITS.archive_bytes:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; at most %(limit)s are accepted.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(LIMITS.archive_bytes),
                }
            }
        )
    if options is not None and len(options.title) > 200:
        raise ValidationError({"title": _("At most %(max)s characters.") % {"max": 200}})
    if options is not None and len(options.deidentified_reason) > REASON_MAX:
        raise ValidationError(
            {"deidentified_reason": _("At most %(max)s characters.") % {"max": REASON_MAX}}
        )


def _out(report: qdpx_exchange.ExchangeReport) -> ImportOut:
    return ImportOut(study_id=report.study.pk, counts=report.counts, notices=report.notices)


@router.post("/studies/import-qdpx", response={201: ImportOut})
def import_project(request: HttpRequest, file: File[UploadedFile], options: Form[ImportOptions]):
    """A .qdpx (or a bare project.qde) into a new study the caller leads."""
    _checked(file, options)
    report = qdpx_exchange.import_file(
        by=request.user,
        data=file,
        title=options.title,
        positions=options.positions.value if options.positions else None,
        deidentified_reason=options.deidentified_reason,
    )
    return Status(201, _out(report))


@router.post("/studies/{study_id}/codebook", response=ImportOut)
def import_codebook(request: HttpRequest, study_id: UUID, file: File[UploadedFile] = None):
    """A codebook (.qdc, or the codebook of a .qdpx) into the study; for its lead."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    _checked(file)
    return _out(qdpx_exchange.import_file(by=request.user, data=file, study=study))


@router.get("/studies/{study_id}/export.qdpx")
def export_project(request: HttpRequest, study_id: UUID, codebook_only: bool = False):
    """The study as .qdpx (a ZIP), or its codebook alone as .qdc (XML); for its lead."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    data = qdpx_exchange.export_study(by=request.user, study=study, codebook_only=codebook_only)
    response = HttpResponse(
        data, content_type="application/xml" if codebook_only else "application/zip"
    )
    extension = "qdc" if codebook_only else "qdpx"
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}.{extension}"'
    return response
