"""Pages of the REFI-QDA exchange: import a .qdpx into a new study, a codebook (.qdc) into
a study, export a study (.qdpx) or its codebook (.qdc). HTTP only: access and writes are
decided by selectors.py and qdpx_exchange.py (the lead exports and imports a codebook;
anyone who may start a study imports a project)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from maillage.core.forms import add_service_errors
from maillage.core.permissions import require

from . import qdpx_exchange, selectors
from .exchange_forms import ExchangeFileForm, ProjectImportForm

MAX_NOTICES = 20


def _report(request, report: qdpx_exchange.ExchangeReport) -> None:
    counts = report.counts
    messages.success(
        request,
        _(
            "Imported: %(codes)s codes, %(sources)s sources, %(selections)s passages, "
            "%(codings)s codings, %(users)s coders, %(notes)s notes."
        )
        % (
            dict.fromkeys(("codes", "sources", "selections", "codings", "users", "notes"), 0)
            | counts
        ),
    )
    for line in report.notices[:MAX_NOTICES]:
        messages.warning(request, line)
    if len(report.notices) > MAX_NOTICES:
        hidden = len(report.notices) - MAX_NOTICES
        messages.warning(
            request,
            ngettext("And %(count)s more remark.", "And %(count)s more remarks.", hidden)
            % {"count": hidden},
        )


@login_required
def project_import(request):
    require(request.user, "evaluation.start_study")
    form = ProjectImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = qdpx_exchange.import_file(
                by=request.user,
                data=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                positions=form.cleaned_data["positions"] or None,
                deidentified_reason=form.cleaned_data["deidentified_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _report(request, report)
            return redirect("evaluation:study", study_id=report.study.pk)
    return render(
        request,
        "evaluation/exchange_import.html",
        {
            "form": form,
            "title": _("Import a REFI-QDA project"),
            "back": reverse("evaluation:studies"),
        },
        status=422 if form.errors else 200,
    )


@login_required
def codebook_import(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    form = ExchangeFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = qdpx_exchange.import_file(
                by=request.user, data=form.cleaned_data["file"], study=study
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _report(request, report)
            return redirect("evaluation:study", study_id=study.pk)
    return render(
        request,
        "evaluation/exchange_import.html",
        {
            "form": form,
            "study": study,
            "is_lead": True,
            "title": _("Import a codebook (.qdc)"),
            "back": reverse("evaluation:study", args=[study.pk]),
        },
        status=422 if form.errors else 200,
    )


def _download(data: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def project_export(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    data = qdpx_exchange.export_study(by=request.user, study=study)
    return _download(data, name=f"study-{study.pk}.qdpx", content_type="application/zip")


@login_required
@require_GET
def codebook_export(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    data = qdpx_exchange.export_study(by=request.user, study=study, codebook_only=True)
    return _download(data, name=f"codebook-{study.pk}.qdc", content_type="application/xml")
