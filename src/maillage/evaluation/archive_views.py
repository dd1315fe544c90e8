"""Pages of the end of a study: download its archive, then delete it after a confirmation
step. HTTP only: access and writes are decided by selectors.py, archive.py and
services.py (the lead alone; a coder is refused, anyone else finds nothing)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from maillage.core.forms import add_service_errors

from . import archive, selectors, services
from .forms import DeleteStudyForm


@login_required
@require_GET
def study_archive(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    try:
        made = archive.export_archive(by=request.user, study=study)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("evaluation:study_delete", study_id=study.pk)
    response = HttpResponse(made.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-archive.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def study_delete(request, study_id):
    """The confirmation step: what will be removed, the archive made (or not), then the
    deletion itself."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    form = DeleteStudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        title = study.title
        try:
            counts = services.delete_study(
                by=request.user, study=study, confirm_title=form.cleaned_data["confirm_title"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The study “%(title)s” was deleted: %(documents)s documents, %(codings)s "
                    "codings and %(participants)s participants removed."
                )
                % {"title": title, **counts},
            )
            return redirect("evaluation:studies")
    return render(
        request,
        "evaluation/study_delete.html",
        {
            "study": study,
            "is_lead": True,
            "sees_all": request.user.has_perm("evaluation.view_all_codings", study),
            "form": form,
            "counts": selectors.study_counts(study),
            "archive": selectors.last_archive(study),
        },
        status=422 if form.errors else 200,
    )
